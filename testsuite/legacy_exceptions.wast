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

;; Edge cases of the JIT's handler lists: calls and throws inside arms (the try's own arms
;; no longer apply), delegates inside delegates, inside arms and to a try_table's label,
;; rethrow through calls, try inside try_table and try_table inside try and arms,
;; branches out of bodies and arms with values, loops inside arms, v128 payloads, tries
;; in unreachable code, and arms no exception can reach.
(module
  (tag $e0)
  (tag $e1 (param i32))
  (tag $ev (param v128 i32))

  (func $throw0 (throw $e0))
  (func $throw1 (param i32) (throw $e1 (local.get 0)))
  (func $id (param i32) (result i32) (local.get 0))

  ;; A call in an arm throws $e0: the try's own catch_all does not get it, the outer does.
  (func (export "throw-in-arm") (result i32)
    try (result i32)
      try (result i32)
        (call $throw1 (i32.const 1))
        i32.const 0
      catch $e1
        drop
        call $throw0
        i32.const -1
      catch_all
        i32.const -2
      end
    catch $e0
      i32.const 10
    end)

  ;; Plain calls in an arm return normally, with the payload kept across them.
  (func (export "calls-in-arm") (param i32) (result i32)
    try (result i32)
      (call $throw1 (local.get 0))
      i32.const 0
    catch $e1
      call $id
      (call $id (i32.const 100))
      i32.add
    end)

  ;; delegate inside a delegate's body: the inner names the function's try, skipping two.
  (func (export "delegate-nested") (result i32)
    try $a (result i32)
      try $b (result i32)
        try $c (result i32)
          try (result i32)
            (call $throw1 (i32.const 2))
            i32.const 0
          delegate $a
        delegate $b
      catch_all
        i32.const -1
      end
    catch $e1
      i32.const 20
      i32.add
    end)
  ;; A delegate whose target is itself a delegating try.
  (func (export "delegate-chain") (result i32)
    try $a (result i32)
      try $x (result i32)
        try $b (result i32)
          try (result i32)
            (call $throw1 (i32.const 3))
            i32.const 0
          delegate $b
        delegate $a
      catch_all
        i32.const -1
      end
    catch $e1
      i32.const 30
      i32.add
    end)
  ;; delegate to the label of an arm: the arm's try does not catch, the next one out does.
  (func (export "delegate-arm") (result i32)
    try (result i32)
      try $t (result i32)
        throw $e0
      catch $e0
        try (result i32)
          (call $throw1 (i32.const 4))
          i32.const 0
        delegate $t
      catch_all
        i32.const -1
      end
    catch $e1
      i32.const 40
      i32.add
    end)
  ;; delegate to a try_table's label: its clauses get the exception.
  (func (export "delegate-table") (result i32)
    block $h (result i32)
      try_table $tt (catch $e1 $h)
        try
          try
            (call $throw1 (i32.const 5))
          delegate $tt
        catch_all
        end
      end
      i32.const -1
    end
    i32.const 50
    i32.add)
  ;; delegate to the function's label from inside an arm: the caller gets it.
  (func $delegate_from_arm
    try
      throw $e0
    catch_all
      try
        (call $throw1 (i32.const 6))
      delegate 1
    end)
  (func (export "delegate-from-arm") (result i32)
    try (result i32)
      call $delegate_from_arm
      i32.const -1
    catch $e1
      i32.const 60
      i32.add
    end)

  ;; rethrow in a callee's arm, caught in the caller; and a rethrow that a try_table of
  ;; the same function catches.
  (func $rethrower (param i32)
    try
      (call $throw1 (local.get 0))
    catch $e1
      drop
      rethrow 0
    end)
  (func (export "rethrow-call") (result i32)
    try (result i32)
      (call $rethrower (i32.const 7))
      i32.const -1
    catch $e1
      i32.const 70
      i32.add
    end)
  (func (export "rethrow-table") (result i32)
    block $h (result i32)
      try_table (catch $e1 $h)
        try
          (call $throw1 (i32.const 8))
        catch_all
          (call $id (i32.const 0))
          drop
          rethrow 0
        end
      end
      i32.const -1
    end
    i32.const 80
    i32.add)

  ;; try_table inside a body and an arm of a try.
  (func (export "table-in-try") (param i32) (result i32)
    try (result i32)
      block $h (result i32)
        try_table (catch $e1 $h)
          (if (local.get 0) (then (call $throw0)))
          (call $throw1 (i32.const 9))
        end
        i32.const -1
      end
    catch $e0
      block $h (result i32)
        try_table (catch $e1 $h)
          (call $throw1 (i32.const 90))
        end
        i32.const -1
      end
    end)

  ;; br out of a body and of an arm with values, to outer labels.
  (func (export "br-values") (param i32) (result i32 i32)
    block $out (result i32 i32)
      try (result i32 i32)
        (br_if $out (i32.const 1) (i32.const 2) (i32.eqz (local.get 0)))
        drop
        drop
        (call $throw1 (local.get 0))
        i32.const 0
        i32.const 0
      catch $e1
        (br $out (i32.const 3))
      end
    end)

  ;; A loop inside an arm that calls and throws; the exception of the arm rethrown after.
  (func (export "loop-in-arm") (param $n i32) (result i32)
    (local $sum i32)
    try (result i32)
      try
        (call $throw1 (local.get $n))
      catch $e1
        local.set $sum
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
        (if (local.get $sum) (then rethrow 1))
      end
      i32.const -1
    catch $e1
      local.get $sum
      i32.add
    end)

  ;; A v128 payload through a legacy catch.
  (func (export "v128-payload") (result i32)
    (local $x i32)
    try (result i32)
      (throw $ev (v128.const i32x4 1 2 3 4) (i32.const 5))
    catch $ev
      local.set $x
      i32x4.extract_lane 3
      local.get $x
      i32.add
    end)

  ;; tries in unreachable code, and arms no exception can reach.
  (func (export "dead") (result i32)
    block $b (result i32)
      (br $b (i32.const 9))
      try
        try
          call $throw0
        delegate 0
      catch_all
        rethrow 0
      end
      try
      catch $e0
      end
      i32.const 0
    end
    try (result i32)
      i32.const 1
    catch $e1
      drop
      rethrow 0
    catch_all
      i32.const 2
    end
    i32.add)

  ;; Uncaught: a delegate to the caller out of an export, and a rethrow out of an arm
  ;; nested in a try_table's body that does not catch it.
  (func (export "uncaught-delegate")
    try
      try
        call $throw0
      delegate 1
    catch_all
    end)
  (func (export "uncaught-rethrow-deep") (param i32) (result i32)
    block $h (result i32)
      try_table (catch $e1 $h)
        try
          call $throw0
        catch $e0
          (if (local.get 0) (then (call $throw1 (i32.const 1))))
          rethrow 0
        end
      end
      i32.const -1
    end)
  ;; A trap in an arm.
  (func (export "trap-in-arm") (result i32)
    try (result i32)
      call $throw0
      i32.const 0
    catch_all
      (i32.div_u (i32.const 1) (i32.const 0))
    end)
)

