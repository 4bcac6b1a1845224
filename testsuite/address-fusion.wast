;; The interpreter fuses `i32.add x, c` with a following load or store of offset 0 that
;; takes the sum as its address (translate/mod.rs `take_address_add`). The sum wraps
;; modulo 2^32 as `i32.add` does; a static offset does not. And when a label lies
;; between the two, the addition must stay a separate op.

(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08")
  (data (i32.const 65528) "\f1\f2\f3\f4\f5\f6\f7\f8")
  ;; x + c wraps: 0xFFFF_FFFC + 8 = 4.
  (func (export "load-wrap") (param i32) (result i32)
    (i32.load8_u (i32.add (local.get 0) (i32.const 8))))
  (func (export "load64-wrap") (param i32) (result i64)
    (i64.load (i32.add (local.get 0) (i32.const 4))))
  ;; The same with a static offset: no wrap, an out-of-bounds access.
  (func (export "load-offset") (param i32) (result i32)
    (i32.load8_u offset=8 (local.get 0)))
  ;; Loads of every width through a fused address.
  (func (export "load16-s") (param i32) (result i32)
    (i32.load16_s (i32.add (local.get 0) (i32.const 1))))
  (func (export "load32-s") (param i32) (result i64)
    (i64.load32_s (i32.add (local.get 0) (i32.const 1))))
  ;; Stores of every width, the value a constant, a local and a computed value.
  (func (export "store-wrap") (param i32 i32) (result i64)
    (i32.store8 (i32.add (local.get 0) (i32.const 16)) (i32.const 0xAB))
    (i32.store16 (i32.add (local.get 0) (i32.const 18)) (local.get 1))
    (i32.store (i32.add (local.get 0) (i32.const 20)) (i32.mul (local.get 1) (i32.const 3)))
    (i64.load (i32.add (local.get 0) (i32.const 16))))
  (func (export "store64-wrap") (param i32 i64) (result i64)
    (i64.store (i32.add (local.get 0) (i32.const 32)) (local.get 1))
    (i64.load offset=28 (i32.const 0)))
  ;; Out of bounds at the end of memory, with and without fusion.
  (func (export "store-oob") (param i32)
    (i32.store (i32.add (local.get 0) (i32.const 65534)) (i32.const 1)))
  ;; The block's result reaches the load by a branch (not added) or by falling through
  ;; (added): the label between the addition and the load must keep them apart.
  (func (export "label-between") (param i32 i32) (result i32)
    (i32.load8_u
      (block (result i32)
        (drop (br_if 0 (local.get 0) (local.get 1)))
        (i32.add (local.get 0) (i32.const 2)))))
  ;; The addition's result also kept in a local (`local.tee`): not a temporary.
  (func (export "tee-address") (param i32) (result i32) (local i32)
    (i32.load8_u (local.tee 1 (i32.add (local.get 0) (i32.const 3))))
    (i32.add (local.get 1)))
)

(assert_return (invoke "load-wrap" (i32.const 0xFFFFFFFC)) (i32.const 5))
(assert_return (invoke "load-wrap" (i32.const 0)) (i32.const 0))
(assert_return (invoke "load64-wrap" (i32.const 0xFFFFFFFC)) (i64.const 0x0807060504030201))
(assert_trap (invoke "load-offset" (i32.const 0xFFFFFFFC)) "out of bounds memory access")
(assert_return (invoke "load16-s" (i32.const 65526)) (i32.const -3840))
(assert_return (invoke "load32-s" (i32.const 65530)) (i64.const -134810124))
(assert_trap (invoke "load32-s" (i32.const 65532)) "out of bounds memory access")
(assert_return (invoke "store-wrap" (i32.const 0xFFFFFFF0) (i32.const 0x1234)) (i64.const 0x0000369C123402AB))
(assert_return (invoke "store-wrap" (i32.const 100) (i32.const 7)) (i64.const 0x00000015000700AB))
(assert_return (invoke "store64-wrap" (i32.const 0xFFFFFFFC) (i64.const 0x1122334455667788)) (i64.const 0x1122334455667788))
(assert_trap (invoke "store-oob" (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "store-oob" (i32.const 0xFFFFFFFE)) )
(assert_return (invoke "label-between" (i32.const 1) (i32.const 1)) (i32.const 2))
;; Bytes 0..8 are now AB 02 34 12 9C 36 00 00 (written by "store-wrap").
(assert_return (invoke "label-between" (i32.const 1) (i32.const 0)) (i32.const 0x12))
(assert_return (invoke "tee-address" (i32.const 1)) (i32.const 160))
