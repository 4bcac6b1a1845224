//! Engine configuration: execution tier, enabled proposals and resource limits.

/// Which execution tier runs wasm code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tier {
    /// The interpreter over pre-translated internal code.
    #[default]
    Interpreter,
    /// Native code compiled with Cranelift (see `jit`).
    Jit,
}

impl Tier {
    /// All tiers this build supports, in the order reports list them.
    pub const ALL: &'static [Tier] = &[Tier::Interpreter, Tier::Jit];

    /// Short name used on the command line (`interp`, `jit`).
    pub fn name(self) -> &'static str {
        match self {
            Tier::Interpreter => "interp",
            Tier::Jit => "jit",
        }
    }

    /// Parses a command-line tier name.
    pub fn from_name(name: &str) -> Option<Tier> {
        Tier::ALL.iter().copied().find(|t| t.name() == name)
    }
}

/// WebAssembly proposals that can be switched on and off. The default is WebAssembly 3.0
/// ([`Features::wasm3`]); [`Features::wasm2`] is 2.0 and [`Features::mvp`] 1.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Features {
    /// Importing and exporting mutable globals.
    pub mutable_global: bool,
    /// Sign-extension operators (`i32.extend8_s`, ...).
    pub sign_ext: bool,
    /// Non-trapping float-to-int conversions (`i32.trunc_sat_f32_s`, ...).
    pub sat_float_to_int: bool,
    /// Multiple results for functions and blocks, block parameters.
    pub multi_value: bool,
    /// Bulk memory and table operations, passive segments.
    pub bulk_memory: bool,
    /// `funcref`/`externref` values, multiple tables, table instructions.
    pub reference_types: bool,
    /// 128-bit SIMD: the `v128` type and the `0xFD` instructions.
    pub simd: bool,
    /// Relaxed SIMD (WebAssembly 3.0); needs `simd`.
    pub relaxed_simd: bool,
    /// Tail calls (3.0): `return_call`, `return_call_indirect`.
    pub tail_call: bool,
    /// Extended constant expressions (3.0): `i32/i64.add/sub/mul` and `global.get` of any
    /// immutable global in constant expressions.
    pub extended_const: bool,
    /// Multiple memories (3.0): more than one memory, a memory index in memory instructions.
    pub multi_memory: bool,
    /// 64-bit memories and tables (3.0): `i64` addresses and indices.
    pub memory64: bool,
    /// Custom page sizes (a page of 1 byte or 64 KiB in the memory type).
    pub custom_page_sizes: bool,
    /// Wide arithmetic: `i64.add128`, `i64.sub128`, `i64.mul_wide_s/u`.
    pub wide_arithmetic: bool,
    /// Exception handling (3.0): tags, `throw`, `throw_ref`, `try_table`, `exnref`.
    pub exceptions: bool,
    /// The legacy exception instructions (`try`, `catch`, `catch_all`, `delegate`,
    /// `rethrow`) older toolchains emit, run by the same machinery; needs `exceptions`.
    pub legacy_exceptions: bool,
    /// Typed function references (3.0): `(ref null? $t)` types, non-nullable locals,
    /// `call_ref`, `return_call_ref`, `ref.as_non_null`, `br_on_null`, `br_on_non_null`.
    pub function_references: bool,
    /// Garbage collection (3.0): recursion groups and subtypes, struct and array types,
    /// the `any`/`eq`/`i31` hierarchy and the `0xFB` instructions; needs
    /// `function_references`.
    pub gc: bool,
}

impl Features {
    /// WebAssembly 2.0, the whole specification (SIMD included).
    pub const fn wasm2() -> Features {
        Features {
            mutable_global: true,
            sign_ext: true,
            sat_float_to_int: true,
            multi_value: true,
            bulk_memory: true,
            reference_types: true,
            simd: true,
            relaxed_simd: false,
            tail_call: false,
            extended_const: false,
            multi_memory: false,
            memory64: false,
            custom_page_sizes: false,
            wide_arithmetic: false,
            exceptions: false,
            legacy_exceptions: false,
            function_references: false,
            gc: false,
        }
    }

