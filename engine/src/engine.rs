//! [`Engine`] (a configuration shared by stores) and [`Module`] (a decoded, validated
//! module with its lazily translated code).

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::config::{BoundsChecks, Config, JitCompile, Tier};
use crate::error::Error;
use crate::jit::{CompiledModule, JitError};
use crate::syntax::{self, FuncType};
use crate::translate::{self, CompiledFunc, ModuleContext, TranslateError};

/// Configuration shared by every store and module created from it. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    config: Arc<Config>,
}

impl Engine {
    pub fn new(config: Config) -> Engine {
        Engine { config: Arc::new(config) }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// Threads a background compilation may use: all processors but the one running the
/// program (looked up once: the lookup reads cgroup files).
fn background_threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).saturating_sub(1).max(1))
}

/// A decoded and validated module. Cheap to clone; instances of it share its translated
/// code.
#[derive(Debug, Clone)]
pub struct Module {
    inner: Arc<ModuleInner>,
}

#[derive(Debug)]
struct ModuleInner {
    syntax: syntax::Module,
    /// Type index of every function in the function index space.
    func_types: Vec<u32>,
    /// The value type of every global (imports first), for the translator.
    global_types: Vec<crate::syntax::ValType>,
    /// Every memory's and every table's type (imports first), for the translator.
    memory_types: Vec<crate::syntax::MemoryType>,
    table_types: Vec<crate::syntax::TableType>,
    /// The type index of every tag, in the tag index space.
    tag_types: Vec<u32>,
    /// Translated code of each defined function, filled on first call.
    compiled: Vec<OnceLock<Result<Arc<CompiledFunc>, TranslateError>>>,
    /// The same without superinstructions, for debugged calls.
    compiled_debug: Vec<OnceLock<Result<Arc<CompiledFunc>, TranslateError>>>,
    /// Whether JIT code checks bounds explicitly (from the engine the module was made on).
    explicit_bounds: bool,
    /// Whether translated code charges fuel (from the engine's `consume_fuel`).
    consume_fuel: bool,
    /// When the JIT compiles.
    jit_compile: JitCompile,
    /// The module's native code (on a JIT-tier engine: made in `Module::new`, compiled
    /// there or on first calls, see [`JitCompile`]).
    jit: OnceLock<Result<Arc<CompiledModule>, JitError>>,
    /// How long an eager compilation that failed took.
    failed_compile_time: OnceLock<Duration>,
}

