;; features: tail-call
;; Tail calls (`return_call`, `return_call_indirect`): chains far deeper than plain calls
;; allow, through tables, to imports (host functions and other instances), with traps,
;; multi-value and `v128` arguments and results, and frames of every size (the
;; interpreter reuses the frame; the JIT uses Cranelift's `tail` convention).

(module $lib
  (func (export "sq") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "countdown") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 99))
      (else (return_call 1 (i64.sub (local.get 0) (i64.const 1))))))
)
(register "lib" $lib)

(module
  (import "wasmscope" "check_non_negative" (func $check (param i32) (result i32)))
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "lib" "sq" (func $sq (param i32) (result i32)))
  (import "lib" "countdown" (func $countdown (param i64) (result i64)))

  ;; Mutual recursion a million deep: plain calls exhaust the stack, tail calls do not.
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
  (func $plain (export "plain") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (call $plain (i64.sub (local.get 0) (i64.const 1))))))

  ;; A state machine through a table: state k runs element k, which moves to the next
  ;; state with return_call_indirect (0 -> 1 -> 2 -> 0 while the count lasts, then 3,
  ;; which returns the accumulator: 300,000 rounds are 900,000 tail calls).
  (type $state (func (param i32 i32) (result i32)))
  (table $states 8 funcref)
  (elem (table $states) (i32.const 0) func $s0 $s1 $s2 $s3 $wrong)
  (func $s0 (type $state)
    (return_call_indirect $states (type $state)
      (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 1))
      (select (i32.const 3) (i32.const 1) (i32.eqz (local.get 0)))))
  (func $s1 (type $state)
    (return_call_indirect $states (type $state)
      (local.get 0) (i32.mul (local.get 1) (i32.const 3)) (i32.const 2)))
  (func $s2 (type $state)
    (return_call_indirect $states (type $state)
      (local.get 0) (i32.rem_u (local.get 1) (i32.const 1000003)) (i32.const 0)))
  (func $s3 (type $state) (local.get 1))
  (func $wrong (param i64) (result i64) (local.get 0))
  (func (export "machine") (param i32) (result i32)
    (return_call_indirect $states (type $state) (local.get 0) (i32.const 1) (i32.const 0)))
  (func (export "jump") (param i32) (result i32)
    (return_call_indirect $states (type $state) (i32.const 0) (i32.const 5) (local.get 0)))

  ;; Imports in tail position: a host function's results are the caller's; another
  ;; instance's function runs there and returns here.
  (func (export "checked") (param i32) (result i32) (return_call $check (local.get 0)))
  (func (export "print") (param i32) (return_call $print (local.get 0)))
  (func $sq_plus_one (export "sq") (param i32) (result i32)
    (return_call $sq (i32.add (local.get 0) (i32.const 1))))
  (func (export "countdown") (param i64) (result i64) (return_call $countdown (local.get 0)))
  (func (export "after_import") (param i32) (result i32)
    (i32.add (call $sq_plus_one (local.get 0)) (i32.const 1000)))

  ;; Multi-value: arguments move down, the results are the caller's results.
  (func $rot (param i32 i64 f32 f64 i32) (result f64 f32 i64 i32 i32)
    (local.get 3) (local.get 2) (local.get 1) (local.get 0) (local.get 4))
  (func (export "rot") (param i32) (result f64 f32 i64 i32 i32)
    (local $a i64) (local $b i64)
    (local.set $a (i64.const 70))
    (local.set $b (i64.extend_i32_u (local.get 0)))
    (return_call $rot (local.get 0) (i64.add (local.get $a) (local.get $b))
      (f32.const 1.5) (f64.const -2.25) (i32.const 9)))
  (func $sum3 (param i32 i32 i32) (result i32 i32)
    (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)) (local.get 0))
  (func (export "sum3") (param i32) (result i32 i32)
    (return_call $sum3 (local.get 0) (i32.const 20) (i32.const 300)))

  ;; v128 arguments and results (two slots each in the interpreter).
  (func $vloop (param v128 i32 v128) (result v128)
    (if (result v128) (i32.eqz (local.get 1))
      (then (i32x4.add (local.get 0) (local.get 2)))
      (else (return_call $vloop
        (i32x4.add (local.get 0) (v128.const i32x4 1 2 3 4))
        (i32.sub (local.get 1) (i32.const 1))
        (local.get 2)))))
  (func (export "vloop") (param i32) (result v128)
    (return_call $vloop (v128.const i32x4 0 0 0 0) (local.get 0) (v128.const i32x4 10 20 30 40)))

  ;; A callee with a large frame (many locals and constants, written on entry) and one
  ;; with more parameters than its caller has slots below its arguments.
  (func $big (param i32 i32) (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 5 (i64.const 11))
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.add (local.get 1) (i32.wrap_i64 (i64.add (local.get 5) (local.get 21)))))
      (else (return_call $big (i32.sub (local.get 0) (i32.const 1))
        (i32.add (local.get 1) (i32.const 7))))))
  (func (export "big") (param i32) (result i32) (return_call $big (local.get 0) (i32.const 0)))
  (func $many (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    (i32.add (local.get 0)
      (i32.add (local.get 4) (i32.mul (local.get 9) (i32.const 100)))))
  (func (export "many") (result i32)
    (return_call $many (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5)
      (i32.const 6) (i32.const 7) (i32.const 8) (i32.const 9) (i32.const 10)))

  ;; The callee traps: the caller's frame is already gone.
  (func $div (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0)))
  (func (export "div") (param i32) (result i32) (return_call $div (local.get 0)))
  ;; Unreachable code after a tail call is skipped.
  (func (export "dead") (result i32)
    (return_call $div (i32.const 4))
    (unreachable))
)

