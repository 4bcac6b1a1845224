//! Integration tests of the binary decoder (spec §5): whole modules built with `wat`, the
//! testsuite's malformed binaries, and hostile inputs.

use std::time::{Duration, Instant};

use wasmscope_engine::Features;
use wasmscope_engine::binary::decode;
use wasmscope_engine::syntax::*;

fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("valid wat")
}

fn ok(bytes: &[u8]) -> Module {
    decode(bytes, &Features { relaxed_simd: true, ..Features::wasm2() }).expect("decodes")
}

/// The error message for a module given as a header plus section bytes.
fn err(sections: &[u8]) -> String {
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.extend_from_slice(sections);
    decode(&bytes, &Features { relaxed_simd: true, ..Features::wasm2() }).expect_err("must be malformed").message
}

const EVERYTHING: &str = r#"
(module $m
  (type $t (func (param i32 i64) (result i32)))
  (type $v (func))
  (import "env" "f" (func $imp (type $t)))
  (import "env" "tab" (table 1 funcref))
  (import "env" "mem" (memory 1 2))
  (import "env" "g" (global $ig (mut i64)))
  (func $add (export "add") (type $t) (local f32 f32) (local externref)
    local.get 0
    i32.const -5
    i32.add
    block (result i32)
      i32.const 1
      br_if 0
      drop
      i32.const 2
    end
    drop
    (if (i32.const 0) (then nop) (else unreachable))
    loop $l
      br_table $l 0 0
    end
    i64.const 0x7fffffffffffffff
    i64.extend32_s
    drop
    f32.const nan:0x200000
    i32.trunc_sat_f32_s
    drop
    f64.const -0.5
    drop
    i32.const 8
    i64.load offset=16 align=4
    i64.const 1
    i64.store32 offset=3
    memory.size
    memory.grow
    drop
    i32.const 0 i32.const 0 i32.const 0
    memory.init $d
    data.drop $d
    i32.const 0 i32.const 0 i32.const 0
    memory.copy
    i32.const 0 i32.const 0 i32.const 0
    memory.fill
    i32.const 0 i32.const 0 i32.const 0
    table.init 1 $e
    elem.drop $e
    i32.const 0 i32.const 0 i32.const 0
    table.copy 1 0
    ref.null func
    i32.const 1
    table.grow 1
    table.size 1
    i32.const 0
    ref.func $add
    i32.const 1
    table.fill 1
    i32.const 0
    table.get 1
    ref.is_null
    i32.const 0
    ref.null func
    table.set 1
    i32.const 1 i32.const 2 i32.const 3
    select (result i32)
    i32.const 1 i32.const 2
    select
    drop
    global.get $ig
    global.set $ig
    local.tee 0
    call $imp
    i32.const 0
    call_indirect 1 (type $t)
    drop
    return)
  (func $start (type $v))
  (table $t1 2 10 funcref)
  (memory $m2 0)
  (global $g (mut i32) (i32.const 42))
  (global $h externref (ref.null extern))
  (export "mem" (memory 0))
  (export "g" (global $g))
  (start $start)
  (elem $e func $add $start)
  (elem (table 1) (i32.const 0) func $add)
  (elem declare funcref (ref.func $add))
  (elem (i32.const 0) funcref (ref.null func) (ref.func $start))
  (data $d "passive")
  (data (i32.const 16) "active\00\ff")
)
"#;

