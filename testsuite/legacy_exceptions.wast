;; features: exceptions legacy-exceptions
;; The legacy exception instructions older toolchains emit (`try`, `catch`, `catch_all`,
;; `delegate`, `rethrow`), which run on the same machinery as `try_table`: arms in
;; order, payloads, catch_all, nested tries, `delegate` to an outer try, to a block that
;; is not a try, and to the caller, `rethrow` of an outer arm's exception from an inner
;; arm, branches out of arms, and mixing with `try_table` and `throw_ref`.

;; (The text parser reads the legacy instructions in flat form only.)
(module
  (tag $e0)
  (tag $e1 (param i32))
  (tag $e2 (param i32 i64))

  (func $throw1 (param i32) (throw $e1 (local.get 0)))

  (func (export "arms") (param i32) (result i32)
    try (result i32)
      (if (i32.eq (local.get 0) (i32.const 0)) (then (throw $e0)))
      (if (i32.eq (local.get 0) (i32.const 1)) (then (call $throw1 (i32.const 10))))
      (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $e2 (i32.const 20) (i64.const 5))))
      i32.const 99
    catch $e0
      i32.const 100
    catch $e1
      i32.const 1000
      i32.add
    catch_all
      i32.const 7
    end)

  (func (export "payload2") (result i64)
    (local $x i64)
    try (result i64)
      (throw $e2 (i32.const 3) (i64.const 40))
    catch $e2
      local.set $x
      i64.extend_i32_u
      local.get $x
      i64.add
    end)

  ;; The inner try does not catch $e1; the outer one does.
  (func (export "nested") (result i32)
    try (result i32)
      try (result i32)
        (call $throw1 (i32.const 5))
        i32.const 0
      catch $e0
        i32.const -1
      end
    catch $e1
    end)

  ;; delegate 0: to the try directly around.
  (func (export "delegate-outer") (result i32)
    try (result i32)
      try (result i32)
        (call $throw1 (i32.const 6))
        i32.const 0
      delegate 0
    catch $e1
      i32.const 10
      i32.add
    end)

  ;; delegate to an outer try's label: the middle try's catch_all is skipped.
  (func (export "delegate-skips") (result i32)
    try $outer (result i32)
      try $middle (result i32)
        try (result i32)
          (call $throw1 (i32.const 8))
          i32.const 0
        delegate $outer
      catch_all
        i32.const -1
      end
    catch $e1
      i32.const 20
      i32.add
    end)

  ;; delegate to a block that is not a try: the next try outwards.
  (func (export "delegate-block") (result i32)
    try (result i32)
      block $b (result i32)
        try (result i32)
          (call $throw1 (i32.const 9))
          i32.const 0
        delegate $b
      end
    catch $e1
      i32.const 30
      i32.add
    end)

  ;; delegate to the function's label: the caller gets it.
  (func $delegate_caller (result i32)
    try (result i32)
      try (result i32)
        (call $throw1 (i32.const 11))
        i32.const 0
      delegate 1
    catch_all
      i32.const -1
    end)
  (func (export "delegate-caller") (result i32)
    try (result i32)
      call $delegate_caller
    catch $e1
      i32.const 40
      i32.add
    end)

  ;; rethrow from an arm, and from an inner arm of an outer arm's exception.
  (func (export "rethrow") (result i32)
    try (result i32)
      try (result i32)
        (call $throw1 (i32.const 12))
        i32.const 0
      catch $e1
        drop
        rethrow 0
      end
    catch $e1
      i32.const 50
      i32.add
    end)
  (func (export "rethrow-outer") (result i32)
    try (result i32)
      try (result i32)
        (call $throw1 (i32.const 13))
        i32.const 0
      catch $e1
        drop
        try (result i32)
          throw $e0
        catch $e0
          rethrow 1
        end
      end
    catch $e1
      i32.const 60
      i32.add
    catch $e0
      i32.const -1
    end)

  ;; A branch out of an arm, and a loop of throws caught by a legacy try.
  (func (export "branch-out") (result i32)
    block $b (result i32)
      try
        (throw $e1 (i32.const 14))
      catch $e1
        br $b
      end
      i32.const -1
    end)
  (func (export "loop") (param $n i32) (result i32)
    (local $sum i32)
    loop $l
      try
        (call $throw1 (local.get $n))
      catch $e1
        local.get $sum
        i32.add
        local.set $sum
      end
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))
    end
    local.get $sum)

  ;; A try_table around a legacy try that rethrows: the try_table's catch_ref gets the
  ;; same exception, and throw_ref sends it to a legacy arm again.
  (func (export "mixed") (result i32)
    try (result i32)
      block $h (result i32 exnref)
        try_table (catch_ref $e1 $h)
          try
            (call $throw1 (i32.const 15))
          catch_all
            rethrow 0
          end
        end
        unreachable
      end
      throw_ref
    catch $e1
      i32.const 70
      i32.add
    end)

  ;; Uncaught after a catch arm rethrows.
  (func (export "uncaught")
    try
      throw $e0
    catch $e0
      rethrow 0
    end)
  ;; An empty try and a try whose body does not throw.
  (func (export "no-throw") (result i32)
    try
    end
    try (result i32)
      i32.const 3
    catch_all
      i32.const -1
    end)
)

(assert_return (invoke "arms" (i32.const 0)) (i32.const 100))
(assert_return (invoke "arms" (i32.const 1)) (i32.const 1010))
(assert_return (invoke "arms" (i32.const 2)) (i32.const 7))
(assert_return (invoke "arms" (i32.const 3)) (i32.const 99))
(assert_return (invoke "payload2") (i64.const 43))
(assert_return (invoke "nested") (i32.const 5))
(assert_return (invoke "delegate-outer") (i32.const 16))
(assert_return (invoke "delegate-skips") (i32.const 28))
(assert_return (invoke "delegate-block") (i32.const 39))
(assert_return (invoke "delegate-caller") (i32.const 51))
(assert_return (invoke "rethrow") (i32.const 62))
(assert_return (invoke "rethrow-outer") (i32.const 73))
(assert_return (invoke "branch-out") (i32.const 14))
(assert_return (invoke "loop" (i32.const 1000)) (i32.const 500500))
(assert_return (invoke "mixed") (i32.const 85))
(assert_exception (invoke "uncaught"))
(assert_return (invoke "no-throw") (i32.const 3))

(assert_invalid
  (module (tag $e) (func try catch_all catch $e end))
  "catch after catch_all")
(assert_invalid
  (module (func block rethrow 0 end))
  "invalid rethrow label")
(assert_invalid
  (module (tag $e (param i32)) (func (result i32) try (result i32) i32.const 0 catch $e drop end))
  "type mismatch")