(assert_return (invoke "even" (i64.const 1_000_000)) (i32.const 1))
(assert_return (invoke "even" (i64.const 1_000_001)) (i32.const 0))
(assert_exhaustion (invoke "plain" (i64.const 100_000_000)) "call stack exhausted")
(assert_return (invoke "plain" (i64.const 1000)) (i32.const 1))

(assert_return (invoke "machine" (i32.const 0)) (i32.const 2))
(assert_return (invoke "machine" (i32.const 1)) (i32.const 7))
(assert_return (invoke "machine" (i32.const 300000)) (i32.const 692403))
(assert_return (invoke "jump" (i32.const 3)) (i32.const 5))
(assert_trap (invoke "jump" (i32.const 4)) "indirect call type mismatch")
(assert_trap (invoke "jump" (i32.const 5)) "uninitialized element")
(assert_trap (invoke "jump" (i32.const 8)) "undefined element")

(assert_return (invoke "checked" (i32.const 5)) (i32.const 5))
(assert_trap (invoke "checked" (i32.const -5)) "host trap")
(assert_return (invoke "print" (i32.const 17)))
(assert_return (invoke "sq" (i32.const 6)) (i32.const 49))
(assert_return (invoke "countdown" (i64.const 1_000_000)) (i64.const 99))
(assert_return (invoke "after_import" (i32.const 2)) (i32.const 1009))

(assert_return (invoke "rot" (i32.const 5))
  (f64.const -2.25) (f32.const 1.5) (i64.const 75) (i32.const 5) (i32.const 9))
(assert_return (invoke "sum3" (i32.const 1)) (i32.const 321) (i32.const 1))
(assert_return (invoke "vloop" (i32.const 100000))
  (v128.const i32x4 100010 200020 300030 400040))

(assert_return (invoke "big" (i32.const 0)) (i32.const 11))
(assert_return (invoke "big" (i32.const 100000)) (i32.const 700011))
(assert_return (invoke "many") (i32.const 1006))

(assert_trap (invoke "div" (i32.const 0)) "integer divide by zero")
(assert_return (invoke "div" (i32.const 5)) (i32.const 20))
(assert_return (invoke "dead") (i32.const 25))

;; The callee's results must be the caller's.
(assert_invalid
  (module (func $f (result i64) (i64.const 1)) (func (result i32) (return_call $f)))
  "type mismatch")
(assert_invalid
  (module
    (type $t (func (result i64)))
    (table 1 funcref)
    (func (result i32) (return_call_indirect (type $t) (i32.const 0))))
  "type mismatch")
;; After a tail call the stack is polymorphic, as after `return`.
(module (func (result i32) (return_call 0) (i64.const 1) (drop)))

;; A chain that alternates between two instances: b tail-calls a through its import, a
;; tail-calls b through the shared table (a native tail call on the JIT too, once the
;; import and the element have their direct-call records).
(module $A
  (type $t (func (param i64) (result i64)))
  (table (export "t") 2 funcref)
  (func (export "a") (type $t)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 100))
      (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 1))))))
(register "A" $A)
(module
  (type $t (func (param i64) (result i64)))
  (import "A" "a" (func $a (type $t)))
  (import "A" "t" (table 2 funcref))
  (elem (i32.const 1) $b)
  (func $b (export "b") (type $t)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 200))
      (else (return_call $a (i64.sub (local.get 0) (i64.const 1)))))))
(assert_return (invoke "b" (i64.const 1_000_000)) (i64.const 200))
(assert_return (invoke "b" (i64.const 1_000_001)) (i64.const 100))

;; More results than the `tail` convention returns in registers (a return area), with
;; more arguments than it passes in registers, through both forms of tail call.
(module
  (type $wide (func (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i32)
    (result i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 f64)))
  (table 1 funcref)
  (elem (i32.const 0) $spread)
  (func $spread (type $wide)
    (if (result i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 f64) (i32.eqz (local.get 10))
      (then (local.get 9) (local.get 8) (local.get 7) (local.get 6) (local.get 5)
        (local.get 4) (local.get 3) (local.get 2) (local.get 1) (local.get 0) (f64.const 0.5))
      (else
        (i64.add (local.get 0) (i64.const 1)) (local.get 1) (local.get 2) (local.get 3)
        (local.get 4) (local.get 5) (local.get 6) (local.get 7) (local.get 8)
        (i64.add (local.get 9) (i64.const 2))
        (i32.sub (local.get 10) (i32.const 1))
        (return_call_indirect (type $wide) (i32.const 0)))))
  (func (export "spread") (param i32)
    (result i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 f64)
    (return_call $spread (i64.const 0) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4)
      (i64.const 5) (i64.const 6) (i64.const 7) (i64.const 8) (i64.const 9) (local.get 0)))
)
(assert_return (invoke "spread" (i32.const 100000))
  (i64.const 200009) (i64.const 8) (i64.const 7) (i64.const 6) (i64.const 5)
  (i64.const 4) (i64.const 3) (i64.const 2) (i64.const 1) (i64.const 100000) (f64.const 0.5))
