//! Multiple memories, memory64 and table64, and custom page sizes through the public API
//! on every tier and bounds-check strategy: memories by index (what the debugger reads),
//! page sizes, host-created memories of each kind, and clean failures for sizes the host
//! cannot provide.

#![allow(clippy::unwrap_used, reason = "test helpers run per tier outside #[test] fns")]

use wasmscope_engine::syntax::{AddrType, Limits, MemoryType};
use wasmscope_engine::{
    BoundsChecks, Config, Engine, Error, Extern, Features, Instance, Linker, Memory, Module, Store, Tier, TrapCode, Val,
};

/// Every tier, the JIT with each bounds-check strategy.
fn configs() -> Vec<Config> {
    let features = Features::wasm3();
    let mut out = vec![Config { features, ..Config::with_tier(Tier::Interpreter) }];
    for bounds_checks in [BoundsChecks::GuardPages, BoundsChecks::Explicit] {
        out.push(Config { features, bounds_checks, ..Config::with_tier(Tier::Jit) });
    }
    out
}

fn instantiate(config: Config, wat: &str, linker: &Linker, store: Option<Store>) -> (Store, Result<Instance, Error>) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = store.unwrap_or_else(|| Store::new(&engine));
    let inst = linker.instantiate(&mut store, &module);
    (store, inst)
}

const THREE: &str = r#"(module
  (memory (import "host" "m") 1)
  (memory $b i64 2)
  (memory $c 3 (pagesize 1))
  (data (memory $b) (i64.const 0x10000) "b")
  (data (memory $c) (i32.const 2) "c")
  (func (export "peek_c") (param i32) (result i32) (i32.load8_u $c (local.get 0)))
  (func (export "grow_c") (param i32) (result i32) (memory.grow $c (local.get 0)))
  (func (export "poke0") (param i32 i32) (i32.store8 (local.get 0) (local.get 1))))"#;

#[test]
fn memories_by_index_on_every_tier() {
    for config in configs() {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine);
        let host = Memory::new(&mut store, MemoryType::new(Limits { min: 1, max: None })).unwrap();
        let mut linker = Linker::new();
        linker.define("host", "m", Extern::Memory(host));
        let (mut store, inst) = instantiate(config, THREE, &linker, Some(store));
        let inst = inst.unwrap();
        assert_eq!(inst.memory_count(&store), 3);
        assert_eq!(inst.memory_at(&store, 0), Some(host));
        assert_eq!(inst.memory_at(&store, 3), None);
        let (b, c) = (inst.memory_at(&store, 1).unwrap(), inst.memory_at(&store, 2).unwrap());
        assert_eq!(b.ty(&store).map(|t| t.addr), Some(AddrType::I64));
        assert_eq!((b.size(&store), b.page_size(&store), b.data(&store).len()), (2, 65536, 0x20000));
        assert_eq!(b.data(&store)[0x10000], b'b');
        assert_eq!((c.size(&store), c.page_size(&store), c.data(&store)), (3, 1, &[0, 0, b'c'][..]));
        // The embedder's writes are what the guest reads, and the other way round.
        c.data_mut(&mut store)[1] = 7;
        let peek = inst.func(&store, "peek_c").unwrap();
        assert_eq!(peek.call(&mut store, &[Val::I32(1)]).unwrap(), vec![Val::I32(7)]);
        let poke = inst.func(&store, "poke0").unwrap();
        poke.call(&mut store, &[Val::I32(5), Val::I32(9)]).unwrap();
        assert_eq!(host.data(&store)[5], 9, "{config:?}");
        // Growing a 1-byte-page memory by one page adds one byte.
        let grow = inst.func(&store, "grow_c").unwrap();
        assert_eq!(grow.call(&mut store, &[Val::I32(1)]).unwrap(), vec![Val::I32(3)]);
        assert_eq!((c.size(&store), c.data(&store).len()), (4, 4));
        assert_eq!(peek.call(&mut store, &[Val::I32(3)]).unwrap(), vec![Val::I32(0)]);
        match peek.call(&mut store, &[Val::I32(4)]) {
            Err(Error::Trap(t)) => assert_eq!(t.code, TrapCode::MemoryOutOfBounds, "{config:?}"),
            other => panic!("expected a trap, got {other:?}"),
        }
    }
}

#[test]
fn imports_match_address_type_and_page_size() {
    for config in configs() {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine);
        // A 64-bit memory and one of 1-byte pages do not satisfy a 32-bit, 64 KiB import.
        let m64 = Memory::new(
            &mut store,
            MemoryType { addr: AddrType::I64, ..MemoryType::new(Limits { min: 1, max: None }) },
        )
        .unwrap();
        let small = MemoryType { page_size_log2: 0, ..MemoryType::new(Limits { min: 65536, max: None }) };
        let small = Memory::new(&mut store, small).unwrap();
        for m in [m64, small] {
            let mut linker = Linker::new();
            linker.define("host", "m", Extern::Memory(m));
            let (next, inst) = instantiate(config, THREE, &linker, Some(store));
            store = next;
            assert!(matches!(inst, Err(Error::Link(_))), "{config:?}: {inst:?}");
        }
    }
}