    /// WebAssembly 3.0 as far as this build implements it: 2.0, relaxed SIMD, tail calls,
    /// extended constants, multi-memory, memory64 and table64, exception handling, typed
    /// function references and GC, plus the custom-page-sizes and wide-arithmetic
    /// proposals.
    pub const fn wasm3() -> Features {
        Features {
            relaxed_simd: true,
            tail_call: true,
            extended_const: true,
            multi_memory: true,
            memory64: true,
            custom_page_sizes: true,
            wide_arithmetic: true,
            exceptions: true,
            function_references: true,
            gc: true,
            ..Features::wasm2()
        }
    }

    /// WebAssembly 1.0 (the W3C recommendation of 2019): every later proposal off.
    /// Importing and exporting mutable globals was merged before 1.0 was published, so it
    /// stays on; switch it off by hand for a pre-1.0 "MVP" engine.
    pub const fn mvp() -> Features {
        Features {
            mutable_global: true,
            sign_ext: false,
            sat_float_to_int: false,
            multi_value: false,
            bulk_memory: false,
            reference_types: false,
            simd: false,
            relaxed_simd: false,
            tail_call: false,
            extended_const: false,
            multi_memory: false,
            memory64: false,
            custom_page_sizes: false,
            wide_arithmetic: false,
            exceptions: false,
            legacy_exceptions: false,
            function_references: false,
            gc: false,
        }
    }
}

/// A proposal name [`Features::set`] does not know, or one this build cannot run yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeatureError {
    #[error("unknown WebAssembly feature `{name}` (known: {known})")]
    Unknown { name: String, known: String },
    #[error("WebAssembly feature `{name}` is not supported by this build yet (it can only be off)")]
    Unsupported { name: String },
}

/// The switchable proposals by their command-line names (wasmtime's `-W` spelling, with the
/// spec's proposal names as aliases).
/// The flag of one proposal inside [`Features`].
type FeatureField = fn(&mut Features) -> &mut bool;

const FEATURE_NAMES: &[(&[&str], FeatureField)] = &[
    (&["mutable-global", "mutable-globals"], |f| &mut f.mutable_global),
    (&["sign-extension", "sign-ext", "sign-extension-ops"], |f| &mut f.sign_ext),
    (&["saturating-float-to-int", "nontrapping-float-to-int", "nontrapping-float-to-int-conversions"], |f| {
        &mut f.sat_float_to_int
    }),
    (&["multi-value"], |f| &mut f.multi_value),
    (&["bulk-memory"], |f| &mut f.bulk_memory),
    (&["reference-types"], |f| &mut f.reference_types),
    (&["simd"], |f| &mut f.simd),
    (&["relaxed-simd"], |f| &mut f.relaxed_simd),
    (&["tail-call"], |f| &mut f.tail_call),
    (&["extended-const"], |f| &mut f.extended_const),
    (&["multi-memory"], |f| &mut f.multi_memory),
    (&["memory64"], |f| &mut f.memory64),
    (&["custom-page-sizes"], |f| &mut f.custom_page_sizes),
    (&["wide-arithmetic"], |f| &mut f.wide_arithmetic),
    (&["exceptions", "exception-handling"], |f| &mut f.exceptions),
    (&["legacy-exceptions"], |f| &mut f.legacy_exceptions),
    (&["function-references", "typed-function-references"], |f| &mut f.function_references),
    (&["gc"], |f| &mut f.gc),
];

/// Proposals wasmtime's `-W` knows that this build does not implement yet: accepted when
/// switched off, refused when switched on.
const UNSUPPORTED_FEATURES: &[&str] = &["threads", "shared-everything-threads", "stack-switching", "component-model"];

