;; Fuzz case 12701 of seed 796156381 (`--oracle wasmi`), reduced by hand from the shrunk
;; finding (wasmi-2.0.0-case-12701-shrunk.wasm): the same `select` of `select` as
;; wasmi-2.0.0-select-of-select.wat, with `ref.is_null` as the outer condition.
;; A = f64.convert_i32_s (i64.eqz (i64.trunc_sat_f32_s p0)), 1.0 for the harness's p0;
;; B = select(nearest(-8388608.0), nan, 1) = -8388608.0 (0xc160000000000000);
;; outer select(A, B, ref.is_null p1): p1 is always null, so the condition is 1 and the
;; result is A; the global gets its bits, 0x3ff0000000000000. wasmscope and wasmtime 48
;; store A; wasmi 2.0.0 stores B.
(module
  (global (export "g") (mut i64) (i64.const 0))
  (func (export "f") (param f32 funcref) (local f64)
    local.get 0
    i64.trunc_sat_f32_s
    i64.eqz
    f64.convert_i32_s
    i32.const -8388608
    f64.convert_i32_s
    f64.nearest
    local.tee 2
    f64.const nan
    i32.const 1
    select
    local.get 1
    ref.is_null
    select
    i64.reinterpret_f64
    global.set 0))
