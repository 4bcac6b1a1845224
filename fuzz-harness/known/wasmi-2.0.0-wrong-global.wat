(module
  (type (;0;) (func))
  (type (;1;) (func (param i64) (result f32 f64 f64)))
  (import "env" "f0" (func (;0;) (type 0)))
  (table (;0;) 133 988 externref)
  (global (;0;) (mut i64) i64.const 0)
  (global (;1;) (mut i32) i32.const 0)
  (global (;2;) (mut i32) i32.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (export "" (func 1))
  (export "9" (global 3))
  (elem (;0;) (table 0) (i32.const 2) externref)
  (func (;1;) (type 1) (param i64) (result f32 f64 f64)
    (local f64 f32 f64 f64 f64 f64 f64 f32)
    local.get 0
    call 0
    i32.const -653094508
    table.size 0
    i64.const 2919824004573271723
    local.get 0
    i64.eqz
    if (type 1) (param i64) (result f32 f64 f64) ;; label = @1
      i64.popcnt
      f64.convert_i64_u
      i64.trunc_sat_f64_u
      f32.const -nan:0x7fe000 (;=NaN;)
      loop (type 0) ;; label = @2
        loop ;; label = @3
          i64.const 1
          f64.reinterpret_i64
          local.get 1
          f32.demote_f64
          i64.trunc_f32_u
          i64.extend32_s
          data.drop 0
          f32.convert_i64_u
          f32.const 0x1.3f707cp-17 (;=0.000009520036;)
          i64.trunc_sat_f32_u
          local.set 0
          block (result externref) ;; label = @4
            i32.const 1
            if (type 0) ;; label = @5
              f64.const 0x1.ffffffcp-1048 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000066312368;)
              loop (result externref) ;; label = @6
                local.get 0
                br 1 (;@5;)
                block (type 0) ;; label = @7
                  block (result f32) ;; label = @8
                    f64.const -nan:0xffffdffffffff (;=NaN;)
                    i32.trunc_f64_s
                    f32.convert_i32_s
                    i32.reinterpret_f32
                    block (result i32) ;; label = @9
                      ref.null extern
                      loop (type 0) ;; label = @10
                        br 5 (;@5;)
                        i32.const 1
                        i32.const -65537
                        i32.div_s
                        i32.extend16_s
                        i64.const 0
                        local.get 0
                        i64.const -1104113442786202502
                        i32.const 0
                        f32.convert_i32_u
                        local.tee 2
                        f32.const nan (;=NaN;)
                        local.get 2
                        local.get 2
                        f32.eq
                        select
                        block (result externref) ;; label = @11
                          f32.const 0x1.p-129 (;=0.000000000000000000000000000000000000001469368;)
                          f32.const -0x1.c5db0ep-1 (;=-0.8864369;)
                          i64.const 0
                          elem.drop 0
                          i64.const 8678828602856819086
                          loop (result i64) ;; label = @12
                            f64.const -0x1.868d14ca509a2p-422 (;=-0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000014085741958835305;)
                            f64.const nan (;=NaN;)
                            local.get 3
                            local.get 3
                            f64.eq
                            select
                            i32.trunc_f64_s
                            i32.extend8_s
                            table.size 0
                            i32.ne
                            i32.eqz
                            br_table 0 (;@12;) 2 (;@10;) 5 (;@7;) 6 (;@6;) 7 (;@5;) 9 (;@3;) 10 (;@2;) 5 (;@7;)
                            i64.const 1
                            i64.extend8_s
                            f32.convert_i64_s
                            block (result f64) ;; label = @13
                              loop (result i32) ;; label = @14
                                local.get 0
                                ref.null func
                                i64.const 0
                                data.drop 0
                                ref.null func
                                loop ;; label = @15
                                  br 3 (;@12;)
                                  i32.const 0
                                  i64.const 1
                                  local.get 0
                                  f64.convert_i64_s
                                  f64.neg
                                  table.size 0
                                  if (result i32) ;; label = @16
                                    loop (type 0) ;; label = @17
                                      i32.const -1938588327
                                      i32.ctz
                                      ref.null func
                                      local.get 0
                                      f64.convert_i64_s
                                      data.drop 0
                                      data.drop 0
                                      i32.const -2139937918
                                      br 0 (;@17;)
                                      ref.null extern
                                      f32.const 0x1p-23 (;=0.00000011920929;)
                                      loop (result externref) ;; label = @18
                                        call 0
                                        f64.const -0x1.fffffffffffffp+512 (;=-26815615859885190000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
                                        f64.abs
                                        i64.reinterpret_f64
                                        i32.const 128
                                        loop ;; label = @19
                                          local.get 0
                                          block (type 0) ;; label = @20
                                            loop (type 0) ;; label = @21
                                              call 0
                                              call 0
                                              global.get 2
                                              global.set 2
                                              ref.null extern
                                              drop
                                              global.get 3
                                              global.set 3
                                            end
                                          end
                                          global.get 3
                                          i64.xor
                                          global.set 3
                                        end
                                        global.get 1
                                        i32.xor
                                        global.set 1
                                        i64.const -2994972617779442369
                                        i64.xor
                                        global.set 3
                                        ref.null extern
                                      end
                                      drop
                                      i32.reinterpret_f32
                                      global.get 2
                                      i32.xor
                                      global.set 2
                                      drop
                                      global.get 1
                                      i32.xor
                                      global.set 1
                                      i64.reinterpret_f64
                                      global.get 0
                                      i64.xor
                                      global.set 0
                                      drop
                                      global.get 1
                                      i32.xor
                                      global.set 1
                                    end
                                    i32.const 0
                                  else
                                    i32.const -1691046833
                                  end
                                  global.get 1
                                  i32.xor
                                  global.set 1
                                  i64.reinterpret_f64
                                  global.get 0
                                  i64.xor
                                  global.set 0
                                  global.get 3
                                  i64.xor
                                  global.set 3
                                  global.get 1
                                  i32.xor
                                  global.set 1
                                end
                                drop
                                global.get 3
                                i64.xor
                                global.set 3
                                drop
                                global.get 3
                                i64.xor
                                global.set 3
                                i32.const 0
                              end
                              global.get 1
                              i32.xor
                              global.set 1
                              f64.const 0x1.p-1038 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000339519326554;)
                            end
                            i64.reinterpret_f64
                            global.get 0
                            i64.xor
                            global.set 0
                            i32.reinterpret_f32
                            global.get 2
                            i32.xor
                            global.set 2
                            i64.const 1
                          end
                          global.get 3
                          i64.xor
                          global.set 3
                          global.get 3
                          i64.xor
                          global.set 3
                          global.get 3
                          i64.xor
                          global.set 3
                          i32.reinterpret_f32
                          global.get 2
                          i32.xor
                          global.set 2
                          i32.reinterpret_f32
                          global.get 2
                          i32.xor
                          global.set 2
                          ref.null extern
                        end
                        drop
                        i32.reinterpret_f32
                        global.get 2
                        i32.xor
                        global.set 2
                        global.get 3
                        i64.xor
                        global.set 3
                        global.get 3
                        i64.xor
                        global.set 3
                        global.get 3
                        i64.xor
                        global.set 3
                        global.get 1
                        i32.xor
                        global.set 1
                      end
                      drop
                      i32.const 0
                    end
                    global.get 1
                    i32.xor
                    global.set 1
                    global.get 1
                    i32.xor
                    global.set 1
                    f32.const 0x1.p-134 (;=0.000000000000000000000000000000000000000045918;)
                  end
                  i32.reinterpret_f32
                  global.get 2
                  i32.xor
                  global.set 2
                end
                i64.const 2109632692475514556
                i64.xor
                global.set 3
                ref.null extern
              end
              drop
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
            end
            ref.null extern
          end
          drop
          i32.reinterpret_f32
          global.get 2
          i32.xor
          global.set 2
          i64.reinterpret_f64
          global.get 0
          i64.xor
          global.set 0
        end
      end
      i32.reinterpret_f32
      global.get 2
      i32.xor
      global.set 2
      global.get 3
      i64.xor
      global.set 3
      f32.const -0x1.b7d18ap+101 (;=-4355751600000000000000000000000;)
      f64.const 0x1p+0 (;=1;)
      f64.const -0x1.e8da4e7a98b15p-193 (;=-0.00000000000000000000000000000000000000000000000000000000015210690970300926;)
    else
      global.get 3
      i64.xor
      global.set 3
      f32.const 0x1.p-147 (;=0.000000000000000000000000000000000000000000006;)
      f64.const 0x1p-1019 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000017800590868057611;)
      f64.const -0x1.f91e149f6769p+698 (;=-2594713581739902000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
    end
    i64.reinterpret_f64
    global.get 0
    i64.xor
    global.set 0
    i64.reinterpret_f64
    global.get 0
    i64.xor
    global.set 0
    i32.reinterpret_f32
    global.get 2
    i32.xor
    global.set 2
    global.get 1
    i32.xor
    global.set 1
    global.get 1
    i32.xor
    global.set 1
    global.get 3
    i64.xor
    global.set 3
    f32.const nan (;=NaN;)
    f64.const 0x1.848bbb7913d67p-287 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000006103704934020828;)
    f64.const 0x1.ffffffcp-1048 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000066312368;)
  )
  (data (;0;) "")
)