impl Features {
    /// The names [`Features::set`] accepts, one per proposal.
    pub fn names() -> impl Iterator<Item = &'static str> {
        FEATURE_NAMES.iter().map(|(names, _)| names[0])
    }

    /// Whether the proposal called `name` is on.
    pub fn get(&self, name: &str) -> Result<bool, FeatureError> {
        let mut copy = *self;
        Ok(*Features::field(&mut copy, name)?)
    }

    /// Switches the proposal called `name` on or off (`-W NAME=y|n`).
    pub fn set(&mut self, name: &str, on: bool) -> Result<(), FeatureError> {
        match Features::field(self, name) {
            Ok(field) => {
                *field = on;
                Ok(())
            }
            Err(FeatureError::Unsupported { .. }) if !on => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn field<'a>(&'a mut self, name: &str) -> Result<&'a mut bool, FeatureError> {
        if let Some((_, field)) = FEATURE_NAMES.iter().find(|(names, _)| names.contains(&name)) {
            return Ok(field(self));
        }
        if UNSUPPORTED_FEATURES.contains(&name) {
            return Err(FeatureError::Unsupported { name: name.to_string() });
        }
        let known: Vec<&str> = Features::names().chain(UNSUPPORTED_FEATURES.iter().copied()).collect();
        Err(FeatureError::Unknown { name: name.to_string(), known: known.join(", ") })
    }
}

impl Default for Features {
    /// WebAssembly 3.0 ([`Features::wasm3`]).
    fn default() -> Features {
        Features::wasm3()
    }
}

/// Resource limits enforced at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest number of 64 KiB pages any memory may grow to (beyond its declared maximum,
    /// this is a host limit: `memory.grow` returns -1 past it, and a larger minimum fails
    /// instantiation). It caps bytes: a memory of 1-byte pages may have this many times
    /// 65536 pages; a memory64 no more than a 32-bit one.
    pub max_memory_pages: u64,
    /// Largest number of elements any table may grow to.
    pub max_table_elements: u64,
    /// Deepest wasm call nesting before "call stack exhausted".
    pub max_call_depth: u32,
    /// Largest number of value-stack slots (locals and operands) of all active frames.
    pub max_value_stack: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_memory_pages: 65536,
            max_table_elements: 10_000_000,
            max_call_depth: 20_000,
            max_value_stack: 1 << 20,
        }
    }
}

/// How JIT code keeps linear-memory accesses in bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoundsChecks {
    /// Each memory reserves 8 GiB + a page of address space with only the accessible part
    /// mapped; loads and stores carry no check, and an access outside faults and becomes
    /// "out of bounds memory access" in the signal handler. Only on x86-64 Linux.
    GuardPages,
    /// Every load and store compares its effective address with the memory's length.
    /// Memories are plain heap allocations.
    Explicit,
}

impl Default for BoundsChecks {
    /// Guard pages on x86-64 Linux, explicit checks elsewhere. The environment variable
    /// `WASMSCOPE_BOUNDS_CHECKS=explicit` (or `guard`) overrides it, so that whole runs (the
    /// spec suite) can be repeated with the other strategy.
    fn default() -> BoundsChecks {
        match std::env::var("WASMSCOPE_BOUNDS_CHECKS").as_deref() {
            Ok("explicit") => return BoundsChecks::Explicit,
            Ok("guard") if cfg!(all(target_arch = "x86_64", target_os = "linux")) => {
                return BoundsChecks::GuardPages;
            }
            _ => {}
        }
        if cfg!(all(target_arch = "x86_64", target_os = "linux")) {
            BoundsChecks::GuardPages
        } else {
            BoundsChecks::Explicit
        }
    }
}

/// When the JIT tier compiles a module's functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JitCompile {
    /// `Eager` for a module with less than [`JitCompile::AUTO_EAGER_CODE_BYTES`] of
    /// function bodies (compiled on all threads in tens of milliseconds, then no compile
    /// ever interrupts the run), `Tiered` for a larger one (which starts at once). The
    /// default.
    Auto,
    /// Each function on its first call (from the embedder, from another function, or
    /// through a table), and meanwhile the whole module on a background thread, which
    /// then replaces the lazily compiled code (calls between its functions are direct).
    /// A large module starts running at once and ends at eager code's speed.
    Tiered,
    /// Each function on its first call, and only then: functions never called are never
    /// compiled. Calls from a function to one compiled later go through a table.
    Lazy,
    /// The whole module in `Module::new`, on several threads for large modules.
    Eager,
}

impl JitCompile {
    pub const ALL: &'static [JitCompile] = &[JitCompile::Auto, JitCompile::Tiered, JitCompile::Lazy, JitCompile::Eager];

    /// Below this much function-body code, `Auto` compiles eagerly: about 60 ms of
    /// Cranelift on one core (the real-program set's largest module, 45 KiB of code,
    /// takes 55-65 ms), less on several.
    pub const AUTO_EAGER_CODE_BYTES: usize = 128 * 1024;

