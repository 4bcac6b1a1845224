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

/// WebAssembly proposals that can be switched on and off. The default is WebAssembly 2.0
/// without SIMD; [`Features::mvp`] is WebAssembly 1.0.
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
}

impl Features {
    /// WebAssembly 2.0 without SIMD (the default).
    pub const fn wasm2() -> Features {
        Features {
            mutable_global: true,
            sign_ext: true,
            sat_float_to_int: true,
            multi_value: true,
            bulk_memory: true,
            reference_types: true,
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
        }
    }
}

impl Default for Features {
    fn default() -> Features {
        Features::wasm2()
    }
}

/// Resource limits enforced at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest number of 64 KiB pages any memory may grow to (beyond its declared maximum,
    /// this is a host limit: `memory.grow` returns -1 past it).
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
}

impl Config {
    /// The default configuration on `tier`.
    pub fn with_tier(tier: Tier) -> Config {
        Config { tier, ..Config::default() }
    }
}
