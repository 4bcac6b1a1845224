;; Reduced from the fuzz finding exec-1-23154 (`cargo xtask fuzz --seed 1`, case 23154): a
;; `br` from a nested loop back to an enclosing loop, with operands of the enclosing
;; blocks on the stack. The loop must run again (here until a counter reaches 5).
(module
  (func (export "f") (param i32) (result i32)
    (local f32 f64 i32)
    local.get 0
    local.get 0
    i32.div_u
    i32.eqz
    local.get 0
    if (result i32)
      f64.const 7
      local.get 2
      loop $l1
        ;; counter += 1; leave the function with it once it reaches 5
        local.get 3
        i32.const 1
        i32.add
        local.tee 3
        i32.const 5
        i32.ge_u
        if
          local.get 3
          return
        end
        f32.const 1
        f64.promote_f32
        block (result externref)
          i64.const 0
          i32.const 1
          loop
            br 2
          end
          unreachable
        end
        unreachable
      end
      unreachable
    else
      i32.const -1
    end
    unreachable)
)
(assert_return (invoke "f" (i32.const 3)) (i32.const 5))
(assert_trap (invoke "f" (i32.const 0)) "integer divide by zero")