#[test]
fn decodes_a_module_with_every_section() {
    let bytes = wasm(EVERYTHING);
    let m = ok(&bytes);
    assert_eq!(m.types.len(), 2);
    assert_eq!(m.types[0].as_func(), Some(&FuncType::new([ValType::I32, ValType::I64], [ValType::I32])));
    assert_eq!(m.imports.len(), 4);
    assert_eq!((m.imports[0].module.as_str(), m.imports[0].name.as_str()), ("env", "f"));
    assert_eq!(m.imports[0].desc, ImportDesc::Func(0));
    assert_eq!(m.imports[2].desc, ImportDesc::Memory(MemoryType::new(Limits { min: 1, max: Some(2) })));
    assert_eq!(
        m.imports[3].desc,
        ImportDesc::Global(GlobalType { content: ValType::I64, mutability: Mutability::Var })
    );
    assert_eq!(m.funcs, vec![0, 1]);
    assert_eq!(m.tables, vec![TableType::new(RefType::FUNCREF, Limits { min: 2, max: Some(10) })]);
    assert_eq!(m.memories.len(), 1);
    assert_eq!(m.globals.len(), 2);
    assert_eq!(m.globals[0].init.instrs, vec![Instr::I32Const(42)]);
    assert_eq!(m.globals[1].init.instrs, vec![Instr::RefNull(HeapType::Extern)]);
    assert_eq!(m.exports.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["add", "mem", "g"]);
    assert_eq!(m.exports[0].kind, ExternKind::Func);
    assert_eq!(m.exports[0].index, 1);
    assert_eq!(m.start, Some(2));

    assert_eq!(m.elems.len(), 4);
    assert_eq!(m.elems[0].mode, ElemMode::Passive);
    assert_eq!(m.elems[0].items[1].instrs, vec![Instr::RefFunc(2)]);
    assert!(matches!(m.elems[1].mode, ElemMode::Active { table: 1, .. }));
    assert_eq!(m.elems[2].mode, ElemMode::Declarative);
    assert_eq!(m.elems[3].items[0].instrs, vec![Instr::RefNull(HeapType::Func)]);
    // Items given as function indices point at their index's byte.
    let item = &m.elems[0].items[0];
    assert_eq!(bytes[item.offsets[0] as usize], 1);

    assert_eq!(m.data_count, Some(2));
    assert_eq!(m.datas[0].mode, DataMode::Passive);
    assert_eq!(m.datas[0].bytes, b"passive");
    assert_eq!(m.datas[1].bytes, b"active\0\xff");
    assert!(
        matches!(&m.datas[1].mode, DataMode::Active { memory: 0, offset } if offset.instrs == [Instr::I32Const(16)])
    );

    assert_eq!(m.code.len(), 2);
    let func_body = &m.code[0];
    assert_eq!(func_body.locals, vec![ValType::F32, ValType::F32, ValType::EXTERNREF]);
    // The module keeps the body encoded; decoding it again gives the instructions.
    let body = func_body.instructions().expect("decodes again");
    assert_eq!(body.instrs.len(), body.offsets.len());
    assert_eq!(body.instrs.last(), Some(&Instr::End));
    let mut streamed = Vec::new();
    func_body
        .for_each_instr(|at, i| {
            streamed.push((at, i.clone()));
            Ok::<(), wasmscope_engine::DecodeError>(())
        })
        .expect("decodes again");
    assert!(streamed.iter().map(|(a, _)| *a).eq(body.offsets.iter().copied()));
    assert!(streamed.iter().map(|(_, i)| i).eq(body.instrs.iter()));
    let has = |i: &Instr| body.instrs.contains(i);
    assert!(has(&Instr::I32Const(-5)));
    assert!(has(&Instr::I64Const(i64::MAX)));
    assert!(has(&Instr::Num(NumOp::I64Extend32S)));
    assert!(has(&Instr::F32Const(0x7fa0_0000)));
    assert!(has(&Instr::Num(NumOp::I32TruncSatF32S)));
    assert!(has(&Instr::F64Const((-0.5f64).to_bits())));
    assert!(has(&Instr::Load(LoadOp::I64Load, MemArg { align: 2, offset: 16, memory: 0 })));
    assert!(has(&Instr::Store(StoreOp::I64Store32, MemArg { align: 2, offset: 3, memory: 0 })));
    assert!(has(&Instr::MemoryInit { data: 0, memory: 0 }));
    assert!(has(&Instr::DataDrop(0)));
    assert!(has(&Instr::MemoryCopy { dst: 0, src: 0 }));
    assert!(has(&Instr::MemoryFill(0)));
    assert!(has(&Instr::TableInit { elem: 0, table: 1 }));
    assert!(has(&Instr::ElemDrop(0)));
    assert!(has(&Instr::TableCopy { dst: 1, src: 0 }));
    assert!(has(&Instr::TableGrow(1)));
    assert!(has(&Instr::TableSize(1)));
    assert!(has(&Instr::TableFill(1)));
    assert!(has(&Instr::TableGet(1)));
    assert!(has(&Instr::TableSet(1)));
    assert!(has(&Instr::RefFunc(1)));
    assert!(has(&Instr::RefIsNull));
    assert!(has(&Instr::SelectTyped(Box::new([ValType::I32]))));
    assert!(has(&Instr::Select));
    assert!(has(&Instr::CallIndirect { type_index: 0, table: 1 }));
    assert!(has(&Instr::BrTable { targets: Box::new([0, 0]), default: 0 }));
    assert!(has(&Instr::Block(BlockType::Value(ValType::I32))));
    assert!(has(&Instr::If(BlockType::Empty)));
    assert!(has(&Instr::Else));

    // The offsets point at each instruction's opcode byte.
    for (instr, &at) in body.instrs.iter().zip(&body.offsets) {
        let op = bytes[at as usize];
        let expected = match instr {
            Instr::End => Some(0x0B),
            Instr::Else => Some(0x05),
            Instr::Block(_) => Some(0x02),
            Instr::Loop(_) => Some(0x03),
            Instr::If(_) => Some(0x04),
            Instr::I32Const(_) => Some(0x41),
            Instr::Load(l, _) => Some(l.opcode()),
            Instr::Store(s, _) => Some(s.opcode()),
            Instr::Num(n) if n.code() < 0x100 => Some(n.code() as u8),
            Instr::Num(_) | Instr::MemoryInit { .. } | Instr::TableFill(_) => Some(0xFC),
            Instr::RefFunc(_) => Some(0xD2),
            Instr::SelectTyped(_) => Some(0x1C),
            _ => None,
        };
        if let Some(e) = expected {
            assert_eq!(op, e, "{instr:?} at {at:#x}");
        }
    }
    assert!(body.offsets.windows(2).all(|w| w[0] < w[1]));
    // The range starts at the body's size field and ends right after its final `end`.
    assert_eq!(func_body.range.end, body.offsets.last().map(|&o| o + 1).unwrap_or_default());
    assert!(func_body.range.start < body.offsets[0]);
    let code_start = m.code_section_payload_offset.expect("code section") as usize;
    assert_eq!(bytes[code_start], 2, "function count");
    assert_eq!(func_body.range.start as usize, code_start + 1);
    assert_eq!(m.code[1].range.start, func_body.range.end);
}