    /// What `self` means for a module with `code_bytes` of function bodies: never `Auto`.
    pub fn resolve(self, code_bytes: usize) -> JitCompile {
        match self {
            JitCompile::Auto if code_bytes < Self::AUTO_EAGER_CODE_BYTES => JitCompile::Eager,
            JitCompile::Auto => JitCompile::Tiered,
            other => other,
        }
    }

    /// The command-line names (`auto`, `tiered`, `lazy`, `eager`).
    pub fn name(self) -> &'static str {
        match self {
            JitCompile::Auto => "auto",
            JitCompile::Tiered => "tiered",
            JitCompile::Lazy => "lazy",
            JitCompile::Eager => "eager",
        }
    }

    /// Parses a command-line name.
    pub fn from_name(name: &str) -> Option<JitCompile> {
        JitCompile::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl Default for JitCompile {
    /// Auto. The environment variable `WASMSCOPE_JIT_COMPILE` (`auto`, `tiered`, `lazy`
    /// or `eager`) overrides it, so that whole runs (the spec suite) can be repeated each
    /// way.
    fn default() -> JitCompile {
        std::env::var("WASMSCOPE_JIT_COMPILE").ok().and_then(|v| JitCompile::from_name(&v)).unwrap_or(JitCompile::Auto)
    }
}

/// Everything an [`crate::Engine`] is configured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Config {
    pub tier: Tier,
    pub features: Features,
    pub limits: Limits,
    /// Bounds-check strategy of the JIT tier (ignored by the interpreter, which always
    /// checks).
    pub bounds_checks: BoundsChecks,
    /// Charge every executed instruction against the store's fuel (see [`crate::fuel`]);
    /// running out traps with `OutOfFuel`. Off by default (it costs a check per segment).
    pub consume_fuel: bool,
    /// When the JIT tier compiles (ignored by the interpreter, which always translates
    /// each function on its first call).
    pub jit_compile: JitCompile,
}

impl Config {
    /// The default configuration on `tier`.
    pub fn with_tier(tier: Tier) -> Config {
        Config { tier, ..Config::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_compiles_small_modules_eagerly_and_large_ones_tiered() {
        let limit = JitCompile::AUTO_EAGER_CODE_BYTES;
        assert_eq!(JitCompile::Auto.resolve(0), JitCompile::Eager);
        assert_eq!(JitCompile::Auto.resolve(limit - 1), JitCompile::Eager);
        assert_eq!(JitCompile::Auto.resolve(limit), JitCompile::Tiered);
        for mode in [JitCompile::Tiered, JitCompile::Lazy, JitCompile::Eager] {
            assert_eq!(mode.resolve(0), mode);
            assert_eq!(mode.resolve(usize::MAX), mode);
        }
        for mode in JitCompile::ALL {
            assert_eq!(JitCompile::from_name(mode.name()), Some(*mode));
        }
        assert_eq!(JitCompile::from_name("auto"), Some(JitCompile::Auto));
    }

    #[test]
    fn features_switch_by_name() {
        let mut f = Features::wasm2();
        f.set("bulk-memory", false).expect("known");
        assert!(!f.bulk_memory);
        assert_eq!(f.get("bulk-memory"), Ok(false));
        f.set("nontrapping-float-to-int", false).expect("alias");
        assert!(!f.sat_float_to_int);
        assert_eq!(f.set("simd", false), Ok(()));
        assert!(!f.simd);
        assert_eq!(f.set("wide-arithmetic", true), Ok(()));
        assert!(f.wide_arithmetic);
        assert_eq!(f.set("exceptions", false), Ok(()));
        assert_eq!(f.set("exceptions", true), Ok(()));
        assert!(f.exceptions);
        let e = f.set("bulk-memroy", true).expect_err("typo");
        assert!(e.to_string().contains("bulk-memory"), "{e}");
        assert_eq!(Features::names().count(), FEATURE_NAMES.len());
        assert!(Features::names().any(|n| n == "tail-call"));
        assert_eq!(Features::wasm3().get("memory64"), Ok(true));
    }
}
