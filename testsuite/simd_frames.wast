;; v128 values in frames, blocks, branches and calls: a v128 takes two interpreter
;; slots, so every count the translator keeps (locals, block arities, branch moves,
;; call arguments and results) is in slots. Mixed with scalars on purpose.

(module
  (global $g (mut v128) (v128.const i64x2 7 8))
  (global $k v128 (v128.const i32x4 1 2 3 4))

  ;; params and locals of both kinds, interleaved
  (func (export "mix") (param $a i32) (param $v v128) (param $b i64) (result i64)
    (local $w v128) (local $c i32)
    (local.set $w (i64x2.add (local.get $v) (i64x2.splat (local.get $b))))
    (local.set $c (i32.add (local.get $a) (i32.const 1)))
    (i64.add (i64x2.extract_lane 1 (local.get $w)) (i64.extend_i32_u (local.get $c))))

  ;; a block yielding a v128 and a scalar; br_if moving both
  (func (export "block2") (param $x i32) (result i32 v128)
    (block (result i32 v128)
      (br_if 0 (i32.const 10) (v128.const i32x4 1 1 1 1) (local.get $x))
      (drop) (drop)
      (i32.const 20) (v128.const i32x4 2 2 2 2)))

  ;; a loop carrying a v128 accumulator through br_if
  (func (export "sum") (param $n i32) (result i32)
    (local $acc v128)
    (loop $l
      (local.set $acc (i32x4.add (local.get $acc) (i32x4.splat (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (i32x4.extract_lane 3 (local.get $acc)))

  ;; calls with v128 arguments and results
  (func $swap (param v128 i32 v128) (result v128 i32 v128)
    (local.get 2) (local.get 1) (local.get 0))
  (func (export "call") (result i32)
    (call $swap (v128.const i32x4 1 2 3 4) (i32.const 5) (v128.const i32x4 6 7 8 9))
    (i32x4.extract_lane 0) ;; 1
    (i32.mul (i32.const 100))
    (i32.add) ;; 100 + 5
    (i32.mul (i32.const 100))
    (call $swap_tail))
  (func $swap_tail (param v128 i32) (result i32)
    (i32.add (local.get 1) (i32x4.extract_lane 3 (local.get 0))))

  (table 1 funcref)
  (elem (i32.const 0) $swap)
  (type $t (func (param v128 i32 v128) (result v128 i32 v128)))
  (func (export "call_indirect") (result i32)
    (call_indirect (type $t) (v128.const i32x4 1 2 3 4) (i32.const 5) (v128.const i32x4 6 7 8 9) (i32.const 0))
    (drop) (drop) (i32x4.extract_lane 2))

  ;; select and drop of v128, tee
  (func (export "select") (param $c i32) (result v128)
    (local $t v128)
    (select (v128.const i32x4 1 2 3 4) (local.tee $t (v128.const i32x4 5 6 7 8)) (local.get $c)))
  (func (export "drop") (result i32)
    (i32.const 3) (v128.const i32x4 9 9 9 9) (drop))

  ;; globals
  (func (export "global") (result v128)
    (global.set $g (i64x2.add (global.get $g) (global.get $k)))
    (global.get $g))

  ;; if/else with v128 params and results
  (func (export "ifelse") (param $c i32) (result v128)
    (v128.const i32x4 1 2 3 4)
    (if (param v128) (result v128) (local.get $c)
      (then (i32x4.add (v128.const i32x4 10 10 10 10)))
      (else (i32x4.sub (v128.const i32x4 10 10 10 10))))))

(assert_return (invoke "mix" (i32.const 1) (v128.const i64x2 10 20) (i64.const 5)) (i64.const 27))
(assert_return (invoke "block2" (i32.const 1)) (i32.const 10) (v128.const i32x4 1 1 1 1))
(assert_return (invoke "block2" (i32.const 0)) (i32.const 20) (v128.const i32x4 2 2 2 2))
(assert_return (invoke "sum" (i32.const 100)) (i32.const 5050))
(assert_return (invoke "call") (i32.const 10509))
(assert_return (invoke "call_indirect") (i32.const 8))
(assert_return (invoke "select" (i32.const 1)) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "select" (i32.const 0)) (v128.const i32x4 5 6 7 8))
(assert_return (invoke "drop") (i32.const 3))
(assert_return (invoke "global") (v128.const i64x2 0x0000000200000008 0x000000040000000b))
(assert_return (invoke "global") (v128.const i64x2 0x0000000400000009 0x000000080000000e))
(assert_return (invoke "ifelse" (i32.const 1)) (v128.const i32x4 11 12 13 14))
(assert_return (invoke "ifelse" (i32.const 0)) (v128.const i32x4 -9 -8 -7 -6))
