;; features: function-references tail-call gc
;; Typed function references beyond the proposal's scripts: `call_ref` chains deep
;; enough to leave the handler chain, `return_call_ref` loops, `br_on_null` and
;; `br_on_non_null` moving values to outer labels, non-nullable locals set in blocks,
;; tables of non-nullable references with initialisers, and the canonical type ids of
;; recursion groups across modules (`call_indirect` and imports match by iso-recursive
;; equality and declared subtypes).

(module $funcs
  (type $i2i (func (param i32) (result i32)))
  (type $pair (func (param i32 i32) (result i32 i32)))
  (func $inc (export "inc") (type $i2i) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $i2i) (i32.mul (local.get 0) (i32.const 2)))
  (func $swap (type $pair) (local.get 1) (local.get 0))
  (elem declare func $inc $dbl $swap $count)
  (table $fs 2 (ref $i2i) (ref.func $inc))

  ;; call_ref through a local that is set in a branch of an if.
  (func (export "pick") (param i32 i32) (result i32)
    (local $f (ref $i2i))
    (if (result i32) (local.get 0)
      (then (local.set $f (ref.func $dbl)) (call_ref $i2i (local.get 1) (local.get $f)))
      (else (local.set $f (ref.func $inc)) (call_ref $i2i (local.get 1) (local.get $f)))))

  ;; Several results through call_ref.
  (func (export "swap") (param i32 i32) (result i32 i32)
    (call_ref $pair (local.get 0) (local.get 1) (ref.func $swap)))

  ;; A counting loop of return_call_ref: far more iterations than frames allowed.
  (func $count (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_ref $pair-to-one
        (i32.sub (local.get 0) (i32.const 1))
        (i32.add (local.get 1) (i32.const 1))
        (ref.func $count)))))
  (type $pair-to-one (func (param i32 i32) (result i32)))
  (func (export "count") (param i32) (result i32) (call $count (local.get 0) (i32.const 0)))

  ;; Null traps.
  (func (export "call-null") (result i32)
    (call_ref $i2i (i32.const 1) (ref.null $i2i)))
  (func (export "as-non-null") (param i32) (result i32)
    (ref.is_null (ref.as_non_null (select (result (ref null $i2i))
      (ref.null $i2i) (ref.func $inc) (local.get 0)))))

  ;; br_on_null keeps the values below the reference; br_on_non_null takes it along.
  (func (export "on-null") (param i32) (result i32 i32)
    (block $null (result i32 i32)
      (i32.const 7)
      (i32.const 8)
      (br_on_null $null (select (result (ref null $i2i))
        (ref.null $i2i) (ref.func $inc) (local.get 0)))
      (drop)
      (drop)
      (drop)
      (i32.const -1)
      (i32.const -1)))
  (func (export "on-non-null") (param i32) (result i32)
    (block $done (result i32)
      (call_ref $i2i (i32.const 40)
        (block $some (result (ref $i2i))
          (br_on_non_null $some (select (result (ref null $i2i))
            (ref.null $i2i) (ref.func $inc) (local.get 0)))
          (br $done (i32.const -1))))))

  ;; The table's elements start as its initialiser.
  (func (export "table") (param i32 i32) (result i32)
    (call_ref $i2i (local.get 1) (table.get $fs (local.get 0))))
  (func (export "set-dbl") (param i32) (table.set $fs (local.get 0) (ref.func $dbl)))
)
(register "funcs" $funcs)