#[test]
fn decodes_the_name_section_and_custom_sections() {
    let mut bytes = wasm(
        r#"(module $mod
            (func $first (param $x i32) (local $y i64))
            (func)
            (func $third))"#,
    );
    // Append a custom section of our own: id 0, size, name "hi", payload.
    bytes.extend_from_slice(&[0, 6, 2, b'h', b'i', 1, 2, 3]);
    let m = ok(&bytes);
    assert_eq!(m.names.module.as_deref(), Some("mod"));
    assert_eq!(m.names.functions.get(&0).map(String::as_str), Some("first"));
    assert_eq!(m.names.functions.get(&2).map(String::as_str), Some("third"));
    assert_eq!(m.names.functions.get(&1), None);
    let locals = &m.names.locals[&0];
    assert_eq!(locals.get(&0).map(String::as_str), Some("x"));
    assert_eq!(locals.get(&1).map(String::as_str), Some("y"));
    let custom = m.customs.iter().find(|c| c.name == "hi").expect("custom section");
    assert_eq!(custom.data, [1, 2, 3]);
    assert_eq!(&bytes[custom.data_offset as usize..], [1, 2, 3]);
    assert!(m.customs.iter().any(|c| c.name == "name"));
}

#[test]
fn a_malformed_name_section_keeps_what_parsed() {
    // name section: module name "m", then function names with a truncated entry.
    let payload = [0u8, 2, 1, b'm', 1, 9, 2, 0, 1, b'a', 1, 5, b'x'];
    let mut section = vec![0u8, (payload.len() + 5) as u8, 4];
    section.extend_from_slice(b"name");
    section.extend_from_slice(&payload);
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.extend_from_slice(&section);
    let m = ok(&bytes);
    assert_eq!(m.names.module.as_deref(), Some("m"));
    assert_eq!(m.names.functions.get(&0).map(String::as_str), Some("a"));
    assert_eq!(m.names.functions.len(), 1);
}

#[test]
fn header_errors() {
    let d = |b: &[u8]| decode(b, &Features { relaxed_simd: true, ..Features::wasm2() }).expect_err("malformed").message;
    assert_eq!(d(b""), "unexpected end");
    assert_eq!(d(b"\0as"), "unexpected end");
    assert_eq!(d(b"\0asm\x01\0\0"), "unexpected end");
    assert_eq!(d(b"asm\x01\0\0\0\0"), "magic header not detected");
    assert_eq!(d(b"\0asm\x02\0\0\0"), "unknown binary version");
    assert!(ok(b"\0asm\x01\0\0\0").types.is_empty());
}

