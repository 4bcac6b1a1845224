;; The interpreter's fused forms (see engine/src/interp/threaded.rs): an `and` tested by
;; a branch, `select` retargeted by `local.set`, pairs of ops threaded as one instruction
;; (copy + copy, copy + jump, add-immediate + add-immediate, add-immediate + compare-and-
;; jump) and `br_table` entries that move values. Each function computes the same result
;; as its plain reading; the JIT runs the same script.

(module
  ;; Counts the i in [0, n) with i & mask != 0 (br_if on an `and`), and with i & mask == 0
  ;; (br_if on `eqz` of an `and`), the mask a constant or a parameter.
  (func (export "and_nz_const") (param $n i32) (result i32)
    (local $i i32) (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $skip
          (br_if $skip (i32.and (local.get $i) (i32.const 5)))
          (local.set $c (i32.add (local.get $c) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $c))
  (func (export "and_z_param") (param $n i32) (param $mask i32) (result i32)
    (local $i i32) (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $skip
          (br_if $skip (i32.eqz (i32.and (local.get $mask) (local.get $i))))
          (local.set $c (i32.add (local.get $c) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $c))
  (func (export "and_if") (param $x i32) (param $m i32) (result i32)
    (if (result i32) (i32.and (local.get $x) (local.get $m))
      (then (i32.const 1))
      (else (i32.const 0))))
  (func (export "and_eqz_if") (param $x i32) (result i32)
    (if (result i32) (i32.eqz (i32.and (local.get $x) (i32.const 0x80000000)))
      (then (i32.const 10))
      (else (i32.const 20))))

  ;; select: into a local, with the local itself as an operand, with the condition just
  ;; computed, and through local.tee.
  (func (export "max_into_local") (param $a i32) (param $b i32) (result i32)
    (local $m i32)
    (local.set $m (select (local.get $a) (local.get $b) (i32.gt_s (local.get $a) (local.get $b))))
    (local.get $m))
  (func (export "select_self") (param $x i32) (param $y i32) (param $c i32) (result i32)
    (local.set $x (select (local.get $y) (local.get $x) (local.get $c)))
    (local.set $y (select (local.get $x) (local.get $y) (i32.eqz (local.get $c))))
    (i32.add (i32.mul (local.get $x) (i32.const 1000)) (local.get $y)))
  (func (export "select_tee") (param $a i64) (param $b i64) (param $c i32) (result i64)
    (local $t i64)
    (i64.add
      (local.tee $t (select (local.get $a) (local.get $b) (local.get $c)))
      (i64.mul (local.get $t) (i64.const 2))))
  (func (export "running_min") (param $n i32) (result i32)
    (local $i i32) (local $m i32) (local $v i32)
    (local.set $m (i32.const 0x7fffffff))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (i32.rem_u (i32.mul (i32.add (local.get $i) (i32.const 7)) (i32.const 2654435761)) (i32.const 1000)))
        (local.set $m (select (local.get $v) (local.get $m) (i32.lt_u (local.get $v) (local.get $m))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $m))

  ;; Copies in a row (a rotation through locals; the second reads what the first wrote)
  ;; and a copy before a loop's back edge: Fibonacci numbers.
  (func (export "fib_rotate") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a))
  (func (export "copy_chain") (param $x i32) (param $y i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32)
    (local.set $a (local.get $x))
    (local.set $b (local.get $a))
    (local.set $c (local.get $b))
    (local.set $a (local.get $y))
    (i32.add (i32.mul (local.get $c) (i32.const 100))
      (i32.add (i32.mul (local.get $b) (i32.const 10)) (local.get $a))))

  ;; Add-immediate pairs: two counters, the second reading the first, and counters tested
  ;; by the compare-and-jump after them (against a slot, an immediate, signed and
  ;; unsigned, with the sum as either operand).
  (func (export "two_counters") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $k i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (local.set $k (i32.add (local.get $i) (i32.const -3)))
        (br $next)))
    (i32.add (i32.mul (local.get $j) (i32.const 1000)) (local.get $k)))
  (func (export "count_up_ne") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (br_if $next (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s))
  (func (export "count_down_imm") (param $n i32) (result i32)
    (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s) (i32.const 3)))
      (br_if $next (i32.gt_s (local.tee $n (i32.add (local.get $n) (i32.const -1))) (i32.const 0))))
    (local.get $s))
  (func (export "count_swapped") (param $n i32) (result i32)
    (local $i i32)
    (loop $next
      (br_if $next (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 2))) (local.get $n))))
    (loop $again
      (br_if $again (i32.gt_u (local.get $n) (local.tee $i (i32.add (local.get $i) (i32.const 1))))))
    (local.get $i))
  (func (export "count_unsigned_wrap") (param $start i32) (result i32)
    (local $c i32)
    (loop $next
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $next (i32.lt_u (local.tee $start (i32.add (local.get $start) (i32.const 0x40000000))) (i32.const 0xc0000000))))
    (local.get $c))
  (func (export "count_and") (param $x i32) (result i32)
    (local $c i32)
    (loop $next
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $next (i32.and (local.tee $x (i32.add (local.get $x) (i32.const 1))) (i32.const 7))))
    (local.get $c))

  ;; Counters stepped by a variable and tested by the compare-and-jump after the add
  ;; (i32 against a slot or an immediate, i64 with the sum as the second operand).
  (func (export "step_i32") (param $n i32) (param $step i32) (result i32)
    (local $i i32) (local $c i32)
    (loop $next
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $next (i32.lt_s (local.tee $i (i32.add (local.get $i) (local.get $step))) (local.get $n))))
    (i32.add (i32.mul (local.get $c) (i32.const 1000)) (local.get $i)))
  (func (export "step_i32_imm") (param $step i32) (result i32)
    (local $i i32) (local $c i32)
    (loop $next
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $next (i32.ne (local.tee $i (i32.add (local.get $i) (local.get $step))) (i32.const 60))))
    (i32.add (i32.mul (local.get $c) (i32.const 1000)) (local.get $i)))
  (func (export "step_i64") (param $n i64) (param $step i64) (result i64)
    (local $i i64) (local $c i64)
    (loop $next
      (local.set $c (i64.add (local.get $c) (i64.const 1)))
      (br_if $next (i64.gt_u (local.get $n) (local.tee $i (i64.add (local.get $step) (local.get $i))))))
    (i64.add (i64.mul (local.get $c) (i64.const 1000)) (local.get $i)))

  ;; Other operators whose result the next compare-and-jump tests.
  (func (export "mask_eq") (param $x i32) (param $m i32) (param $want i32) (result i32)
    (if (result i32) (i32.eq (i32.and (local.get $x) (local.get $m)) (local.get $want))
      (then (i32.const 1)) (else (i32.const 0))))
  (func (export "gap_lt") (param $a i32) (param $b i32) (result i32)
    (if (result i32) (i32.lt_u (i32.sub (local.get $a) (local.get $b)) (i32.const 10))
      (then (i32.const 1)) (else (i32.const 0))))
  (func (export "xor_or_ne") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (local $r i32)
    (block $x
      (br_if $x (i32.ne (local.get $c) (i32.xor (local.get $a) (local.get $b))))
      (local.set $r (i32.const 1)))
    (block $o
      (br_if $o (i32.gt_s (i32.or (local.get $a) (local.get $b)) (local.get $c)))
      (local.set $r (i32.add (local.get $r) (i32.const 10))))
    (local.get $r))
  (func (export "diff64_ge") (param $a i64) (param $b i64) (param $c i64) (result i32)
    (if (result i32) (i64.ge_s (i64.sub (local.get $a) (local.get $b)) (local.get $c))
      (then (i32.const 1)) (else (i32.const 0))))

  ;; Add-immediates tested for zero, and stored (a counter kept in memory; the store may
  ;; trap after the add).
  (func (export "count_down_nz") (param $n i32) (result i32)
    (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (br_if $next (local.tee $n (i32.add (local.get $n) (i32.const -1)))))
    (local.get $s))
  (func (export "count_down_z") (param $n i32) (result i32)
    (local $s i32)
    (block $done
      (loop $next
        (local.set $s (i32.add (local.get $s) (i32.const 2)))
        (br_if $done (i32.eqz (local.tee $n (i32.add (local.get $n) (i32.const -1)))))
        (br $next)))
    (local.get $s))
  (func (export "counter_in_memory") (param $n i32) (result i32)
    (local $c i32)
    (i32.store (i32.const 32) (i32.const 0))
    (loop $next
      (i32.store (i32.const 32) (local.tee $c (i32.add (i32.load (i32.const 32)) (i32.const 3))))
      (br_if $next (i32.lt_u (local.get $c) (local.get $n))))
    (i32.load (i32.const 32)))
  (func (export "counter_store_oob") (param $at i32) (result i32)
    (local $c i32)
    (i32.store (local.get $at) (local.tee $c (i32.add (local.get $c) (i32.const 1))))
    (local.get $c))

  ;; Loads whose value the next compare-and-jump tests (a trap is the load's).
  (data (i32.const 64) "hello, world\00")
  (data (i32.const 96) "\fe\ff\10\00\00\00\00\80")
  (func (export "strlen64") (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u offset=64 (local.get $n))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))
  (func (export "index_of_comma") (result i32)
    (local $n i32)
    (loop $next
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $next (i32.ne (i32.load8_u offset=63 (local.get $n)) (i32.const 0x2c))))
    (i32.sub (local.get $n) (i32.const 1)))
  (func (export "load16s_lt") (param $p i32) (param $lim i32) (result i32)
    (if (result i32) (i32.lt_s (i32.load16_s (local.get $p)) (local.get $lim))
      (then (i32.const 1)) (else (i32.const 0))))
  (func (export "load_gt_u") (param $p i32) (param $lim i32) (result i32)
    (if (result i32) (i32.gt_u (local.get $lim) (i32.load (local.get $p)))
      (then (i32.const 1)) (else (i32.const 0))))
  (func (export "load_nz") (param $p i32) (result i32)
    (if (result i32) (i32.load (local.get $p))
      (then (i32.const 1)) (else (i32.const 0))))

  ;; br_table: a VM-style dispatch loop (the index just loaded from memory) whose entries
  ;; continue at targets with and without values to move.
  (memory 1)
  (data (i32.const 0) "\01\02\01\03\00\02\02\01\04\03\05")
  (func (export "dispatch") (param $len i32) (result i32)
    (local $pc i32) (local $acc i32)
    (block $end
      (loop $step
        (br_if $end (i32.ge_u (local.get $pc) (local.get $len)))
        (block $next
          (block $default
            (block $four
              (block $three
                (block $two
                  (block $one
                    (block $zero
                      (br_table $zero $one $two $three $four $default
                        (i32.load8_u (local.get $pc))))
                    (local.set $acc (i32.add (local.get $acc) (i32.const 1000)))
                    (br $next))
                  (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
                  (br $next))
                (local.set $acc (i32.mul (local.get $acc) (i32.const 2)))
                (br $next))
              (local.set $acc (i32.sub (local.get $acc) (i32.const 5)))
              (br $next))
            (local.set $acc (i32.add (local.get $acc) (i32.const 7)))
            (br $next))
          (local.set $acc (i32.const 100)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (br $step)))
    (local.get $acc))
  (func (export "table_values") (param $i i32) (param $v i64) (result i64)
    (block $a (result i64)
      (block $b (result i64)
        (block $c (result i64)
          (br_table $a $b $c $b (i64.add (local.get $v) (i64.const 1)) (local.get $i)))
        (return (i64.mul (i64.const 3))))
      (return (i64.sub (i64.const 0))))
    (i64.add (i64.const 1000000)))
)

(assert_return (invoke "and_nz_const" (i32.const 100)) (i32.const 26))
(assert_return (invoke "and_z_param" (i32.const 100) (i32.const 3)) (i32.const 75))
(assert_return (invoke "and_z_param" (i32.const 100) (i32.const 0)) (i32.const 0))
(assert_return (invoke "and_if" (i32.const 6) (i32.const 1)) (i32.const 0))
(assert_return (invoke "and_if" (i32.const 6) (i32.const 2)) (i32.const 1))
(assert_return (invoke "and_eqz_if" (i32.const 1)) (i32.const 10))
(assert_return (invoke "and_eqz_if" (i32.const -1)) (i32.const 20))

(assert_return (invoke "max_into_local" (i32.const 3) (i32.const -9)) (i32.const 3))
(assert_return (invoke "max_into_local" (i32.const -3) (i32.const 9)) (i32.const 9))
(assert_return (invoke "select_self" (i32.const 1) (i32.const 2) (i32.const 1)) (i32.const 2002))
(assert_return (invoke "select_self" (i32.const 1) (i32.const 2) (i32.const 0)) (i32.const 1001))
(assert_return (invoke "select_tee" (i64.const 5) (i64.const 7) (i32.const 1)) (i64.const 15))
(assert_return (invoke "select_tee" (i64.const 5) (i64.const 7) (i32.const 0)) (i64.const 21))
(assert_return (invoke "running_min" (i32.const 1000)) (i32.const 1))
(assert_return (invoke "running_min" (i32.const 3)) (i32.const 143))

(assert_return (invoke "fib_rotate" (i32.const 0)) (i64.const 0))
(assert_return (invoke "fib_rotate" (i32.const 10)) (i64.const 55))
(assert_return (invoke "fib_rotate" (i32.const 90)) (i64.const 2880067194370816120))
(assert_return (invoke "copy_chain" (i32.const 3) (i32.const 4)) (i32.const 334))

(assert_return (invoke "two_counters" (i32.const 10)) (i32.const 40007))
(assert_return (invoke "count_up_ne" (i32.const 10)) (i32.const 45))
(assert_return (invoke "count_down_imm" (i32.const 5)) (i32.const 15))
(assert_return (invoke "count_down_imm" (i32.const -5)) (i32.const 3))
(assert_return (invoke "count_swapped" (i32.const 9)) (i32.const 11))
(assert_return (invoke "count_unsigned_wrap" (i32.const 0)) (i32.const 3))
(assert_return (invoke "count_and" (i32.const 0)) (i32.const 8))
(assert_return (invoke "count_and" (i32.const 5)) (i32.const 3))

(assert_return (invoke "step_i32" (i32.const 100) (i32.const 7)) (i32.const 15105))
(assert_return (invoke "step_i32" (i32.const -100) (i32.const -7)) (i32.const 993))
(assert_return (invoke "step_i32_imm" (i32.const 6)) (i32.const 10060))
(assert_return (invoke "step_i64" (i64.const 100) (i64.const 7)) (i64.const 15105))
(assert_return (invoke "step_i64" (i64.const 1) (i64.const -1)) (i64.const 999))
(assert_return (invoke "mask_eq" (i32.const 0xab) (i32.const 0x0f) (i32.const 0x0b)) (i32.const 1))
(assert_return (invoke "mask_eq" (i32.const 0xab) (i32.const 0xf0) (i32.const 0x0b)) (i32.const 0))
(assert_return (invoke "gap_lt" (i32.const 15) (i32.const 6)) (i32.const 1))
(assert_return (invoke "gap_lt" (i32.const 6) (i32.const 15)) (i32.const 0))
(assert_return (invoke "xor_or_ne" (i32.const 6) (i32.const 3) (i32.const 5)) (i32.const 1))
(assert_return (invoke "xor_or_ne" (i32.const 6) (i32.const 3) (i32.const 7)) (i32.const 10))
(assert_return (invoke "xor_or_ne" (i32.const -1) (i32.const 3) (i32.const 4)) (i32.const 10))
(assert_return (invoke "diff64_ge" (i64.const 5) (i64.const 9) (i64.const -4)) (i32.const 1))
(assert_return (invoke "diff64_ge" (i64.const 5) (i64.const 9) (i64.const -3)) (i32.const 0))
(assert_return (invoke "strlen64") (i32.const 12))
(assert_return (invoke "index_of_comma") (i32.const 5))
(assert_return (invoke "load16s_lt" (i32.const 96) (i32.const -1)) (i32.const 1))
(assert_return (invoke "load16s_lt" (i32.const 96) (i32.const -2)) (i32.const 0))
(assert_return (invoke "load_gt_u" (i32.const 96) (i32.const 0x10fffe)) (i32.const 0))
(assert_return (invoke "load_gt_u" (i32.const 96) (i32.const 0x10ffff)) (i32.const 1))
(assert_return (invoke "load_nz" (i32.const 100)) (i32.const 1))
(assert_return (invoke "load_nz" (i32.const 65532)) (i32.const 0))
(assert_trap (invoke "load_nz" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "count_down_nz" (i32.const 10)) (i32.const 55))
(assert_return (invoke "count_down_z" (i32.const 4)) (i32.const 8))
(assert_return (invoke "counter_in_memory" (i32.const 100)) (i32.const 102))
(assert_return (invoke "counter_store_oob" (i32.const 65532)) (i32.const 1))
(assert_trap (invoke "counter_store_oob" (i32.const 65533)) "out of bounds memory access")

(assert_return (invoke "dispatch" (i32.const 11)) (i32.const 100))
(assert_return (invoke "dispatch" (i32.const 4)) (i32.const -2))
(assert_return (invoke "table_values" (i32.const 0) (i64.const 5)) (i64.const 1000006))
(assert_return (invoke "table_values" (i32.const 1) (i64.const 5)) (i64.const 6))
(assert_return (invoke "table_values" (i32.const 2) (i64.const 5)) (i64.const 18))
(assert_return (invoke "table_values" (i32.const 3) (i64.const 5)) (i64.const 6))
(assert_return (invoke "table_values" (i32.const 99) (i64.const 5)) (i64.const 6))
