;; Cases where the interpreter's register translation defers or retargets values
;; (translate/mod.rs): each must behave exactly like the stack machine.

(module
  ;; select's destination also holds its first operand: it cannot be retargeted.
  (func (export "select-set") (param i32) (result i32) (local i32)
    (local.set 1 (select (i32.const 10) (i32.const 20) (local.get 0)))
    (local.get 1))
  ;; A deferred `local.get 0` must keep the old value across `local.set 0`.
  (func (export "read-then-write") (param i32) (result i32)
    (local.get 0)
    (local.set 0 (i32.const 7))
    (i32.add (local.get 0)))
  ;; `local.tee` of a value read from the same local.
  (func (export "tee-swap") (param i32 i32) (result i32)
    (local.get 0)
    (local.set 0 (local.get 1))
    (local.set 1)
    (i32.sub (local.get 0) (local.get 1)))
  ;; A block result reaching `local.set` both by a branch and by falling through.
  (func (export "block-result") (param i32) (result i32) (local i32)
    (local.set 1 (block (result i32) (br_if 0 (i32.const 5) (local.get 0)) (drop) (i32.const 6)))
    (local.get 1))
  ;; Comparisons against constants fused into conditional jumps.
  (func (export "count") (param i32) (result i32) (local i32)
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get 1) (i32.const 10)))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 1) (local.get 0)))))
    (local.get 1))
  ;; The deferred read of a local used as a call argument after the local changed.
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "arg-after-write") (param i32) (result i32)
    (local.get 0)
    (local.set 0 (i32.const 100))
    (call $id)
    (local.get 0)
    (i32.add))
  ;; A comparison below the `if` condition must not be fused into the `if`'s jump.
  (func (export "cmp-below-cond") (param i32 i32) (result i32)
    (i32.eqz (local.get 0))
    (if (result i32) (local.get 1) (then (i32.const 10)) (else (i32.const 20)))
    (i32.add))
  ;; i64 add/sub with immediates at the edges of the i32 range.
  (func (export "i64-imm") (param i64) (result i64)
    (i64.sub (i64.add (local.get 0) (i64.const 2147483647)) (i64.const -2147483648)))
)

(assert_return (invoke "select-set" (i32.const 1)) (i32.const 10))
(assert_return (invoke "select-set" (i32.const 0)) (i32.const 20))
(assert_return (invoke "read-then-write" (i32.const 3)) (i32.const 10))
(assert_return (invoke "tee-swap" (i32.const 8) (i32.const 3)) (i32.const -5))
(assert_return (invoke "block-result" (i32.const 1)) (i32.const 5))
(assert_return (invoke "block-result" (i32.const 0)) (i32.const 6))
(assert_return (invoke "count" (i32.const 4)) (i32.const 4))
(assert_return (invoke "count" (i32.const 50)) (i32.const 10))
(assert_return (invoke "arg-after-write" (i32.const 1)) (i32.const 101))
(assert_return (invoke "i64-imm" (i64.const 1)) (i64.const 4294967296))
(assert_return (invoke "cmp-below-cond" (i32.const 0) (i32.const 1)) (i32.const 11))
(assert_return (invoke "cmp-below-cond" (i32.const 5) (i32.const 0)) (i32.const 20))
(assert_return (invoke "cmp-below-cond" (i32.const 0) (i32.const 0)) (i32.const 21))

;; i64 comparisons fused into conditional jumps (`JumpIfI64`): they compare all 64 bits,
;; signed or unsigned, with operands from locals, constants and temporaries.
(module
  (func (export "br-lt-u") (param i64 i64) (result i32)
    (block $yes (br_if $yes (i64.lt_u (local.get 0) (local.get 1))) (return (i32.const 0)))
    (i32.const 1))
  (func (export "if-gt-s") (param i64 i64) (result i32)
    (if (result i32) (i64.gt_s (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 0))))
  (func (export "br-eq-const") (param i64) (result i32)
    (block $yes (br_if $yes (i64.eq (local.get 0) (i64.const 0x100000000))) (return (i32.const 0)))
    (i32.const 1))
  (func (export "br-ge-u-sum") (param i64 i64) (result i32)
    (block $yes (br_if $yes (i64.ge_u (i64.add (local.get 0) (local.get 1)) (i64.const 10))) (return (i32.const 0)))
    (i32.const 1))
  ;; A counting loop closed by an i64 comparison, as clang writes `for (u64 j ...)`.
  (func (export "count-to") (param i64) (result i64) (local i64)
    (loop $l
      (local.set 1 (i64.add (local.get 1) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get 1) (local.get 0))))
    (local.get 1))
)
(assert_return (invoke "br-lt-u" (i64.const 1) (i64.const 0x100000000)) (i32.const 1))
(assert_return (invoke "br-lt-u" (i64.const 0x100000000) (i64.const 1)) (i32.const 0))
(assert_return (invoke "br-lt-u" (i64.const -1) (i64.const 1)) (i32.const 0))
(assert_return (invoke "if-gt-s" (i64.const 1) (i64.const -1)) (i32.const 1))
(assert_return (invoke "if-gt-s" (i64.const 0x100000000) (i64.const 0xFFFFFFFF)) (i32.const 1))
(assert_return (invoke "if-gt-s" (i64.const -0x100000000) (i64.const 0)) (i32.const 0))
(assert_return (invoke "br-eq-const" (i64.const 0x100000000)) (i32.const 1))
(assert_return (invoke "br-eq-const" (i64.const 0)) (i32.const 0))
(assert_return (invoke "br-ge-u-sum" (i64.const 4) (i64.const 6)) (i32.const 1))
(assert_return (invoke "br-ge-u-sum" (i64.const 4) (i64.const 5)) (i32.const 0))
(assert_return (invoke "br-ge-u-sum" (i64.const -1) (i64.const 1)) (i32.const 0))
(assert_return (invoke "count-to" (i64.const 1000)) (i64.const 1000))
(assert_return (invoke "count-to" (i64.const 0)) (i64.const 1))