(assert_return (invoke "throw-in-arm") (i32.const 10))
(assert_return (invoke "calls-in-arm" (i32.const 5)) (i32.const 105))
(assert_return (invoke "delegate-nested") (i32.const 22))
(assert_return (invoke "delegate-chain") (i32.const 33))
(assert_return (invoke "delegate-arm") (i32.const 44))
(assert_return (invoke "delegate-table") (i32.const 55))
(assert_return (invoke "delegate-from-arm") (i32.const 66))
(assert_return (invoke "rethrow-call") (i32.const 77))
(assert_return (invoke "rethrow-table") (i32.const 88))
(assert_return (invoke "table-in-try" (i32.const 0)) (i32.const 9))
(assert_return (invoke "table-in-try" (i32.const 1)) (i32.const 90))
(assert_return (invoke "br-values" (i32.const 0)) (i32.const 1) (i32.const 2))
(assert_return (invoke "br-values" (i32.const 4)) (i32.const 4) (i32.const 3))
(assert_return (invoke "loop-in-arm" (i32.const 10)) (i32.const 75))
(assert_return (invoke "v128-payload") (i32.const 9))
(assert_return (invoke "dead") (i32.const 10))
(assert_exception (invoke "uncaught-delegate"))
(assert_exception (invoke "uncaught-rethrow-deep" (i32.const 0)))
(assert_return (invoke "uncaught-rethrow-deep" (i32.const 1)) (i32.const 1))
(assert_trap (invoke "trap-in-arm") "integer divide by zero")
