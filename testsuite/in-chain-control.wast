;; Calls, returns, globals, fuel charges and value-moving branches that the interpreter
;; runs inside its chain of handlers (interp/context.rs), with every way out of the chain:
;; a first call (not yet translated), a call to an import or another instance, a return
;; to another instance, frames with many locals and constants, results of several values,
;; branches that move more values than the packed forms hold, growing frame buffers and
;; value stacks, and traps in callees whose backtrace crosses in-chain frames.

(module $lib
  (global $counter (export "counter") (mut i32) (i32.const 0))
  (func (export "bump") (param i32) (result i32)
    (global.set $counter (i32.add (global.get $counter) (local.get 0)))
    (global.get $counter))
  (func (export "pair") (param i32) (result i32 i32)
    (local.get 0) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "trap-in-lib") (param i32) (result i32)
    (i32.div_u (i32.const 1) (local.get 0))))
(register "lib")

(module
  (import "lib" "bump" (func $bump (param i32) (result i32)))
  (import "lib" "pair" (func $pair (param i32) (result i32 i32)))
  (import "lib" "trap-in-lib" (func $trap-in-lib (param i32) (result i32)))
  (import "lib" "counter" (global $lib-counter (mut i32)))
  (global $sp (mut i32) (i32.const 65536))
  (global $acc (mut i64) (i64.const 0))
  (global $k i32 (i32.const 7))

  ;; A shadow-stack frame as clang emits it: read, lower and restore `__stack_pointer`.
  (func $framed (param i32) (result i32) (local $fp i32)
    (local.set $fp (i32.sub (global.get $sp) (i32.const 16)))
    (global.set $sp (local.get $fp))
    (local.set 0 (i32.add (local.get 0) (global.get $k)))
    (global.set $sp (i32.add (local.get $fp) (i32.const 16)))
    (local.get 0))
  (func (export "framed-loop") (param $n i32) (result i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call $framed (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (i32.add (local.get $s) (global.get $sp)))

  ;; Recursion: calls and returns inside the chain, frames beyond the first buffer.
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $depth (export "depth") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $depth (i32.sub (local.get 0) (i32.const 1)))))))

  ;; A frame with more declared locals and constants than the handler writes itself.
  (func $wide (param i64) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 20 (i64.add (local.get 0) (i64.const 11)))
    (i64.add (local.get 20)
      (i64.add (local.get 1) (i64.add (local.get 19) (i64.const 1000)))))
  (func (export "wide-loop") (param $n i32) (result i64) (local $s i64)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i64.add (local.get $s) (call $wide (i64.extend_i32_u (local.get $n)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $s))

  ;; Several results; a return of several values inside the chain.
  (func $three (param i32) (result i32 i64 i32)
    (local.get 0) (i64.extend_i32_u (i32.mul (local.get 0) (i32.const 3))) (i32.const -1))
  (func (export "three-sum") (param i32) (result i64) (local $b i64)
    (call $three (local.get 0))
    (drop)
    (local.set $b)
    (i64.extend_i32_u)
    (local.get $b)
    (i64.add)
    (global.get $acc)
    (i64.add)
    (global.set $acc)
    (global.get $acc))

  ;; Calls to another instance: the call, the callee and the return take the loop.
  (func (export "cross") (param $n i32) (result i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call $bump (local.get $n))))
        (call $pair (local.get $n))
        (i32.sub)
        (local.get $s)
        (i32.add)
        (local.set $s)
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (i32.add (local.get $s) (global.get $lib-counter)))
  (func (export "trap-across") (param i32) (result i32)
    (call $framed (call $trap-in-lib (local.get 0))))

  ;; Value-moving br_if and br_table.
  (func (export "br-if-keep") (param i32) (result i32 i64)
    (block $b (result i32 i64)
      (i32.const 5) (i64.const 6)
      (br_if $b (local.get 0))
      (drop) (drop)
      (i32.const 7) (i64.const 8)))
  (func (export "br-table-keep") (param i32) (result i32)
    (block $b2 (result i32)
      (block $b1 (result i32)
        (block $b0 (result i32)
          (i32.const 100)
          (i32.const 1)
          (i32.add (local.get 0) (i32.const 0))
          (br_table $b0 $b1 $b2))
        (i32.add (i32.const 1)) (return))
      (i32.add (i32.const 2)) (return))
    (i32.add (i32.const 3)))
  (func (export "br-table-dispatch") (param $n i32) (result i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (block $c
          (block $b
            (block $a
              (br_table $a $b $c (i32.rem_u (local.get $n) (i32.const 3))))
            (local.set $s (i32.add (local.get $s) (i32.const 1))) (br $c))
          (local.set $s (i32.add (local.get $s) (i32.const 10))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $s))

  ;; A trap deep in in-chain frames: the backtrace and the store survive it.
  (func $fault (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (unreachable))
      (else (call $fault (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "fault") (param i32) (result i32) (call $fault (local.get 0)))
)

(assert_return (invoke "framed-loop" (i32.const 1000)) (i32.const 573036))
(assert_return (invoke "fib" (i32.const 20)) (i32.const 6765))
(assert_return (invoke "depth" (i32.const 5000)) (i32.const 5000))
(assert_exhaustion (invoke "depth" (i32.const 100000000)) "call stack exhausted")
(assert_return (invoke "depth" (i32.const 100)) (i32.const 100))
(assert_return (invoke "wide-loop" (i32.const 100)) (i64.const 106150))
(assert_return (invoke "three-sum" (i32.const 5)) (i64.const 20))
(assert_return (invoke "three-sum" (i32.const 1)) (i64.const 24))
(assert_return (invoke "cross" (i32.const 10)) (i32.const 385))
(assert_trap (invoke "trap-across" (i32.const 0)) "integer divide by zero")
(assert_return (invoke "trap-across" (i32.const 1)) (i32.const 8))
(assert_return (invoke "br-if-keep" (i32.const 1)) (i32.const 5) (i64.const 6))
(assert_return (invoke "br-if-keep" (i32.const 0)) (i32.const 7) (i64.const 8))
(assert_return (invoke "br-table-keep" (i32.const 0)) (i32.const 2))
(assert_return (invoke "br-table-keep" (i32.const 1)) (i32.const 3))
(assert_return (invoke "br-table-keep" (i32.const 2)) (i32.const 4))
(assert_return (invoke "br-table-keep" (i32.const 9)) (i32.const 4))
(assert_return (invoke "br-table-dispatch" (i32.const 30)) (i32.const 110))
(assert_trap (invoke "fault" (i32.const 50)) "unreachable")
(assert_return (invoke "fib" (i32.const 10)) (i32.const 55))
