//! The suite: the committed C kernels (`workloads/*.c` → `workloads/*.wasm`), the
//! generated modules (a large module for compile time, a small one for instantiation, a
//! host-call loop), the real-program set (`programs/*.c` → `programs/*.wasm`: WASI
//! commands built with wasi-libc, issue 15), the SIMD kernels (`simd/*.c` →
//! `simd/*.wasm`, built with `-msimd128`) and the tail-call workload (`tailcall/*.c` →
//! `tailcall/*.wasm`, built with `-mtail-call`, issue 17).

use std::fmt::Write as _;

/// What a child process does with a workload's module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Compile, instantiate, call `run(arg) -> i64` once and time the call.
    Run,
    /// Like `Run`, with the host function `env.host(i64) -> i64` imported.
    HostCall,
    /// Compile once, then time `arg` instantiations, each in a new store, calling
    /// `get() -> i64` on each instance.
    Instantiate,
    /// A WASI command: instantiate with WASI preview 1, run `_start` with `argv[1] = arg`
    /// and stdout captured; the checksum is a hash of that output (see `commands`).
    Command,
}

/// Which geometric mean a workload counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The execution kernels: one mean over them (issue 5's figure).
    Kernel,
    /// Reported on its own line only (host calls, instantiation, compile time).
    Single,
    /// The real-program set: a mean of its own (issue 15's figure).
    Program,
    /// The SIMD kernels: a mean of their own, apart from the kernels' so that figure stays
    /// comparable with the runs before them. An engine that cannot run SIMD yet is
    /// reported as not run, not as a failure (see `report`).
    Simd,
}

impl Group {
    /// The name `--set` selects by.
    pub fn set_name(self) -> &'static str {
        match self {
            Group::Kernel | Group::Single => "kernels",
            Group::Program => "programs",
            Group::Simd => "simd",
        }
    }
}

pub struct Workload {
    pub name: &'static str,
    pub kind: Kind,
    /// The argument of `run` (the number of instantiations, a command's `argv[1]`), at
    /// `--scale 1`.
    pub arg: i32,
    pub group: Group,
    pub what: &'static str,
    pub source: Source,
}

#[derive(Clone, Copy)]
pub enum Source {
    /// `bench/workloads/NAME.wasm`, built from `NAME.c`.
    Committed,
    /// Built by `generate` at run time.
    Generated,
    /// `bench/programs/NAME.wasm`, built from `NAME.c` with wasi-libc.
    Program,
    /// `bench/simd/NAME.wasm`, built from `NAME.c` freestanding with `-msimd128`.
    Simd,
    /// `bench/tailcall/NAME.wasm`, built from `NAME.c` freestanding with `-mtail-call`.
    TailCall,
    /// `bench/exceptions/NAME.wasm`, from `NAME.wat` (exception handling).
    Exceptions,
    /// `bench/gc/NAME.wasm`, from `NAME.wat` (WebAssembly GC).
    Gc,
}

pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "fib",
        kind: Kind::Run,
        arg: 32,
        group: Group::Kernel,
        what: "recursive Fibonacci (calls)",
        source: Source::Committed,
    },
    Workload {
        name: "sieve",
        kind: Kind::Run,
        arg: 2,
        group: Group::Kernel,
        what: "sieve of Eratosthenes over 4 Mi byte flags",
        source: Source::Committed,
    },
    Workload {
        name: "matmul",
        kind: Kind::Run,
        arg: 10,
        group: Group::Kernel,
        what: "128x128 f64 matrix multiply",
        source: Source::Committed,
    },
    Workload {
        name: "sha256",
        kind: Kind::Run,
        arg: 3,
        group: Group::Kernel,
        what: "SHA-256 over N MiB",
        source: Source::Committed,
    },
    Workload {
        name: "hashmap",
        kind: Kind::Run,
        arg: 600,
        group: Group::Kernel,
        what: "string-keyed hash map, N thousand operations",
        source: Source::Committed,
    },
    Workload {
        name: "nbody",
        kind: Kind::Run,
        arg: 200,
        group: Group::Kernel,
        what: "5-body simulation, N thousand f64 steps",
        source: Source::Committed,
    },
    Workload {
        name: "coremark",
        kind: Kind::Run,
        arg: 500,
        group: Group::Kernel,
        what: "CoreMark-style list/matrix/state machine/CRC",
        source: Source::Committed,
    },
    Workload {
        name: "memcopy",
        kind: Kind::Run,
        arg: 60,
        group: Group::Kernel,
        what: "word and byte copy loops",
        source: Source::Committed,
    },
    Workload {
        name: "hostcall",
        kind: Kind::HostCall,
        arg: 5_000_000,
        group: Group::Single,
        what: "wasm calling an imported host function N times",
        source: Source::Generated,
    },
    Workload {
        name: "instantiate",
        kind: Kind::Instantiate,
        arg: 5_000,
        group: Group::Single,
        what: "N instantiations of a small module, each in a new store",
        source: Source::Generated,
    },
    Workload {
        name: "large-module",
        kind: Kind::Run,
        arg: 1,
        group: Group::Single,
        what: "compile a generated module of ~4.4 MiB of code; run calls each function once",
        source: Source::Generated,
    },
    Workload {
        name: "minivm",
        kind: Kind::Command,
        arg: 100,
        group: Group::Program,
        what: "compiler for a tiny language + stack VM: loops, calls, globals in a hash table",
        source: Source::Program,
    },
    Workload {
        name: "wordfreq",
        kind: Kind::Command,
        arg: 100,
        group: Group::Program,
        what: "word counts, anagram classes, grep + sort over generated text: hash tables, qsort",
        source: Source::Program,
    },
    Workload {
        name: "lzcomp",
        kind: Kind::Command,
        arg: 100,
        group: Group::Program,
        what: "LZ77 + Huffman compressor and decompressor over N * 16 KiB, verified",
        source: Source::Program,
    },
    Workload {
        name: "tail-vm",
        kind: Kind::Run,
        arg: 2_000_000,
        group: Group::Single,
        what: "tail calls: a bytecode VM dispatching by return_call_indirect (60 N instructions) and a \
               3-state machine of return_calls (3 N transitions)",
        source: Source::TailCall,
    },
    Workload {
        name: "exn-throw",
        kind: Kind::Run,
        arg: 100_000,
        group: Group::Single,
        what: "exceptions: N trees of 16 calls where one leaf in 1,000 throws, caught 5 frames up, and \
               N / 1,000 unwinds of 10,000 frames (try_table, throw, catch)",
        source: Source::Exceptions,
    },
    Workload {
        name: "gc-trees",
        kind: Kind::Run,
        arg: 600,
        group: Group::Single,
        what: "GC: binary trees, N rounds of a depth-14 tree (32,767 structs) built, walked and dropped \
               beside a long-lived depth-12 tree (struct.new, struct.get)",
        source: Source::Gc,
    },
    Workload {
        name: "simd-matmul",
        kind: Kind::Run,
        arg: 8_000,
        group: Group::Simd,
        what: "64x64 f32 matrix multiply in f32x4 (splat, mul, add) + f32x4 dot products, N rounds",
        source: Source::Simd,
    },
    Workload {
        name: "simd-scan",
        kind: Kind::Run,
        arg: 500,
        group: Group::Simd,
        what: "1 MiB text scan: i8x16 compares, bitmasks (newlines walked, commas popcounted), lane counts",
        source: Source::Simd,
    },
    Workload {
        name: "simd-blur",
        kind: Kind::Run,
        arg: 2_500,
        group: Group::Simd,
        what: "512x512 u8 image: separable 3x3 blur in i16x8 (widen, add, shift, narrow), N passes",
        source: Source::Simd,
    },
    Workload {
        name: "simd-hash",
        kind: Kind::Run,
        arg: 6_000,
        group: Group::Simd,
        what: "256 KiB: xxHash32-style i32x4 mul/rotate lanes, i32x4.dot_i16x8_s, extadd, N rounds",
        source: Source::Simd,
    },
];