/// Malformed binaries from the testsuite (wasm-v2 binary.wast, binary-leb128.wast,
/// custom.wast), with the messages it expects (the runner matches by prefix).
#[test]
fn testsuite_malformed_binaries() {
    let cases: &[(&[u8], &str)] = &[
        (b"\x0e\x01\x00", "malformed section id"),
        (b"\x7f\x01\x00", "malformed section id"),
        // A body missing its `end`, followed by another body: the `else`-coded size byte.
        (
            b"\x01\x04\x01\x60\x00\x00\x03\x03\x02\x00\x00\x0a\x0c\x02\x04\x00\x41\x01\x1a\x05\x00\x41\x01\x1a\x0b",
            "END opcode expected",
        ),
        // ... at the end of the module.
        (
            b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x06\x01\x04\x00\x41\x01\x1a",
            "unexpected end of section or function",
        ),
        // ... before a data section, whose id byte doubles as `end`.
        (
            b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x06\x01\x04\x00\x41\x01\x1a\x0b\x03\x01\x01\x00",
            "section size mismatch",
        ),
        // A global initializer missing its `end` runs into the code section's id.
        (
            b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x06\x05\x01\x7f\x00\x41\x00\x0a\x04\x01\x02\x00\x0b",
            "illegal opcode",
        ),
        // memory.grow's reserved byte as a long zero.
        (
            b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03\x01\x00\x00\x0a\x0a\x01\x08\x00\x41\x00\x40\x80\x00\x1a\x0b",
            "zero byte expected",
        ),
        (
            b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x0c\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b",
            "too many locals",
        ),
        (
            b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x0c\x01\x0a\x02\x80\x80\x80\x80\x10\x7f\x02\x7e\x0b",
            "integer too large",
        ),
        (b"\x01\x04\x01\x60\x00\x00\x03\x03\x02\x00\x00", "function and code section have inconsistent lengths"),
        (b"\x0a\x04\x01\x02\x00\x0b", "function and code section have inconsistent lengths"),
        (b"\x0c\x01\x03\x0b\x05\x02\x01\x00\x01\x00", "data count and data section have inconsistent lengths"),
        (b"\x05\x03\x01\x00\x01\x0c\x01\x01", "data count and data section have inconsistent lengths"),
        (
            b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03\x01\x00\x00\x0a\x07\x01\x05\x00\xfc\x09\x00\x0b\x0b\x03\x01\x01\x00",
            "data count section required",
        ),
        (b"\x09\x07\x01\x05\x7f\x01\xd2\x00\x0b", "malformed reference type"),
        (b"\x01\x07\x02\x60\x00\x00", "length out of bounds"),
        (b"\x01\x07\x01\x60\x00\x00\x60\x00\x00", "section size mismatch"),
        (b"\x02\x04\x01\x00\x00\x04", "malformed import kind"),
        (b"\x02\x05\x01\x00\x00\x80\x00", "malformed import kind"),
        (b"\x04\x01\x01", "unexpected end of section or function"),
        (b"\x04\x03\x01\x70\x02", "integer too large"),
        (b"\x04\x06\x01\x70\x81\x00\x00\x00", "integer representation too long"),
        (b"\x05\x05\x01\x81\x01\x00\x00", "integer representation too long"),
        (b"\x06\x06\x02\x7f\x00\x41\x00\x0b", "unexpected end"),
        (b"\x06\x06\x01\x7f\x02\x41\x00\x0b", "malformed mutability"),
        (b"\x08\x01\x00\x08\x01\x00", "unexpected content after last section"),
        (b"\x03\x01\x00\x01\x01\x00", "unexpected content after last section"),
        (b"\x05\x03\x01\x00\x01\x0b\x0c\x01\x00\x41\x03\x0b\x07\x61\x62\x63\x64\x65\x66", "unexpected end"),
        (b"\x05\x03\x01\x00\x01\x0b\x0c\x01\x00\x41\x00\x0b\x05\x61\x62\x63\x64\x65\x66", "section size mismatch"),
        (b"\x05\x08\x01\x00\x82\x80\x80\x80\x80\x00", "integer representation too long"),
        (b"\x00\x83\x80\x80\x80\x80\x00\x01\x31\x32", "integer representation too long"),
        // align=2**32 in a load.
        (
            b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03\x01\x00\x01\x0a\x0a\x01\x08\x00\x41\x00\x28\x20\x00\x1a\x0b",
            "malformed memop flags",
        ),
        // custom.wast
        (b"\x00", "unexpected end"),
        (b"\x00\x00", "unexpected end"),
        (b"\x00\x00\x00\x05\x01\x00\x07\x00\x00", "unexpected end"),
        (b"\x00asm\x01\x00\x00\x00", "length out of bounds"),
        (b"\x00\x04\x02\xc0\x80\x00", "malformed UTF-8 encoding"),
    ];
    for (i, (sections, expected)) in cases.iter().enumerate() {
        let got = err(sections);
        assert!(got.starts_with(expected), "case {i}: got {got:?}, expected {expected:?}");
    }
}

