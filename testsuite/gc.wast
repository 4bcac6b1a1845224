;; features: function-references gc tail-call
;; GC beyond the proposal's scripts: a linked list and a binary tree built and walked
;; deep, packed fields at their limits, overlapping array.copy, v128 fields, casts of
;; objects made by another module (canonical types across modules), subtype chains, and
;; references through globals, tables and host functions.

(module $lib
  (rec
    (type $node (sub (struct (field $val i32) (field $next (ref null $node)))))
  )
  (type $tree (struct (field $l (ref null $tree)) (field $r (ref null $tree)) (field $v i64)))
  (type $bytes (array (mut i8)))
  (type $shorts (array (mut i16)))
  (type $vecs (struct (field (mut v128)) (field i8) (field (mut f64))))

  ;; A list of n nodes n-1 .. 0, summed by a loop through `next`.
  (func $list (export "list") (param $n i32) (result (ref null $node))
    (local $head (ref null $node))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (local.set $head (struct.new $node (local.get $n) (local.get $head)))
        (br $l)))
    (local.get $head))
  (func (export "sum-list") (param $n i32) (result i64)
    (local $p (ref null $node)) (local $s i64)
    (local.set $p (call $list (local.get $n)))
    (block $done
      (loop $l
        (local.set $s (i64.add (local.get $s)
          (i64.extend_i32_u (struct.get $node $val (br_on_null $done (local.get $p))))))
        (local.set $p (struct.get $node $next (local.get $p)))
        (br $l)))
    (local.get $s))

  ;; A complete tree of depth d; count its nodes and sum its values recursively.
  (func $tree (param $d i32) (result (ref null $tree))
    (if (result (ref null $tree)) (i32.eqz (local.get $d))
      (then (ref.null $tree))
      (else (struct.new $tree
        (call $tree (i32.sub (local.get $d) (i32.const 1)))
        (call $tree (i32.sub (local.get $d) (i32.const 1)))
        (i64.extend_i32_u (local.get $d))))))
  (func $count (param $t (ref null $tree)) (result i64)
    (if (result i64) (ref.is_null (local.get $t))
      (then (i64.const 0))
      (else (i64.add (struct.get $tree $v (local.get $t))
        (i64.add (call $count (struct.get $tree $l (local.get $t)))
                 (call $count (struct.get $tree $r (local.get $t))))))))
  (func (export "tree") (param i32) (result i64) (call $count (call $tree (local.get 0))))

  ;; Packed fields keep 8 and 16 bits and extend as asked.
  (func (export "packed") (param i32) (result i32 i32 i32 i32)
    (local $b (ref $bytes)) (local $s (ref $shorts))
    (local.set $b (array.new $bytes (local.get 0) (i32.const 2)))
    (local.set $s (array.new $shorts (local.get 0) (i32.const 2)))
    (array.get_s $bytes (local.get $b) (i32.const 1))
    (array.get_u $bytes (local.get $b) (i32.const 0))
    (array.get_s $shorts (local.get $s) (i32.const 1))
    (array.get_u $shorts (local.get $s) (i32.const 0)))

  ;; array.copy within one array, both directions (memmove semantics).
  (func (export "copy-overlap") (param $dst i32) (param $src i32) (result i32)
    (local $a (ref $bytes)) (local $i i32) (local $r i32)
    (local.set $a (array.new_default $bytes (i32.const 8)))
    (loop $fill
      (array.set $bytes (local.get $a) (local.get $i) (i32.add (local.get $i) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 8))))
    (array.copy $bytes $bytes (local.get $a) (local.get $dst) (local.get $a) (local.get $src) (i32.const 4))
    ;; The 8 bytes as a number, byte 0 in the low bits.
    (local.set $i (i32.const 8))
    (loop $read
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (local.set $r (i32.or (i32.shl (local.get $r) (i32.const 4))
        (array.get_u $bytes (local.get $a) (local.get $i))))
      (br_if $read (local.get $i)))
    (local.get $r))

  ;; v128 and f64 fields after a packed one.
  (func (export "vecs") (result i64 f64)
    (local $s (ref $vecs))
    (local.set $s (struct.new $vecs (v128.const i64x2 1 2) (i32.const 300) (f64.const 1.5)))
    (struct.set $vecs 0 (local.get $s) (i64x2.add (struct.get $vecs 0 (local.get $s)) (v128.const i64x2 10 20)))
    (struct.set $vecs 2 (local.get $s) (f64.add (struct.get $vecs 2 (local.get $s)) (f64.const 1)))
    (i64.add (i64x2.extract_lane 1 (struct.get $vecs 0 (local.get $s)))
             (i64.extend_i32_u (struct.get_u $vecs 1 (local.get $s))))
    (struct.get $vecs 2 (local.get $s)))

  (func (export "make-node") (param i32) (result anyref) (struct.new $node (local.get 0) (ref.null $node)))
  (global (export "g") (mut anyref) (ref.null any))
  (table (export "t") 4 anyref)
  (func $keep (export "keep") (param anyref)
    (global.set 0 (local.get 0))
    (table.set (i32.const 0) (local.get 0)))
  (func (export "keep-i31") (param i32) (call $keep (ref.i31 (local.get 0))))
)
(register "lib" $lib)