/// The host function of the `hostcall` workload, the same on every engine.
pub fn host_fn(x: i64) -> i64 {
    (x ^ (x >> 7)).wrapping_mul(0x9E37_79B9).wrapping_add(1)
}

/// The bytes of a generated workload.
pub fn generate(name: &str) -> Result<Vec<u8>, String> {
    let text = match name {
        "hostcall" => HOSTCALL_WAT.to_string(),
        "instantiate" => INSTANTIATE_WAT.to_string(),
        "large-module" => large_module_wat(LARGE_FUNCS),
        _ => return Err(format!("{name} is not a generated workload")),
    };
    wat::parse_str(&text).map_err(|e| format!("{name}: {e}"))
}

const HOSTCALL_WAT: &str = r#"(module
  (import "env" "host" (func $host (param i64) (result i64)))
  (memory (export "memory") 1)
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    (block $done
      (loop $top
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc
          (call $host (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (local.get $acc)))
"#;

/// A small but complete module: memory with data, a table with an element segment,
/// globals, a start function.
const INSTANTIATE_WAT: &str = r#"(module
  (memory (export "memory") 1)
  (data (i32.const 16) "wasmscope benchmark: instantiation")
  (data (i32.const 1024) "\01\02\03\04\05\06\07\08")
  (global $counter (mut i64) (i64.const 0))
  (global $seed i64 (i64.const 0x1234_5678_9abc))
  (type $t (func (param i64) (result i64)))
  (table 8 funcref)
  (elem (i32.const 0) $f0 $f1 $f2 $f3 $f0 $f1 $f2 $f3)
  (func $f0 (type $t) (i64.add (local.get 0) (i64.const 1)))
  (func $f1 (type $t) (i64.mul (local.get 0) (i64.const 3)))
  (func $f2 (type $t) (i64.xor (local.get 0) (global.get $seed)))
  (func $f3 (type $t) (i64.rotl (local.get 0) (i64.const 13)))
  (func $start
    (global.set $counter (i64.load (i32.const 1024))))
  (start $start)
  (func (export "get") (result i64)
    (call_indirect (type $t)
      (i64.add (global.get $counter) (i64.load8_u (i32.const 20)))
      (i32.const 2))))
"#;

/// Functions in the large module (about 0.9 KiB of code each: ~4.4 MiB in all).
const LARGE_FUNCS: usize = 5000;

/// A deterministic pseudo-random sequence (xorshift) for generating code.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A module of `funcs` functions `(param i32 i32) (result i32)` with varied bodies (i32,
/// i64 and f64 arithmetic, memory loads and stores, ifs, short loops, calls to a few leaf
/// functions), and `run(i32) -> i64` calling each once.
pub fn large_module_wat(funcs: usize) -> String {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut out = String::with_capacity(funcs * 4096);
    out.push_str("(module\n  (memory (export \"memory\") 1)\n");
    const LEAVES: usize = 8;
    for f in 0..funcs {
        let _ = writeln!(out, "  (func $f{f} (param $a i32) (param $b i32) (result i32)");
        out.push_str("    (local $x i32) (local $y i32) (local $w i64) (local $d f64) (local $k i32)\n");
        out.push_str("    (local.set $x (local.get $a)) (local.set $y (local.get $b))\n");
        let statements = 40 + rng.below(30) as usize;
        for _ in 0..statements {
            statement(&mut rng, &mut out, f >= LEAVES, LEAVES);
        }
        out.push_str(
            "    (i32.add (i32.xor (local.get $x) (local.get $y))\n      \
             (i32.add (i32.wrap_i64 (local.get $w)) (i32.trunc_sat_f64_s (local.get $d)))))\n",
        );
    }
    out.push_str("  (func (export \"run\") (param $n i32) (result i64) (local $acc i64)\n");
    for f in 0..funcs {
        let _ = writeln!(
            out,
            "    (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 31)) \
             (i64.extend_i32_u (call $f{f} (local.get $n) (i32.const {f})))))"
        );
    }
    out.push_str("    (local.get $acc))\n)\n");
    out
}

fn statement(rng: &mut Rng, out: &mut String, may_call: bool, leaves: usize) {
    const I32_OPS: &[&str] = &["add", "sub", "mul", "xor", "or", "and", "shl", "shr_u", "rotl"];
    const I64_OPS: &[&str] = &["add", "sub", "mul", "xor", "rotr", "shr_s"];
    const F64_OPS: &[&str] = &["add", "sub", "mul", "min", "max"];
    let var = |rng: &mut Rng| if rng.below(2) == 0 { "$x" } else { "$y" };
    let c = rng.below(1 << 20) as i64 - (1 << 19);
    match rng.below(if may_call { 9 } else { 8 }) {
        0 | 1 => {
            let (dst, src) = (var(rng), var(rng));
            let op = I32_OPS[rng.below(I32_OPS.len() as u64) as usize];
            let _ = writeln!(out, "    (local.set {dst} (i32.{op} (local.get {src}) (i32.const {c})))");
        }
        2 => {
            let op = I64_OPS[rng.below(I64_OPS.len() as u64) as usize];
            let _ = writeln!(
                out,
                "    (local.set $w (i64.{op} (local.get $w) (i64.extend_i32_s (i32.add (local.get {}) (i32.const {c})))))",
                var(rng)
            );
        }
        3 => {
            let op = F64_OPS[rng.below(F64_OPS.len() as u64) as usize];
            let _ = writeln!(
                out,
                "    (local.set $d (f64.{op} (local.get $d) (f64.convert_i32_s (i32.and (local.get {}) (i32.const 0xffff)))))",
                var(rng)
            );
        }
        4 => {
            let off = rng.below(64) * 4;
            let _ = writeln!(
                out,
                "    (i32.store offset={off} (i32.and (local.get {}) (i32.const 0x7ffc)) (local.get {}))",
                var(rng),
                var(rng)
            );
        }
        5 => {
            let off = rng.below(64) * 4;
            let (dst, src) = (var(rng), var(rng));
            let _ = writeln!(
                out,
                "    (local.set {dst} (i32.add (local.get {dst}) (i32.load offset={off} (i32.and (local.get {src}) (i32.const 0x7ffc)))))"
            );
        }
        6 => {
            let (a, b) = (var(rng), var(rng));
            let _ = writeln!(
                out,
                "    (if (i32.lt_s (local.get {a}) (i32.const {c}))\n      \
                 (then (local.set {b} (i32.add (local.get {b}) (i32.const 7))))\n      \
                 (else (local.set {b} (i32.sub (local.get {a}) (local.get {b})))))"
            );
        }
        7 => {
            let n = 2 + rng.below(3);
            let v = var(rng);
            let _ = writeln!(
                out,
                "    (local.set $k (i32.const 0))\n    (block (loop\n      \
                 (local.set {v} (i32.add (i32.mul (local.get {v}) (i32.const 33)) (local.get $k)))\n      \
                 (local.set $k (i32.add (local.get $k) (i32.const 1)))\n      \
                 (br_if 0 (i32.lt_u (local.get $k) (i32.const {n})))))"
            );
        }
        _ => {
            let leaf = rng.below(leaves as u64);
            let (dst, a, b) = (var(rng), var(rng), var(rng));
            let _ = writeln!(out, "    (local.set {dst} (call $f{leaf} (local.get {a}) (local.get {b})))");
        }
    }
}