#[test]
fn feature_gating() {
    let mvp = Features::mvp();
    let body = |instrs: &[u8]| {
        let mut b = b"\0asm\x01\0\0\0\x01\x05\x01\x60\x01\x7f\x00\x03\x02\x01\x00\x0a".to_vec();
        b.push((instrs.len() + 4) as u8);
        b.extend_from_slice(&[1, (instrs.len() + 2) as u8, 0]);
        b.extend_from_slice(instrs);
        b.push(0x0b);
        b
    };
    let sign_ext = body(&[0x20, 0x00, 0xc0, 0x1a]);
    assert!(decode(&sign_ext, &Features { relaxed_simd: true, ..Features::wasm2() }).is_ok());
    let e = decode(&sign_ext, &mvp).expect_err("sign-ext disabled");
    assert_eq!(e.message, "illegal opcode c0");
    let sat = body(&[0x20, 0x00, 0xfc, 0x00, 0x1a]);
    assert_eq!(decode(&sat, &mvp).expect_err("disabled").message, "illegal opcode fc 00");
    let ref_is_null = body(&[0xd0, 0x70, 0xd1, 0x1a]);
    assert!(decode(&ref_is_null, &Features { relaxed_simd: true, ..Features::wasm2() }).is_ok());
    assert!(decode(&ref_is_null, &mvp).is_err());
    // call_indirect: without reference types the table byte must be a plain zero.
    let ci_long_zero = body(&[0x20, 0x00, 0x11, 0x00, 0x80, 0x00]);
    assert!(decode(&ci_long_zero, &Features { relaxed_simd: true, ..Features::wasm2() }).is_ok());
    assert_eq!(decode(&ci_long_zero, &mvp).expect_err("mvp").message, "zero byte expected");
    let simd = body(&[0xfd, 0x0c]);
    let no_simd = Features { simd: false, ..Features { relaxed_simd: true, ..Features::wasm2() } };
    assert!(decode(&simd, &no_simd).expect_err("simd").message.contains("SIMD"));
    // The relaxed-SIMD opcodes need their own switch.
    let relaxed = body(&[0xfd, 0x80, 0x02]);
    let no_relaxed = Features { relaxed_simd: false, ..Features { relaxed_simd: true, ..Features::wasm2() } };
    assert!(decode(&relaxed, &no_relaxed).expect_err("relaxed").message.contains("illegal opcode fd 100"));
    // Tail calls need their switch; without it 0x12 and 0x13 are unknown opcodes.
    let tail = Features { tail_call: true, ..Features { relaxed_simd: true, ..Features::wasm2() } };
    let return_call = body(&[0x20, 0x00, 0x12, 0x00]);
    assert_eq!(
        decode(&return_call, &Features { relaxed_simd: true, ..Features::wasm2() }).expect_err("no tail calls").message,
        "illegal opcode 12"
    );
    let return_call_indirect = body(&[0x20, 0x00, 0x20, 0x00, 0x13, 0x00, 0x01]);
    assert_eq!(decode(&return_call_indirect, &mvp).expect_err("no tail calls").message, "illegal opcode 13");
    let instrs =
        |bytes: &[u8]| decode(bytes, &tail).expect("decodes").code[0].instructions().expect("body").instrs.clone();
    assert_eq!(instrs(&return_call)[1], Instr::ReturnCall(0));
    assert_eq!(instrs(&return_call_indirect)[2], Instr::ReturnCallIndirect { type_index: 0, table: 1 });
    // v128 as a value type decodes (the validator rejects it).
    let v128_local = b"\0asm\x01\0\0\0\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x06\x01\x04\x01\x01\x7b\x0b";
    assert_eq!(ok(v128_local).code[0].locals, [ValType::V128]);
}