(assert_return (invoke "sum-list" (i32.const 100000)) (i64.const 4999950000))
(assert_return (invoke "tree" (i32.const 16)) (i64.const 131054))
(assert_return (invoke "packed" (i32.const 0x1ff80)) (i32.const -128) (i32.const 128) (i32.const -128) (i32.const 65408))
(assert_return (invoke "packed" (i32.const 0x7f7f)) (i32.const 127) (i32.const 127) (i32.const 32639) (i32.const 32639))
;; Bytes 1..8 as nibbles: 0x87654321; copying 4 from 0 to 2 gives 1 2 1 2 3 4 7 8.
(assert_return (invoke "copy-overlap" (i32.const 2) (i32.const 0)) (i32.const 0x87432121))
;; Copying 4 from 2 to 0 gives 3 4 5 6 5 6 7 8.
(assert_return (invoke "copy-overlap" (i32.const 0) (i32.const 2)) (i32.const 0x87656543))
(assert_trap (invoke "copy-overlap" (i32.const 5) (i32.const 0)) "out of bounds array access")
(assert_return (invoke "vecs") (i64.const 66) (f64.const 2.5))
(assert_return (invoke "make-node" (i32.const 3)) (ref.struct))
(invoke "keep-i31" (i32.const 5))
(assert_return (get "g") (ref.i31))

;; Another module with the same recursion group: the types are the same, so its casts
;; accept the first module's objects; a structurally equal type outside a group of its
;; own shape is a different type.
(module
  (rec
    (type $node (sub (struct (field $val i32) (field $next (ref null $node)))))
  )
  (type $other (struct (field i32) (field (ref null $other))))
  (type $sub (sub $node (struct (field $val i32) (field $next (ref null $node)) (field $extra f32))))
  (import "lib" "make-node" (func $make (param i32) (result anyref)))
  (import "lib" "g" (global $g (mut anyref)))
  (import "lib" "t" (table $t 4 anyref))
  (func (export "val") (param i32) (result i32)
    (struct.get $node $val (ref.cast (ref $node) (call $make (local.get 0)))))
  (func (export "is-other") (result i32)
    (ref.test (ref $other) (call $make (i32.const 1))))
  (func (export "sub-is-node") (result i32 i32)
    (ref.test (ref $node) (struct.new $sub (i32.const 1) (ref.null $node) (f32.const 0)))
    (ref.test (ref $sub) (call $make (i32.const 1))))
  (func (export "cast-fail") (result i32)
    (struct.get $other 0 (ref.cast (ref $other) (call $make (i32.const 1)))))
  (func (export "i31-in-table") (result i32)
    (i31.get_s (ref.cast i31ref (table.get $t (i32.const 0)))))
  (func (export "eq") (result i32 i32 i32)
    (local $x anyref)
    (local.set $x (call $make (i32.const 9)))
    (ref.eq (ref.cast eqref (local.get $x)) (ref.cast eqref (local.get $x)))
    (ref.eq (ref.cast eqref (local.get $x)) (ref.cast eqref (call $make (i32.const 9))))
    (ref.eq (ref.i31 (i32.const -1)) (ref.i31 (i32.const 0x7fffffff))))
)
(assert_return (invoke "val" (i32.const 42)) (i32.const 42))
(assert_return (invoke "is-other") (i32.const 0))
(assert_return (invoke "sub-is-node") (i32.const 1) (i32.const 0))
(assert_trap (invoke "cast-fail") "cast failure")
(assert_return (invoke "i31-in-table") (i32.const 5))
(assert_return (invoke "eq") (i32.const 1) (i32.const 0) (i32.const 1))

;; Host references pass through anyref and back unchanged.
(module
  (func (export "round-trip") (param externref) (result externref)
    (extern.convert_any (any.convert_extern (local.get 0))))
  (func (export "is-i31") (param externref) (result i32)
    (ref.test i31ref (any.convert_extern (local.get 0))))
)
(assert_return (invoke "round-trip" (ref.extern 7)) (ref.extern 7))
(assert_return (invoke "round-trip" (ref.null extern)) (ref.null extern))
(assert_return (invoke "is-i31" (ref.extern 7)) (i32.const 0))

;; Invalid: a packed field read without a sign, and a struct.set of an immutable field.
(assert_invalid
  (module (type $s (struct (field i8))) (func (param (ref $s)) (result i32) (struct.get $s 0 (local.get 0))))
  "type mismatch")
(assert_invalid
  (module (type $s (struct (field i32))) (func (param (ref $s)) (struct.set $s 0 (local.get 0) (i32.const 1))))
  "field is immutable")