impl Module {
    /// Decodes (spec §5) and validates (spec §3) a module binary.
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        let features = &engine.config().features;
        // One pass over the code: the decoder validates each body as it reads it.
        let (syntax, bodies) = crate::binary::decode_validating(bytes, features)?;
        crate::valid::validate_with_bodies(&syntax, features, bodies)?;
        let config = engine.config();
        let explicit_bounds = config.bounds_checks == BoundsChecks::Explicit;
        let module = Module::from_validated(syntax, explicit_bounds, config.consume_fuel, config.jit_compile);
        if config.tier == Tier::Jit {
            // Eager: the whole module is compiled now, so `compile_time` is known. A module
            // the JIT cannot compile still runs, on the interpreter.
            let _ = module.jit();
        }
        Ok(module)
    }

    fn from_validated(
        syntax: syntax::Module,
        explicit_bounds: bool,
        consume_fuel: bool,
        jit_compile: JitCompile,
    ) -> Module {
        let func_types = syntax.func_type_indices();
        let global_types = syntax.global_types().iter().map(|g| g.content).collect();
        let (memory_types, table_types) = (syntax.memory_types(), syntax.table_types());
        let tag_types = syntax.tag_type_indices();
        let compiled = (0..syntax.code.len()).map(|_| OnceLock::new()).collect();
        let compiled_debug = (0..syntax.code.len()).map(|_| OnceLock::new()).collect();
        Module {
            inner: Arc::new(ModuleInner {
                syntax,
                func_types,
                global_types,
                memory_types,
                table_types,
                tag_types,
                compiled,
                compiled_debug,
                explicit_bounds,
                consume_fuel,
                jit_compile,
                jit: OnceLock::new(),
                failed_compile_time: OnceLock::new(),
            }),
        }
    }

    /// Time the JIT has spent compiling this module so far (`None` on the interpreter
    /// tier). Compiled lazily, it grows as functions are first called.
    pub fn compile_time(&self) -> Option<Duration> {
        match self.inner.jit.get()? {
            Ok(c) => Some(c.progress().1),
            Err(_) => self.inner.failed_compile_time.get().copied(),
        }
    }

    /// How many of the module's defined functions the JIT has compiled so far, of how many
    /// (`None` on the interpreter tier).
    pub fn compiled_functions(&self) -> Option<(usize, usize)> {
        let c = self.inner.jit.get()?.as_ref().ok()?;
        Some((c.progress().0, self.inner.syntax.code.len()))
    }

    /// Why the JIT could not compile this module, or (compiled lazily) the first function
    /// that failed, if any. Such functions run on the interpreter when entered from the
    /// embedder, and trap when called from JIT code.
    pub fn jit_error(&self) -> Option<&JitError> {
        match self.inner.jit.get()? {
            Ok(c) => c.first_error(),
            Err(e) => Some(e),
        }
    }

    /// When the JIT compiles this module's functions (the configured mode, `Auto`
    /// resolved by the module's code size).
    pub fn jit_compile(&self) -> JitCompile {
        let i = &self.inner;
        let code_bytes: usize = i.syntax.code.iter().map(|b| (b.range.end - b.range.start) as usize).sum();
        i.jit_compile.resolve(code_bytes)
    }

    /// The module's native code, compiling it on first use.
    pub(crate) fn jit(&self) -> Result<Arc<CompiledModule>, JitError> {
        self.inner
            .jit
            .get_or_init(|| {
                let start = Instant::now();
                let i = &self.inner;
                let mode = self.jit_compile();
                let lazy = mode != JitCompile::Eager;
                let r = crate::jit::compile(&i.syntax, i.explicit_bounds, i.consume_fuel, lazy);
                match &r {
                    Ok(c) if mode == JitCompile::Tiered => self.compile_in_background(c.clone()),
                    Ok(_) => {}
                    Err(_) => {
                        let _ = self.inner.failed_compile_time.set(start.elapsed());
                    }
                }
                r
            })
            .clone()
    }

    /// Starts compiling the whole module on a background thread (tiered compilation). The
    /// thread stops early once nothing else holds the module.
    fn compile_in_background(&self, compiled: Arc<CompiledModule>) {
        let inner = self.inner.clone();
        let threads = background_threads();
        let spawned = std::thread::Builder::new().name("wasmscope-jit".into()).spawn(move || {
            let dropped = || Arc::strong_count(&inner) == 1;
            // A failure leaves the lazily compiled code in place, which is correct code.
            let _ = compiled.compile_all(&inner.syntax, threads, &dropped);
        });
        // Without a thread (the system refused one), functions stay lazily compiled.
        drop(spawned);
    }

    /// The decoded module structure.
    pub fn syntax(&self) -> &syntax::Module {
        &self.inner.syntax
    }

    pub fn imports(&self) -> &[syntax::Import] {
        &self.inner.syntax.imports
    }

    pub fn exports(&self) -> &[syntax::Export] {
        &self.inner.syntax.exports
    }

    /// The type of function `index` in the module's function index space.
    pub fn func_type(&self, index: u32) -> Option<&FuncType> {
        let ti = *self.inner.func_types.get(index as usize)?;
        self.inner.syntax.func_type(ti)
    }

    /// The name of function `index` from the name section, if any.
    pub fn func_name(&self, index: u32) -> Option<&str> {
        self.inner.syntax.names.functions.get(&index).map(String::as_str)
    }

    /// The translated code of function `index` (an index in the function index space that
    /// names a defined function), translating it on first use.
    /// With `debug`, the translation without superinstructions, where every executed wasm
    /// instruction is one op (what the debugger steps through).
    pub(crate) fn compiled(&self, index: u32, debug: bool) -> Result<Arc<CompiledFunc>, TranslateError> {
        let fail = |message| TranslateError { offset: 0, message };
        let imported = self.inner.func_types.len() - self.inner.syntax.code.len();
        let def = (index as usize).checked_sub(imported).ok_or(fail("not a defined function"))?;
        let cache = if debug { &self.inner.compiled_debug } else { &self.inner.compiled };
        let cell = cache.get(def).ok_or(fail("unknown function"))?;
        cell.get_or_init(|| {
            let syntax = &self.inner.syntax;
            let ti = *self.inner.func_types.get(index as usize).ok_or(fail("unknown function"))?;
            let body = syntax.code.get(def).ok_or(fail("unknown function"))?;
            let ctx = ModuleContext {
                types: &syntax.types,
                canonical: &syntax.canonical,
                func_types: &self.inner.func_types,
                consume_fuel: self.inner.consume_fuel,
                global_types: &self.inner.global_types,
                memories: &self.inner.memory_types,
                tables: &self.inner.table_types,
                tags: &self.inner.tag_types,
            };
            translate::translate(&ctx, ti, body, !debug).map(Arc::new)
        })
        .clone()
    }
}