#[test]
fn block_types() {
    let m = ok(&wasm(
        r#"(module
             (type $pair (func (param i32) (result i32 i32)))
             (func (result i32 i32)
               i32.const 1
               block (type $pair) end
               loop (result i32) i32.const 2 end
               drop))"#,
    ));
    let code = m.code[0].instructions().expect("decodes again");
    let instrs = &code.instrs;
    assert!(instrs.contains(&Instr::Block(BlockType::Func(0))));
    assert!(instrs.contains(&Instr::Loop(BlockType::Value(ValType::I32))));
    // `else` after an `else` is malformed.
    let bytes =
        b"\0asm\x01\0\0\0\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x0b\x01\x09\x00\x41\x00\x04\x40\x05\x05\x0b\x0b";
    assert_eq!(
        decode(bytes, &Features { relaxed_simd: true, ..Features::wasm2() }).expect_err("else").message,
        "END opcode expected"
    );
}

#[test]
fn every_truncation_of_a_real_module_is_an_error() {
    let bytes = wasm(EVERYTHING);
    for len in 0..bytes.len() {
        let r = decode(&bytes[..len], &Features { relaxed_simd: true, ..Features::wasm2() });
        // A cut exactly between sections leaves a well-formed prefix only if nothing it
        // needs was cut off; everything else must be an error, never a panic.
        if let Err(e) = r {
            assert!(e.offset <= len, "offset {} past the input length {len}", e.offset);
        }
    }
    // Cutting inside the code section can never give a well-formed module.
    let m = ok(&bytes);
    let code = m.code_section_payload_offset.expect("code") as usize;
    for len in code..m.code[1].range.end as usize {
        assert!(decode(&bytes[..len], &Features { relaxed_simd: true, ..Features::wasm2() }).is_err(), "len {len}");
    }
}

#[test]
fn garbage_and_mutations_never_panic() {
    let base = wasm(EVERYTHING);
    // A simple deterministic generator (xorshift), so failures are reproducible.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let mut bytes = base.clone();
        for _ in 0..1 + next() % 4 {
            let i = (next() as usize) % bytes.len();
            bytes[i] = next() as u8;
        }
        let _ = decode(&bytes, &Features { relaxed_simd: true, ..Features::wasm2() });
        let _ = decode(&bytes, &Features::mvp());
    }
    for n in 0..500 {
        let mut bytes = b"\0asm\x01\0\0\0".to_vec();
        bytes.extend((0..n % 64).map(|_| next() as u8));
        let _ = decode(&bytes, &Features { relaxed_simd: true, ..Features::wasm2() });
    }
}

