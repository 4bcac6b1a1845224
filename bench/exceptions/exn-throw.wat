;; Exception-handling workload (final exnref proposal: `tag`, `throw`, `try_table` with
;; `catch`). Two throw-heavy kernels, in text because C cannot catch a wasm exception:
;;
;;   (a) `calls`: a recursive computation, a binary tree of calls 4 levels deep (16 leaves
;;       per tree); one leaf call in 1,000 throws $fail, caught 5 frames up by the
;;       try_table around the tree, which then counts the payload instead of the tree's sum.
;;   (b) `deep`: recursion to depth 10,000 (not tail calls), a throw at the bottom caught at
;;       the top: every throw unwinds 10,000 frames.
;;
;; Exports, all (i32) -> i64 like every bench kernel's `run`:
;;   run_calls(n)   n trees (16 n leaf calls, 16 n / 1000 throws); a checksum
;;   run_deep(n)    n deep unwinds; a checksum
;;   run(n)         run_calls(n) + run_deep(n / 1000): about equal time on both shapes
;;                  (run(100000): 1.6 M calls, 1,600 shallow throws, 100 deep unwinds)
;; Build: any wat assembler with exceptions enabled (the `wat` crate: wat::parse_file);
;; exn-throw.wasm beside it is that output.
(module
  (tag $fail (param i32))
  (memory (export "memory") 1)
  (global $leaves (mut i32) (i32.const 0))

  ;; A leaf: counts itself; every 1000th leaf throws its argument.
  (func $leaf (param $x i32) (result i32)
    (global.set $leaves (i32.add (global.get $leaves) (i32.const 1)))
    (if (i32.eqz (i32.rem_u (global.get $leaves) (i32.const 1000)))
      (then (throw $fail (local.get $x))))
    (i32.and (i32.mul (local.get $x) (i32.const 0x9e3779b1)) (i32.const 0xffff)))

  ;; tree(d, x): two subtrees of depth d - 1 (a leaf at d = 0).
  (func $tree (param $d i32) (param $x i32) (result i32)
    (if (result i32) (i32.eqz (local.get $d))
      (then (call $leaf (local.get $x)))
      (else
        (i32.add
          (call $tree (i32.sub (local.get $d) (i32.const 1))
                      (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.const 1)))
          (call $tree (i32.sub (local.get $d) (i32.const 1))
                      (i32.xor (local.get $x) (local.get $d)))))))

  ;; guarded(x): tree(4, x), or 1,000,000 + (payload & 0xfff) if a leaf threw.
  (func $guarded (param $x i32) (result i32)
    (local $payload i32)
    (block $caught (result i32)
      (try_table (result i32) (catch $fail $caught)
        (call $tree (i32.const 4) (local.get $x)))
      (return))
    (local.set $payload)
    (i32.add (i32.const 1000000) (i32.and (local.get $payload) (i32.const 0xfff))))

  (func $run_calls (export "run_calls") (param $n i32) (result i64)
    (local $i i32) (local $sum i64)
    (global.set $leaves (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (i64.add (i64.mul (local.get $sum) (i64.const 31))
                   (i64.extend_i32_u (call $guarded (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  ;; dive(d, x): d frames of non-tail recursion, then a throw of x + d's bottom value.
  (func $dive (param $d i32) (param $x i32) (result i32)
    (if (i32.eqz (local.get $d))
      (then (throw $fail (local.get $x))))
    (i32.add
      (call $dive (i32.sub (local.get $d) (i32.const 1)) (i32.add (local.get $x) (i32.const 1)))
      (i32.const 1)))

  (func $run_deep (export "run_deep") (param $n i32) (result i64)
    (local $i i32) (local $sum i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (i64.add (local.get $sum)
            (i64.extend_i32_u
              (block $caught (result i32)
                (try_table (result i32) (catch $fail $caught)
                  (call $dive (i32.const 10000) (local.get $i)))
                ;; dive never returns
                (unreachable)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  (func (export "run") (param $n i32) (result i64)
    (i64.add (call $run_calls (local.get $n))
             (call $run_deep (i32.div_u (local.get $n) (i32.const 1000))))))
