;; GC workload (WebAssembly 3.0 GC: struct.new, struct.get, ref.is_null): the classic
;; binary-trees benchmark. A long-lived tree of depth 12 is kept while, N times, a tree of
;; depth 14 is built and walked, then dropped: 32,767 nodes of two references each per
;; round, a small live set, and N * 32,767 allocations in all (run(600): about 20 M
;; objects, several hundred MiB allocated). The checksum is the node count of every tree
;; walked, plus the long-lived tree's at the end.
;;
;; Exports, (i32) -> i64 like every bench kernel's `run`:
;;   run(n)   n rounds; the checksum
;; Build: any wat assembler with GC enabled (the `wat` crate: wat::parse_file);
;; gc-trees.wasm beside it is that output.
(module
  (type $node (struct (field $l (ref null $node)) (field $r (ref null $node))))
  (global $keep (mut (ref null $node)) (ref.null $node))

  ;; A complete tree of depth d (a leaf at d = 0).
  (func $make (param $d i32) (result (ref $node))
    (if (result (ref $node)) (i32.eqz (local.get $d))
      (then (struct.new $node (ref.null $node) (ref.null $node)))
      (else (struct.new $node
        (call $make (i32.sub (local.get $d) (i32.const 1)))
        (call $make (i32.sub (local.get $d) (i32.const 1)))))))

  ;; Its node count.
  (func $check (param $t (ref null $node)) (result i64)
    (if (result i64) (ref.is_null (local.get $t))
      (then (i64.const 0))
      (else (i64.add (i64.const 1)
        (i64.add (call $check (struct.get $node $l (local.get $t)))
                 (call $check (struct.get $node $r (local.get $t))))))))

  (func (export "run") (param $n i32) (result i64)
    (local $sum i64)
    (global.set $keep (call $make (i32.const 12)))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $sum (i64.add (local.get $sum) (call $check (call $make (i32.const 14)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (i64.add (local.get $sum) (call $check (global.get $keep))))
)
