;; Calls into host functions: spectest's print functions, and wasmscope's trapping host
;; functions (`wasmscope.trap`, `wasmscope.check_non_negative`), whose traps must unwind
;; through wasm frames and leave the store usable.
(module
  (import "spectest" "print_i32" (func $print_i32 (param i32)))
  (import "spectest" "print_f64_f64" (func $print_f64_f64 (param f64 f64)))
  (import "spectest" "global_i32" (global $g i32))
  (import "spectest" "global_f64" (global $gf f64))
  (import "wasmscope" "trap" (func $trap))
  (import "wasmscope" "check_non_negative" (func $check (param i32) (result i32)))
  (global $counter (mut i32) (i32.const 0))
  (func (export "print") (result i32)
    (call $print_i32 (i32.const 7))
    (call $print_f64_f64 (f64.const 1) (f64.const 2))
    (global.get $g))
  (func (export "global_f64") (result f64) (global.get $gf))
  (func (export "trap_after_side_effect")
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (call $trap)
    (global.set $counter (i32.const 1000)))
  (func (export "counter") (result i32) (global.get $counter))
  (func $nested (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (call $check (i32.const -1)))
      (else (call $nested (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "nested_trap") (result i32) (call $nested (i32.const 50)))
  (func (export "checked") (param i32) (result i32) (call $check (local.get 0)))
)
(assert_return (invoke "print") (i32.const 666))
(assert_return (invoke "global_f64") (f64.const 666.6))
(assert_trap (invoke "trap_after_side_effect") "host trap")
(assert_return (invoke "counter") (i32.const 1))
(assert_trap (invoke "trap_after_side_effect") "host trap")
(assert_return (invoke "counter") (i32.const 2))
(assert_trap (invoke "nested_trap") "host trap: negative argument")
(assert_return (invoke "checked" (i32.const 5)) (i32.const 5))
(assert_trap (invoke "checked" (i32.const -5)) "host trap")

;; A trap in a start function that calls the host makes the module uninstantiable.
(assert_trap
  (module (import "wasmscope" "trap" (func $t)) (func $start (call $t)) (start $start))
  "host trap")

;; Importing with the wrong type is a link error.
(assert_unlinkable
  (module (import "wasmscope" "trap" (func (param i32))))
  "incompatible import type")
(assert_unlinkable
  (module (import "wasmscope" "missing" (func)))
  "unknown import")
