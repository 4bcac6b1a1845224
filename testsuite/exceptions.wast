;; features: exceptions tail-call
;; Exception handling beyond the proposal's scripts: unwinding through many frames and
;; through `call_indirect`, payloads of every type (v128 and several values included),
;; `catch_ref` + `throw_ref` keeping the exception's identity, handlers in loops, tags
;; across instances (identity, not type, matches), a tail call leaving its frame's
;; handlers behind, and exceptions crossing host frames both ways (a host function
;; throwing into wasm, wasm throwing through a host function that called back into it).

(module $lib
  (tag $e (export "e") (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0)))
)
(register "lib" $lib)

(module
  (import "lib" "e" (tag $imported (param i32)))
  (import "lib" "throw" (func $lib_throw (param i32)))
  (import "wasmscope" "host_tag" (tag $host (param i32)))
  (import "wasmscope" "throw_i32" (func $host_throw (param i32)))
  (import "wasmscope" "call_i32" (func $host_call (param funcref i32) (result i32)))
  (tag $local (param i32))
  (tag $same_type (param i32))
  (tag $many (param i32 i64 f32 f64 v128))
  (tag $empty)
  (table funcref (elem $deep $thrower))
  (elem declare func $throw_local $throw_host $throw_lib)

  ;; Recursion `n` deep, then a throw of `n0`'s payload from the bottom.
  (func $deep (param $n i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (throw $local (i32.const 77))))
    (i32.add (call $deep (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
  (func $thrower (param i32) (result i32) (throw $local (local.get 0)))

  (func (export "deep") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $local $h)
        (call $deep (local.get 0))))
    (i32.add (i32.const 1000)))

  (func (export "deep-indirect") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $local $h)
        (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0))))
    (i32.add (i32.const 2000)))

  ;; Only the handler of the right tag catches: the inner one is for another tag of
  ;; the same type.
  (func (export "tag-identity") (result i32)
    (block $outer (result i32)
      (block $inner (result i32)
        (try_table (result i32) (catch $local $outer)
          (try_table (result i32) (catch $same_type $inner)
            (throw $local (i32.const 5)))))
      (i32.add (i32.const 100)))
    (return))

  ;; An imported tag is the exporter's: the exporter's throw is caught by it.
  (func (export "imported-tag") (result i32)
    (block $h (result i32)
      (try_table (catch $imported $h) (call $lib_throw (i32.const 9)))
      (i32.const -1)))

  ;; All the payload's types arrive intact.
  (func (export "many") (result i32 i64 f32 f64 v128)
    (block $h (result i32 i64 f32 f64 v128)
      (try_table (catch $many $h)
        (throw $many (i32.const -1) (i64.const 0x123456789abcdef0) (f32.const 1.5) (f64.const -2.25)
          (v128.const i32x4 1 2 3 4)))
      (unreachable)))

  ;; `catch_ref` then `throw_ref`: the outer handler sees the same exception (payload).
  (func (export "rethrow") (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $local $outer)
        (block $inner (result i32 exnref)
          (try_table (catch_ref $local $inner) (throw $local (i32.const 33)))
          (unreachable))
        (throw_ref)))
    (i32.add (i32.const 1)))

  ;; `catch_all_ref` keeps an exception to throw later, after other throws were caught.
  (func (export "keep-and-throw-later") (result i32)
    (local $kept exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $local (i32.const 44)))
      (unreachable))
    (local.set $kept)
    (block $h2
      (try_table (catch_all $h2) (throw $local (i32.const 1))))
    (block $h3 (result i32)
      (try_table (catch $local $h3) (throw_ref (local.get $kept)))
      (i32.const -1)))

  ;; A handler in a loop: each iteration throws and catches; the catch goes on at the
  ;; loop's end (a branch out of the try_table).
  (func (export "loop") (param $n i32) (result i32)
    (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $local $h) (throw $local (local.get $n)))
        (unreachable))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))

  ;; A catch clause that branches to a loop's label restarts the loop with the payload
  ;; as its parameter.
  (func (export "catch-to-loop") (result i32)
    (local $i i32)
    (i32.const 0)
    (loop $l (param i32) (result i32)
      (local.set $i (i32.add (i32.const 1)))
      (if (i32.ge_u (local.get $i) (i32.const 10))
        (then (return (local.get $i))))
      (try_table (catch $local $l) (throw $local (local.get $i)))
      (unreachable))
    (drop) (i32.const -1))

  ;; A tail call leaves the frame and its handlers: the exception goes to the caller.
  (func $tail_thrower (result i32)
    (block $h
      (try_table (catch_all $h) (return_call $thrower (i32.const 3))))
    (i32.const -5))
  (func (export "tail-call-leaves-handlers") (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $local $h) (call $tail_thrower)))
    (i32.add (i32.const 10)))

  ;; An empty payload, and catch_all.
  (func (export "empty") (result i32)
    (block $h
      (try_table (catch_all $h) (throw $empty)))
    (i32.const 1))

  ;; Uncaught: the embedder gets the exception.
  (func (export "uncaught") (param i32) (result i32) (call $deep (local.get 0)))
  (func (export "uncaught-host") (call $host_throw (i32.const 8)))

  ;; A host function's exception is caught in wasm, by the host tag.
  (func (export "host-throw") (result i32)
    (block $h (result i32)
      (try_table (catch $host $h) (call $host_throw (i32.const 21)))
      (i32.const -1)))

  ;; Wasm -> host -> wasm: the inner wasm throws, the exception passes through the host
  ;; frame and is caught by the outer wasm.
  (func $throw_local (param i32) (result i32) (throw $local (local.get 0)))
  (func $throw_host (param i32) (result i32) (call $host_throw (local.get 0)) (i32.const -1))
  (func $throw_lib (param i32) (result i32) (call $lib_throw (local.get 0)) (i32.const -1))
  (func (export "through-host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $local $h)
        (call $host_call (ref.func $throw_local) (local.get 0))))
    (i32.add (i32.const 500)))
  (func (export "host-through-host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $host $h)
        (call $host_call (ref.func $throw_host) (local.get 0))))
    (i32.add (i32.const 600)))
  (func (export "through-host-uncaught") (param i32) (result i32)
    (call $host_call (ref.func $throw_lib) (local.get 0)))
  ;; No exception: the host call returns normally inside the try_table.
  (func $plain (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (elem declare func $plain)
  (func (export "no-exception") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $local $h) (call $host_call (ref.func $plain) (local.get 0))))
    (i32.add (i32.const 1)))

  ;; A null exnref traps.
  (func (export "throw-null") (throw_ref (ref.null exn)))
)