#[test]
fn huge_claimed_counts_fail_fast() {
    let start = Instant::now();
    // 2^32 - 1 functions claimed in a 5-byte payload.
    assert_eq!(err(b"\x03\x05\xff\xff\xff\xff\x0f"), "unexpected end of section or function");
    // 2^32 - 1 types, section size also huge.
    assert_eq!(err(b"\x01\xff\xff\xff\xff\x0f\xff\xff\xff\xff\x0f"), "length out of bounds");
    // A body claiming 2^32 - 1 locals of one type, and several groups adding up past it.
    let locals = b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x0a\x01\x08\x01\xff\xff\xff\xff\x0f\x7f\x0b";
    assert_eq!(err(locals), "too many locals");
    // A br_table with 2^32 - 1 targets and a data segment of 2^32 - 1 bytes.
    let br_table = b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x0a\x01\x08\x00\x0e\xff\xff\xff\xff\x0f\x0b";
    assert!(err(br_table).starts_with("unexpected end"));
    assert_eq!(err(b"\x0b\x08\x01\x01\xff\xff\xff\xff\x0f"), "length out of bounds");
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn deep_nesting_is_linear() {
    let depth = 200_000;
    let mut body = vec![0u8]; // no locals
    body.extend(std::iter::repeat_n([0x02, 0x40], depth).flatten());
    body.extend(std::iter::repeat_n(0x0b, depth + 1));
    let mut code = Vec::new();
    leb(&mut code, 1);
    leb(&mut code, body.len() as u32);
    code.extend_from_slice(&body);
    let mut bytes = b"\0asm\x01\0\0\0\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a".to_vec();
    leb(&mut bytes, code.len() as u32);
    bytes.extend_from_slice(&code);
    let start = Instant::now();
    let m = ok(&bytes);
    assert_eq!(m.code[0].instructions().expect("decodes again").instrs.len(), 2 * depth + 1);
    assert!(start.elapsed() < Duration::from_secs(5));
}

fn leb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

#[test]
fn an_empty_group_of_v128_locals_needs_simd() {
    // type () -> (); one function; a body declaring `0 x v128` and ending at once. Found by
    // the fuzzer: wasmparser rejects it without SIMD, and so must we.
    let no_simd = Features { simd: false, ..Features { relaxed_simd: true, ..Features::wasm2() } };
    let body = [0x01, 0x00, 0x7b, 0x0b];
    let mut code = vec![0x0a, body.len() as u8 + 2, 0x01, body.len() as u8];
    code.extend_from_slice(&body);
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00]);
    bytes.extend_from_slice(&code);
    let e = decode(&bytes, &no_simd).expect_err("v128 needs SIMD").message;
    assert!(e.contains("SIMD"), "{e}");
    // With SIMD (the default), both an empty and a non-empty group are fine.
    assert!(ok(&bytes).code[0].locals.is_empty());
    let body = [0x01, 0x01, 0x7b, 0x0b];
    let mut code = vec![0x0a, body.len() as u8 + 2, 0x01, body.len() as u8];
    code.extend_from_slice(&body);
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00]);
    bytes.extend_from_slice(&code);
    let m = ok(&bytes);
    wasmscope_engine::valid::validate(&m, &Features { relaxed_simd: true, ..Features::wasm2() })
        .expect("v128 locals are valid");
    let e = wasmscope_engine::valid::validate(&m, &no_simd).expect_err("v128 is invalid without SIMD");
    assert!(e.to_string().contains("SIMD"), "{e}");
}

/// `Module::new` validates bodies while decoding them (one pass); its errors are the ones
/// decoding and then validating give: the first invalid body, and a malformed body even
/// after an invalid one.
#[test]
fn single_pass_validation_reports_what_two_passes_report() {
    use wasmscope_engine::{Config, Engine, Error, valid::validate};
    let engine = Engine::new(Config::default());
    let two_passes = |bytes: &[u8]| -> Result<(), String> {
        let m = decode(bytes, &Features { relaxed_simd: true, ..Features::wasm2() })
            .map_err(|e| format!("malformed: {e}"))?;
        validate(&m, &Features { relaxed_simd: true, ..Features::wasm2() }).map_err(|e| format!("invalid: {e}"))
    };
    let one_pass = |bytes: &[u8]| -> Result<(), String> {
        match wasmscope_engine::Module::new(&engine, bytes) {
            Ok(_) => Ok(()),
            Err(Error::Decode(e)) => Err(format!("malformed: {e}")),
            Err(Error::Validate(e)) => Err(format!("invalid: {e}")),
            Err(e) => Err(format!("other: {e}")),
        }
    };
    let invalid_first = wasm("(module (func (result i32) (i64.const 0)) (func (result i32) (f32.const 0)) (func nop))");
    let mut malformed_last = invalid_first.clone();
    // The last body is `03 00 01 0b` (nop, end): an illegal opcode instead of the nop.
    let n = malformed_last.len();
    assert_eq!(&malformed_last[n - 4..], &[0x03, 0x00, 0x01, 0x0b]);
    malformed_last[n - 2] = 0xff;
    let bad_start = wasm("(module (func $f (param i32)) (func (result i32) (i64.const 0)) (start $f))");
    let unknown_local = wasm("(module (func (local.get 0) drop) (func nop))");
    let good = wasm("(module (func (param i32) (result i32) (local.get 0)) (func nop))");
    for bytes in [&invalid_first, &malformed_last, &bad_start, &unknown_local, &good] {
        assert_eq!(one_pass(bytes), two_passes(bytes));
    }
    assert!(one_pass(&invalid_first).is_err_and(|e| e.starts_with("invalid: ") && e.contains("type mismatch")));
    assert!(one_pass(&malformed_last).is_err_and(|e| e.starts_with("malformed: ")));
    assert_eq!(one_pass(&good), Ok(()));
}