#[test]
fn sizes_the_host_cannot_provide_are_errors() {
    for config in configs() {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine);
        // 2^48 pages is a valid memory64 minimum; no host has 2^64 bytes.
        let huge = MemoryType { addr: AddrType::I64, ..MemoryType::new(Limits { min: 1 << 48, max: None }) };
        assert!(matches!(Memory::new(&mut store, huge), Err(Error::Usage(_))));
        let bytes = MemoryType {
            addr: AddrType::I64,
            page_size_log2: 0,
            ..MemoryType::new(Limits { min: u64::MAX, max: None })
        };
        assert!(matches!(Memory::new(&mut store, bytes), Err(Error::Usage(_))));
        let (_, inst) = instantiate(config, "(module (memory i64 0x1_0000_0000_0000))", &Linker::new(), None);
        assert!(matches!(inst, Err(Error::Trap(_))), "{config:?}: {inst:?}");
        // A memory64 that the limits allow grows to them and no further.
        let limited =
            Config { limits: wasmscope_engine::Limits { max_memory_pages: 3, ..Default::default() }, ..config };
        let wat =
            r#"(module (memory i64 1) (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0))))"#;
        let (mut store, inst) = instantiate(limited, wat, &Linker::new(), None);
        let grow = inst.unwrap().func(&store, "grow").unwrap();
        assert_eq!(grow.call(&mut store, &[Val::I64(3)]).unwrap(), vec![Val::I64(-1)]);
        assert_eq!(grow.call(&mut store, &[Val::I64(2)]).unwrap(), vec![Val::I64(1)]);
        assert_eq!(grow.call(&mut store, &[Val::I64(1)]).unwrap(), vec![Val::I64(-1)]);
    }
}

#[test]
fn tables_with_i64_indices() {
    for config in configs() {
        let wat = r#"(module
          (table (export "t") i64 3 funcref)
          (func (export "grow") (param i64) (result i64) (table.grow (ref.null func) (local.get 0))))"#;
        let (mut store, inst) = instantiate(config, wat, &Linker::new(), None);
        let inst = inst.unwrap();
        let t = inst.table(&store, "t").unwrap();
        assert_eq!(t.ty(&store).map(|t| t.addr), Some(AddrType::I64));
        assert_eq!(t.size(&store), 3);
        assert!(t.get(&store, 2).is_some());
        assert!(t.get(&store, 3).is_none());
        assert!(t.get(&store, 1 << 32).is_none());
        let grow = inst.func(&store, "grow").unwrap();
        assert_eq!(grow.call(&mut store, &[Val::I64(1 << 40)]).unwrap(), vec![Val::I64(-1)]);
        assert_eq!(grow.call(&mut store, &[Val::I64(2)]).unwrap(), vec![Val::I64(3)]);
        assert_eq!(t.size(&store), 5);
    }
}

#[test]
fn the_proposals_are_off_in_2_0() {
    let engine = Engine::new(Config { features: Features::wasm2(), ..Config::default() });
    for wat in [
        "(module (memory 1) (memory 1))",
        "(module (memory i64 1))",
        "(module (table i64 1 funcref))",
        "(module (memory 1 (pagesize 1)))",
    ] {
        assert!(Module::new(&engine, &wat::parse_str(wat).unwrap()).is_err(), "{wat}");
    }
}

#[test]
fn a_c_program_built_for_wasm64_runs_on_every_tier() {
    // `fixtures/mem64.c`, built with clang for wasm64 (64-bit pointers, an i64 stack
    // pointer, `memory.grow` through the builtins): lists, trees and copies through 64-bit
    // addresses. Its result is the native 64-bit build's (`mem64.expected`, from
    // `cc -DNATIVE_MAIN mem64.c && ./a.out 3000`), the same on every tier.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let bytes = std::fs::read(dir.join("mem64.wasm")).unwrap();
    let expected: u64 = std::fs::read_to_string(dir.join("mem64.expected")).unwrap().trim().parse().unwrap();
    for config in configs() {
        let engine = Engine::new(config);
        let module = Module::new(&engine, &bytes).unwrap();
        let mut store = Store::new(&engine);
        let inst = Linker::new().instantiate(&mut store, &module).unwrap();
        let memory = inst.memory(&store, "memory").unwrap();
        assert_eq!(memory.ty(&store).map(|t| t.addr), Some(AddrType::I64));
        let pages_before = memory.size(&store);
        let run = inst.func(&store, "run").unwrap();
        let got = run.call(&mut store, &[Val::I32(3000)]).unwrap();
        assert_eq!(got, vec![Val::I64(expected as i64)], "{:?}", config.tier);
        assert!(memory.size(&store) > pages_before, "the heap grew the memory");
    }
    // Without memory64 the module is malformed (its memory type has the 64-bit flag).
    let e = Module::new(&Engine::new(Config { features: Features::wasm2(), ..Config::default() }), &bytes);
    assert!(matches!(e, Err(Error::Decode(_))), "{e:?}");
}
