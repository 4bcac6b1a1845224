;; JIT call_indirect calls a table element's code directly once the store has a record of
;; it (the first call goes through the libcall and makes the record). Each case below
;; calls twice or more, so both the first (libcall) and the later (direct) path run.

(module $lib
  (type $ii (func (param i32) (result i32)))
  (table (export "tab") 4 10 funcref)
  (memory (export "mem") 1)
  (func $double (export "double") (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $load (export "load") (type $ii) (i32.load (local.get 0)))
  (func $pair (export "pair") (param i32) (result i32 i64)
    (local.get 0) (i64.extend_i32_u (i32.add (local.get 0) (i32.const 1))))
  (elem (i32.const 0) $double $load))
(register "lib" $lib)

(module $user
  (type $ii (func (param i32) (result i32)))
  (type $ff (func (param f32) (result f32)))
  (type $pair (func (param i32) (result i32 i64)))
  (import "lib" "tab" (table 4 10 funcref))
  (import "lib" "pair" (func $pair (type $pair)))
  (import "spectest" "print_i32" (func $print (param i32)))
  (func $neg (type $ff) (f32.neg (local.get 0)))
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (elem declare func $neg $inc $pair $print)
  (func (export "call") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 1) (local.get 0)))
  (func (export "call_f") (param f32 i32) (result f32)
    (call_indirect (type $ff) (local.get 0) (local.get 1)))
  (func (export "call_pair") (param i32 i32) (result i64) (local i64)
    (call_indirect (type $pair) (local.get 1) (local.get 0))
    (local.set 2)
    (i64.extend_i32_u)
    (i64.add (local.get 2)))
  (func (export "call_host") (param i32 i32)
    (call_indirect (param i32) (local.get 1) (local.get 0)))
  (func (export "set") (param i32 funcref) (table.set (local.get 0) (local.get 1)))
  (func (export "put_neg") (param i32) (table.set (local.get 0) (ref.func $neg)))
  (func (export "put_inc") (param i32) (table.set (local.get 0) (ref.func $inc)))
  (func (export "put_pair") (param i32) (table.set (local.get 0) (ref.func $pair)))
  (func (export "put_print") (param i32) (table.set (local.get 0) (ref.func $print)))
  (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))

;; Functions of another instance, through an imported table.
(assert_return (invoke "call" (i32.const 0) (i32.const 21)) (i32.const 42))
(assert_return (invoke "call" (i32.const 0) (i32.const 21)) (i32.const 42))
(assert_return (invoke "call" (i32.const 0) (i32.const -4)) (i32.const -8))
;; A trap inside the other instance's code, on the second (direct) call too.
(assert_return (invoke "call" (i32.const 1) (i32.const 0)) (i32.const 0))
(assert_trap (invoke "call" (i32.const 1) (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "call" (i32.const 1) (i32.const 65534)) "out of bounds memory access")
;; Null and out-of-bounds elements, before and after direct calls.
(assert_trap (invoke "call" (i32.const 2) (i32.const 0)) "uninitialized element")
(assert_trap (invoke "call" (i32.const 4) (i32.const 0)) "undefined element")
(assert_trap (invoke "call" (i32.const -1) (i32.const 0)) "undefined element")
;; The element changes: a function of another type, then one of the right type.
(invoke "put_neg" (i32.const 0))
(assert_trap (invoke "call" (i32.const 0) (i32.const 1)) "indirect call type mismatch")
(assert_return (invoke "call_f" (f32.const 1.5) (i32.const 0)) (f32.const -1.5))
(assert_return (invoke "call_f" (f32.const -2) (i32.const 0)) (f32.const 2))
(invoke "put_inc" (i32.const 0))
(assert_return (invoke "call" (i32.const 0) (i32.const 41)) (i32.const 42))
(assert_return (invoke "call" (i32.const 0) (i32.const 41)) (i32.const 42))
(assert_trap (invoke "call_f" (f32.const 1) (i32.const 0)) "indirect call type mismatch")
;; Back to null after direct calls.
(invoke "set" (i32.const 0) (ref.null func))
(assert_trap (invoke "call" (i32.const 0) (i32.const 1)) "uninitialized element")
;; Several results, from an imported function.
(invoke "put_pair" (i32.const 3))
(assert_return (invoke "call_pair" (i32.const 3) (i32.const 10)) (i64.const 21))
(assert_return (invoke "call_pair" (i32.const 3) (i32.const 10)) (i64.const 21))
;; A host function in the table (always the libcall).
(invoke "put_print" (i32.const 2))
(assert_return (invoke "call_host" (i32.const 2) (i32.const 7)))
(assert_return (invoke "call_host" (i32.const 2) (i32.const 8)))
;; The table grows (its elements move): old and new elements both work.
(assert_return (invoke "grow" (i32.const 6)) (i32.const 4))
(assert_trap (invoke "call" (i32.const 9) (i32.const 1)) "uninitialized element")
(assert_trap (invoke "call" (i32.const 10) (i32.const 1)) "undefined element")
(invoke "put_inc" (i32.const 9))
(assert_return (invoke "call" (i32.const 9) (i32.const 1)) (i32.const 2))
(assert_return (invoke "call" (i32.const 9) (i32.const 2)) (i32.const 3))
(assert_trap (invoke "call" (i32.const 0) (i32.const 1)) "uninitialized element")
(assert_return (invoke "call" (i32.const 1) (i32.const 0)) (i32.const 0))
