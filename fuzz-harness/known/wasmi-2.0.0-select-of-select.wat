;; wasmi 2.0.0 miscompiles a `select` whose condition is `i32.eqz` of a local and whose second
;; operand is another `select` (here with a constant condition). For f(p) with p != 0 the
;; spec (3.0 4.4.4, `select`: val1 if c != 0 else val2) gives: inner select(2.0, 3.0, 1) =
;; 2.0; outer select(1.0, 2.0, eqz p = 0) = 2.0. wasmscope (both tiers) and wasmtime 48
;; return 2.0; wasmi returns 1.0, the first operand, as if the condition were true.
(module
  (func (export "f") (param i32) (result f64)
    f64.const 1
    f64.const 2
    f64.const 3
    i32.const 1
    select
    local.get 0
    i32.eqz
    select))
