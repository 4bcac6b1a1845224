;; Deep and infinite recursion must end in "call stack exhausted", never crash the host,
;; and the store must stay usable afterwards.
(module
  (func $loop (export "loop") (call $loop))
  (func $mutual-a (export "mutual") (call $mutual-b))
  (func $mutual-b (call $mutual-a))
  (func $deep (export "deep") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))))
  ;; Many locals per frame: exhaustion must also cover the value stack.
  (func $fat (export "fat") (param i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (call $fat (local.get 0)))
  (func $indirect (export "indirect") (call_indirect (i32.const 0)))
  (table funcref (elem $indirect))
)

(assert_exhaustion (invoke "loop") "call stack exhausted")
(assert_exhaustion (invoke "mutual") "call stack exhausted")
(assert_exhaustion (invoke "fat" (i64.const 1)) "call stack exhausted")
(assert_exhaustion (invoke "indirect") "call stack exhausted")
;; Recursion well below the limit works, before and after an exhaustion.
(assert_return (invoke "deep" (i32.const 1000)) (i32.const 1000))
(assert_exhaustion (invoke "deep" (i32.const 100000000)) "call stack exhausted")
(assert_return (invoke "deep" (i32.const 5000)) (i32.const 5000))