(assert_return (invoke "deep" (i32.const 0)) (i32.const 1077))
(assert_return (invoke "deep" (i32.const 5000)) (i32.const 1077))
(assert_return (invoke "deep-indirect" (i32.const 12)) (i32.const 2077))
(assert_return (invoke "tag-identity") (i32.const 5))
(assert_return (invoke "imported-tag") (i32.const 9))
(assert_return (invoke "many")
  (i32.const -1) (i64.const 0x123456789abcdef0) (f32.const 1.5) (f64.const -2.25) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "rethrow") (i32.const 34))
(assert_return (invoke "keep-and-throw-later") (i32.const 44))
(assert_return (invoke "loop" (i32.const 100)) (i32.const 5050))
(assert_return (invoke "loop" (i32.const 100000)) (i32.const 705082704))
(assert_return (invoke "catch-to-loop") (i32.const 10))
(assert_return (invoke "tail-call-leaves-handlers") (i32.const 13))
(assert_return (invoke "empty") (i32.const 1))
(assert_exception (invoke "uncaught" (i32.const 10)))
(assert_exception (invoke "uncaught-host"))
(assert_return (invoke "host-throw") (i32.const 21))
(assert_return (invoke "through-host" (i32.const 7)) (i32.const 507))
(assert_return (invoke "host-through-host" (i32.const 7)) (i32.const 607))
(assert_exception (invoke "through-host-uncaught" (i32.const 7)))
(assert_return (invoke "no-exception" (i32.const 20)) (i32.const 41))
(assert_trap (invoke "throw-null") "null reference")

;; Two instances of one module have distinct tags: one's handler does not catch the
;; other's exception.
(module $twin
  (tag $t (export "t") (param i32))
  (func (export "throw") (param i32) (throw $t (local.get 0)))
)
(register "twin1" $twin)
(module $twin2
  (tag $t (export "t") (param i32))
  (func (export "throw") (param i32) (throw $t (local.get 0)))
)
(register "twin2" $twin2)
(module
  (import "twin1" "throw" (func $throw1 (param i32)))
  (import "twin2" "throw" (func $throw2 (param i32)))
  (import "twin1" "t" (tag $t1 (param i32)))
  (func (export "own") (result i32)
    (block $h (result i32)
      (try_table (catch $t1 $h) (call $throw1 (i32.const 1)))
      (i32.const -1)))
  (func (export "other") (result i32)
    (block $h (result i32)
      (try_table (catch $t1 $h) (call $throw2 (i32.const 2)))
      (i32.const -1)))
)
(assert_return (invoke "own") (i32.const 1))
(assert_exception (invoke "other"))

