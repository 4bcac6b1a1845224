;; The interpreter fuses `i32.shl i, k` (k a constant) with the `i32.add` that reads it,
;; and that sum with a following load or store of offset 0 (translate/mod.rs
;; `fuse_shl_add`, `take_address_add`): array indexing as clang emits it. The sum and the
;; shift wrap modulo 2^32; shifts above 3 keep the add but not the access; either operand
;; order fuses; a label between the ops, or a non-constant shift, keeps them apart. An
;; `i32.add` of two values feeding a load or store (any static offset) fuses too: the sum
;; wraps, the offset is added after it without wrapping.

(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
  (data (i32.const 65528) "\f1\f2\f3\f4\f5\f6\f7\f8")
  ;; a[i] for every element size, base first.
  (func (export "u8") (param i32 i32) (result i32)
    (i32.load8_u (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 0)))))
  (func (export "s16") (param i32 i32) (result i32)
    (i32.load16_s (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 1)))))
  (func (export "u32") (param i32 i32) (result i32)
    (i32.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
  (func (export "u64") (param i32 i32) (result i64)
    (i64.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 3)))))
  (func (export "s8-64") (param i32 i32) (result i64)
    (i64.load8_s (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 0)))))
  (func (export "s16-64") (param i32 i32) (result i64)
    (i64.load16_s (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 1)))))
  (func (export "s32-64") (param i32 i32) (result i64)
    (i64.load32_s (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
  (func (export "s8") (param i32 i32) (result i32)
    (i32.load8_s (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 0)))))
  (func (export "f64") (param i32 i32) (result f64)
    (f64.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 3)))))
  ;; Index first.
  (func (export "u32-swapped") (param i32 i32) (result i32)
    (i32.load (i32.add (i32.shl (local.get 1) (i32.const 2)) (local.get 0))))
  ;; A computed base and a computed index in temporaries.
  (func (export "u32-computed") (param i32 i32) (result i32)
    (i32.load (i32.add (i32.sub (local.get 0) (local.get 1))
                       (i32.shl (i32.add (local.get 1) (i32.const 1)) (i32.const 2)))))
  ;; The same local as base and index.
  (func (export "self") (param i32) (result i32)
    (i32.load8_u (i32.add (local.get 0) (i32.shl (local.get 0) (i32.const 1)))))
  ;; A shift above 3 (fused add only) and a shift count that wraps (35 = 3).
  (func (export "shift4") (param i32 i32) (result i32)
    (i32.load8_u (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 4)))))
  (func (export "shift35") (param i32 i32) (result i32)
    (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 35))))
  ;; A shift by a variable: no fusion.
  (func (export "shift-var") (param i32 i32 i32) (result i32)
    (i32.add (local.get 0) (i32.shl (local.get 1) (local.get 2))))
  ;; The sum wraps: 0xFFFF_FFF0 + (4 << 2) = 0.
  (func (export "wrap") (param i32 i32) (result i32)
    (i32.load8_u (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
  ;; A store of every width; the value a local, a constant and a computed value.
  (func (export "stores") (param i32 i32 i64) (result i64)
    (i64.store8 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 0))) (local.get 2))
    (i32.store16 (i32.add (local.get 0) (i32.shl (i32.add (local.get 1) (i32.const 1)) (i32.const 1)))
      (i32.const 0x7777))
    (i32.store (i32.add (local.get 0) (i32.shl (i32.add (local.get 1) (i32.const 1)) (i32.const 2)))
      (i32.wrap_i64 (i64.mul (local.get 2) (i64.const 3))))
    (i64.store (i32.add (local.get 0) (i32.shl (i32.add (local.get 1) (i32.const 1)) (i32.const 3)))
      (local.get 2))
    (i64.add (i64.load (i32.add (local.get 0) (i32.const 0)))
             (i64.load (i32.add (local.get 0) (i32.const 8)))))
  ;; `a + b` (and `a + (i << k)`) with a static offset.
  (func (export "add-offset") (param i32 i32) (result i32)
    (i32.load8_u offset=4 (i32.add (local.get 0) (local.get 1))))
  (func (export "shl-offset") (param i32 i32) (result i64)
    (i64.load32_u offset=2 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
  (func (export "add-store-offset") (param i32 i32 i32) (result i32)
    (i32.store16 offset=6 (i32.add (local.get 0) (local.get 1)) (local.get 2))
    (i32.load16_u offset=6 (i32.add (local.get 1) (local.get 0))))
  ;; A label between the shift and the add: the block's end is a branch target.
  (func (export "label-between") (param i32 i32) (result i32)
    (i32.load
      (i32.add (local.get 0)
        (block (result i32)
          (i32.shl (local.get 1) (i32.const 2))
          (br_if 0 (i32.const 1))))))
  ;; The index is changed after the shift by a tee in the base operand: the sum uses
  ;; the index as it was.
  (func (export "tee-after") (param i32) (result i32) (local i32)
    (local.set 1 (i32.const 1))
    (i32.add (i32.shl (local.get 1) (i32.const 2)) (local.tee 1 (local.get 0))))
)

(assert_return (invoke "u8" (i32.const 2) (i32.const 3)) (i32.const 6))
(assert_return (invoke "s16" (i32.const 0) (i32.const 1)) (i32.const 0x0403))
(assert_return (invoke "u32" (i32.const 0) (i32.const 1)) (i32.const 0x08070605))
(assert_return (invoke "u64" (i32.const 0) (i32.const 1)) (i64.const 0x100f0e0d0c0b0a09))
(assert_return (invoke "s8-64" (i32.const 65528) (i32.const 1)) (i64.const -14))
(assert_return (invoke "s16-64" (i32.const 65528) (i32.const 1)) (i64.const -2829))
(assert_return (invoke "s32-64" (i32.const 65528) (i32.const 1)) (i64.const -117967115))
(assert_return (invoke "s8" (i32.const 65528) (i32.const 0)) (i32.const -15))
(assert_return (invoke "f64" (i32.const 0) (i32.const 0)) (f64.const 0x1.7060504030201p-895))
(assert_return (invoke "u32-swapped" (i32.const 4) (i32.const 1)) (i32.const 0x0c0b0a09))
(assert_return (invoke "u32-computed" (i32.const 5) (i32.const 1)) (i32.const 0x100f0e0d))
(assert_return (invoke "self" (i32.const 3)) (i32.const 10))
(assert_return (invoke "shift4" (i32.const 1) (i32.const 0)) (i32.const 2))
(assert_return (invoke "shift35" (i32.const 1) (i32.const 2)) (i32.const 17))
(assert_return (invoke "shift-var" (i32.const 1) (i32.const 2) (i32.const 3)) (i32.const 17))
(assert_return (invoke "wrap" (i32.const 0xFFFFFFF0) (i32.const 4)) (i32.const 1))
(assert_trap (invoke "u32" (i32.const 65532) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "u64" (i32.const 65528) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "stores" (i32.const 65528) (i32.const 0) (i64.const 1)) "out of bounds memory access")
(assert_return (invoke "stores" (i32.const 256) (i32.const 0) (i64.const 0x11))
  (i64.const 0x3377770022))
(assert_return (invoke "label-between" (i32.const 0) (i32.const 2)) (i32.const 0x0c0b0a09))
(assert_return (invoke "tee-after" (i32.const 100)) (i32.const 104))
(assert_return (invoke "add-offset" (i32.const 1) (i32.const 2)) (i32.const 8))
;; The sum wraps to 0x10 (then + 4): byte 0x14 is zero.
(assert_return (invoke "add-offset" (i32.const 0xFFFFFFF0) (i32.const 0x20)) (i32.const 0))
;; The offset does not wrap: 0xFFFFFFFC + 4 is out of bounds.
(assert_trap (invoke "add-offset" (i32.const 0xFFFFFFF0) (i32.const 0xC)) "out of bounds memory access")
(assert_return (invoke "shl-offset" (i32.const 0) (i32.const 1)) (i64.const 0x0a090807))
(assert_return (invoke "add-store-offset" (i32.const 300) (i32.const 4) (i32.const 0x1234)) (i32.const 0x1234))
(assert_trap (invoke "add-store-offset" (i32.const 65530) (i32.const 0) (i32.const 1)) "out of bounds memory access")