(assert_return (invoke "pick" (i32.const 0) (i32.const 10)) (i32.const 11))
(assert_return (invoke "pick" (i32.const 1) (i32.const 10)) (i32.const 20))
(assert_return (invoke "swap" (i32.const 1) (i32.const 2)) (i32.const 2) (i32.const 1))
(assert_return (invoke "count" (i32.const 1000000)) (i32.const 1000000))
(assert_trap (invoke "call-null") "null function reference")
(assert_trap (invoke "as-non-null" (i32.const 1)) "null reference")
(assert_return (invoke "as-non-null" (i32.const 0)) (i32.const 0))
(assert_return (invoke "on-null" (i32.const 1)) (i32.const 7) (i32.const 8))
(assert_return (invoke "on-null" (i32.const 0)) (i32.const -1) (i32.const -1))
(assert_return (invoke "on-non-null" (i32.const 0)) (i32.const 41))
(assert_return (invoke "on-non-null" (i32.const 1)) (i32.const -1))
(assert_return (invoke "table" (i32.const 1) (i32.const 5)) (i32.const 6))
(invoke "set-dbl" (i32.const 1))
(assert_return (invoke "table" (i32.const 1) (i32.const 5)) (i32.const 10))
(assert_return (invoke "table" (i32.const 0) (i32.const 5)) (i32.const 6))

;; A local of a non-nullable type set only inside a block is unset after it.
(assert_invalid
  (module (type $t (func))
    (func $f (local $x (ref $t))
      (block (local.set $x (ref.func $f)))
      (drop (local.get $x)))
    (elem declare func $f))
  "uninitialized local")

;; Recursion groups: a module whose group is structurally the same as another module's
;; has the same types, so call_indirect across them matches, and a different group
;; (even with the same shape alone) does not.
(module $recA
  (rec (type $f (func (param (ref null $g)) (result i32))) (type $g (func (param (ref null $f)) (result i32))))
  (func $one (export "one") (type $f) (i32.const 1))
  (table (export "tab") 1 funcref)
  (elem (i32.const 0) $one)
)
(register "recA" $recA)
(module $recB
  (rec (type $f (func (param (ref null $g)) (result i32))) (type $g (func (param (ref null $f)) (result i32))))
  (type $lone (func (param (ref null $g)) (result i32)))
  (import "recA" "tab" (table 1 funcref))
  (import "recA" "one" (func $one (type $f)))
  (func (export "same") (result i32) (call_indirect (type $f) (ref.null $g) (i32.const 0)))
  (func (export "other") (result i32) (call_indirect (type $g) (ref.null $f) (i32.const 0)))
  (func (export "direct") (result i32) (call $one (ref.null $g)))
)
(assert_return (invoke "same") (i32.const 1))
(assert_trap (invoke "other") "indirect call type mismatch")
(assert_return (invoke "direct") (i32.const 1))
(assert_unlinkable
  (module
    (type $g (func (param funcref) (result i32)))
    (import "recA" "one" (func (type $g))))
  "incompatible import type")

;; Declared subtypes: a function of a subtype passes call_indirect of its supertype and
;; imports as one; the other way round does not.
(module $subs
  (type $base (sub (func (result i32))))
  (type $derived (sub $base (func (result i32))))
  (func $d (export "d") (type $derived) (i32.const 42))
  (func $b (export "b") (type $base) (i32.const 7))
  (table 2 funcref)
  (elem (i32.const 0) $d $b)
  (func (export "as-base") (param i32) (result i32) (call_indirect (type $base) (local.get 0)))
  (func (export "as-derived") (param i32) (result i32) (call_indirect (type $derived) (local.get 0)))
)
(register "subs" $subs)
(assert_return (invoke "as-base" (i32.const 0)) (i32.const 42))
(assert_return (invoke "as-base" (i32.const 1)) (i32.const 7))
(assert_return (invoke "as-derived" (i32.const 0)) (i32.const 42))
(assert_trap (invoke "as-derived" (i32.const 1)) "indirect call type mismatch")
(module
  (type $base (sub (func (result i32))))
  (import "subs" "d" (func (type $base))))
(assert_unlinkable
  (module
    (type $base (sub (func (result i32))))
    (type $derived (sub $base (func (result i32))))
    (import "subs" "b" (func (type $derived))))
  "incompatible import type")