;; JIT-specific shapes: values live across calls inside a try_table, locals changed
;; between calls, callees with stack arguments, handlers that throw again, nested
;; try_tables in one function, call_indirect into another instance (the native fast
;; path) caught by an imported tag, a tail call inside a try_table to a defined function.
(module $lib2
  (tag $e (export "e") (param i32 i64))
  (func $thrower (export "thrower") (param i32) (result i32)
    (throw $e (local.get 0) (i64.extend_i32_s (local.get 0))))
  (table (export "tab") funcref (elem $thrower))
)
(register "lib2" $lib2)
(module
  (import "lib2" "e" (tag $e (param i32 i64)))
  (import "lib2" "tab" (table $ext 1 funcref))
  (tag $t (param i32))
  (tag $u (param f64 i32))
  (type $ii (func (param i32) (result i32)))
  (table $own funcref (elem $many $throw_if $plain))

  (func $throw_if (param i32) (result i32)
    (if (i32.lt_s (local.get 0) (i32.const 0)) (then (throw $t (local.get 0))))
    (local.get 0))
  (func $plain (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  ;; Ten parameters: stack arguments under `tail`; throws their sum.
  (func $many (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    (throw $t (i32.add (local.get 0) (i32.add (local.get 1) (i32.add (local.get 2)
      (i32.add (local.get 3) (i32.add (local.get 4) (i32.add (local.get 5) (i32.add (local.get 6)
      (i32.add (local.get 7) (i32.add (local.get 8) (local.get 9))))))))))))

  ;; A value below the block and a local changed between two calls survive the catch.
  (func (export "live") (param $x i32) (result i32)
    (local $l i32)
    (i32.const 1000)
    (block $h (result i32)
      (try_table (result i32) (catch $t $h)
        (local.set $l (i32.const 7))
        (drop (call $throw_if (i32.const 5)))
        (local.set $l (i32.add (local.get $l) (local.get $x)))
        (call $throw_if (i32.sub (i32.const 0) (local.get $x)))))
    (i32.add)
    (i32.add (local.get $l)))

  (func (export "stack-args") (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $t $h)
        (call $many (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5)
          (i32.const 6) (i32.const 7) (i32.const 8) (i32.const 9) (i32.const 10))))
    (i32.add (i32.const 100)))

  ;; The inner handler throws another exception, caught by the outer try_table of the
  ;; same function; the outer clause list has several kinds.
  (func (export "rethrow-other") (param i32) (result f64 i32)
    (block $all
      (block $outer (result f64 i32)
        (try_table (result f64 i32) (catch $u $outer) (catch_all $all)
          (block $inner (result i32)
            (try_table (catch $t $inner) (drop (call $throw_if (local.get 0))))
            (return (f64.const 0) (i32.const 0)))
          (f64.convert_i32_s)
          (throw $u (i32.const 9))))
      (return))
    (f64.const -1) (i32.const -1))

  ;; Through call_indirect into another instance (its code reached natively once the
  ;; libcall recorded it), caught by the exporter's tag.
  (func (export "cross-instance") (param i32) (result i32 i64)
    (local $i i32)
    (block $h (result i32 i64)
      (try_table (catch $e $h)
        (loop $again
          (drop (call_indirect $ext (type $ii) (local.get 0) (i32.const 0)))
          (br $again)))
      (unreachable)))

  ;; call_indirect's own-table fast path inside a try_table: a normal return, then a
  ;; throw caught by catch_all_ref.
  (func (export "indirect") (param i32 i32) (result i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h)
        (return (call_indirect $own (type $ii) (local.get 0) (local.get 1))))
      (unreachable))
    (drop) (i32.const -1))

  ;; A tail call of a defined function inside a try_table: its throw skips this frame.
  (func $tail (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $t $h) (return_call $throw_if (local.get 0))))
    (i32.const -77) (i32.add))
  (func (export "tail-defined") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $t $h) (call $tail (local.get 0))))
    (i32.add (i32.const 3000)))
)
(assert_return (invoke "live" (i32.const 3)) (i32.const 1007))
(assert_return (invoke "live" (i32.const -2)) (i32.const 1007))
(assert_return (invoke "stack-args") (i32.const 155))
(assert_return (invoke "rethrow-other" (i32.const -4)) (f64.const -4) (i32.const 9))
(assert_return (invoke "rethrow-other" (i32.const 4)) (f64.const 0) (i32.const 0))
(assert_return (invoke "cross-instance" (i32.const 6)) (i32.const 6) (i64.const 6))
(assert_return (invoke "cross-instance" (i32.const -8)) (i32.const -8) (i64.const -8))
(assert_return (invoke "indirect" (i32.const 41) (i32.const 2)) (i32.const 42))
(assert_return (invoke "indirect" (i32.const -1) (i32.const 1)) (i32.const -1))
(assert_return (invoke "indirect" (i32.const 5) (i32.const 1)) (i32.const 5))
(assert_return (invoke "indirect" (i32.const -1) (i32.const 1)) (i32.const -1))
(assert_return (invoke "tail-defined" (i32.const -5)) (i32.const 2995))
(assert_return (invoke "tail-defined" (i32.const 5)) (i32.const 3005))
