//! Runs one `.wast` script on one tier: one method per directive kind, each producing an
//! [`Outcome`]. Nothing here panics on script input; engine panics are caught and
//! reported as failures of the directive that caused them.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use wasmscope_engine::{
    Config, Engine, Error, Extern, Features, Instance, Linker, Module, Store, Tier, Trap, TrapCode, Val,
};
use wast::lexer::Lexer;
use wast::parser::ParseBuffer;
use wast::token::{Id, Span};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, Wat};

use crate::expected::ExpectedFailures;
use crate::values::{self, Expected};

/// What happened to one directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// Expected vs got.
    Fail(String),
    /// Why the directive was not run (a feature outside the claimed set).
    Skip(String),
    /// Failed, and listed in `expected-failures.txt`: (listed reason, what failed).
    ExpectedFailure {
        listed: String,
        got: String,
    },
}

/// The spec's message and ours, for a directive that was rejected or trapped as required
/// but with different wording. Does not fail the directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMismatch {
    pub expected: String,
    pub got: String,
}

/// The result of one directive.
#[derive(Debug, Clone)]
pub struct DirectiveResult {
    /// 1-based line of the directive.
    pub line: usize,
    /// `assert_return`, `module`, ...
    pub kind: &'static str,
    pub outcome: Outcome,
    pub message_mismatch: Option<MessageMismatch>,
    /// Set when the directive passed although `expected-failures.txt` lists it (the
    /// listed reason): the list is stale and the run fails.
    pub unexpected_pass: Option<String>,
}

/// The outcome of one `invoke` or `get`, in a form comparable across tiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokeRecord {
    pub line: usize,
    pub outcome: String,
}

/// Everything one script run on one tier produced.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub name: String,
    pub tier: Tier,
    pub directives: Vec<DirectiveResult>,
    /// Every invoke/get in script order, for cross-tier comparison.
    pub invokes: Vec<InvokeRecord>,
    /// Lines listed in `expected-failures.txt` for this file that name no directive.
    pub stale_expected: Vec<usize>,
}

impl FileReport {
    fn count(&self, f: impl Fn(&DirectiveResult) -> bool) -> usize {
        self.directives.iter().filter(|d| f(d)).count()
    }
    pub fn passed(&self) -> usize {
        self.count(|d| d.outcome == Outcome::Pass)
    }
    pub fn failed(&self) -> usize {
        self.count(|d| matches!(d.outcome, Outcome::Fail(_)))
    }
    pub fn skipped(&self) -> usize {
        self.count(|d| matches!(d.outcome, Outcome::Skip(_)))
    }
    pub fn expected_failures(&self) -> usize {
        self.count(|d| matches!(d.outcome, Outcome::ExpectedFailure { .. }))
    }
    pub fn message_mismatches(&self) -> usize {
        self.count(|d| d.message_mismatch.is_some())
    }
    pub fn unexpected_passes(&self) -> usize {
        self.count(|d| d.unexpected_pass.is_some())
    }
    /// No unexpected failure and no unexpected pass.
    pub fn is_success(&self) -> bool {
        self.failed() == 0 && self.unexpected_passes() == 0
    }
}

/// Runs `text` (named `name` in reports and in `expected`) on `tier`.
pub fn run_script(name: &str, text: &str, features: Features, tier: Tier, expected: &ExpectedFailures) -> FileReport {
    let mut report = FileReport {
        name: name.to_string(),
        tier,
        directives: Vec::new(),
        invokes: Vec::new(),
        stale_expected: Vec::new(),
    };
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let parsed = ParseBuffer::new_with_lexer(lexer).and_then(|buf| {
        // The directives borrow `buf`, so run them inside this closure.
        let wast = wast::parser::parse::<Wast<'_>>(&buf)?;
        let config = Config { tier, features, ..Config::default() };
        let mut runner = Runner::new(config, text);
        for directive in wast.directives {
            let line = line_of(text, directive.span());
            let kind = kind_name(&directive);
            runner.line = line;
            let verdict = match catch_unwind(AssertUnwindSafe(|| runner.directive(directive))) {
                Ok(v) => v,
                Err(payload) => Verdict::fail(format!("engine panicked: {}", panic_message(&*payload))),
            };
            report.directives.push(apply_expected(name, line, kind, verdict, expected));
        }
        report.invokes = std::mem::take(&mut runner.invokes);
        Ok(())
    });
    if let Err(mut e) = parsed {
        e.set_text(text);
        report.directives.push(DirectiveResult {
            line: line_of(text, e.span()),
            kind: "script",
            outcome: Outcome::Fail(format!("script does not parse: {}", e.message())),
            message_mismatch: None,
            unexpected_pass: None,
        });
    }
    for (line, _) in expected.for_file(name) {
        if !report.directives.iter().any(|d| d.line == line) {
            report.stale_expected.push(line);
        }
    }
    report
}

fn apply_expected(
    file: &str,
    line: usize,
    kind: &'static str,
    verdict: Verdict,
    expected: &ExpectedFailures,
) -> DirectiveResult {
    let listed = expected.get(file, line);
    let mut unexpected_pass = None;
    let outcome = match (listed, verdict.outcome) {
        (Some(reason), Outcome::Fail(got)) => Outcome::ExpectedFailure { listed: reason.to_string(), got },
        (Some(reason), Outcome::Pass) => {
            unexpected_pass = Some(reason.to_string());
            Outcome::Pass
        }
        (_, o) => o,
    };
    DirectiveResult { line, kind, outcome, message_mismatch: verdict.mismatch, unexpected_pass }
}

/// 1-based line of a span.
pub fn line_of(text: &str, span: Span) -> usize {
    span.linecol_in(text).0 + 1
}

fn kind_name(d: &WastDirective<'_>) -> &'static str {
    match d {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { exec: WastExecute::Wat(_), .. } => "assert_uninstantiable",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

/// A caught panic's message.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let msg = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    };
    match crate::take_panic_location() {
        Some(loc) => format!("{msg} (at {loc})"),
        None => msg,
    }
}

/// A directive's verdict before `expected-failures.txt` is applied.
struct Verdict {
    outcome: Outcome,
    mismatch: Option<MessageMismatch>,
}

impl Verdict {
    fn pass() -> Verdict {
        Verdict { outcome: Outcome::Pass, mismatch: None }
    }
    fn fail(why: impl Into<String>) -> Verdict {
        Verdict { outcome: Outcome::Fail(why.into()), mismatch: None }
    }
    fn skip(why: impl Into<String>) -> Verdict {
        Verdict { outcome: Outcome::Skip(why.into()), mismatch: None }
    }
    /// A pass whose engine message is checked against the spec's.
    fn pass_with_message(expected: &str, got: &str) -> Verdict {
        let mismatch = (!message_matches(expected, got))
            .then(|| MessageMismatch { expected: expected.to_string(), got: got.to_string() });
        Verdict { outcome: Outcome::Pass, mismatch }
    }
}

/// Whether our message matches the spec's, the way the reference runners compare: the
/// spec text is a prefix or substring of ours (or ours of the spec's, which sometimes
/// appends details such as an index).
pub fn message_matches(expected: &str, got: &str) -> bool {
    let (e, g) = (expected.trim(), got.trim());
    g.contains(e) || (!g.is_empty() && e.starts_with(g))
}

/// Result of running an `invoke`/`get`/module execution.
enum Exec {
    Done(Result<Vec<Val>, Error>),
    /// Not runnable on this engine (unsupported value type): skip reason.
    Skip(String),
    /// The script refers to something that does not exist (no module, no export).
    Broken(String),
}

/// The phase an engine error comes from.
fn phase(e: &Error) -> &'static str {
    match e {
        Error::Decode(_) => "malformed",
        Error::Validate(_) => "invalid",
        Error::Link(_) => "unlinkable",
        Error::Trap(_) => "trap",
        Error::Usage(_) => "usage error",
    }
}

/// The bare message of an engine error (what the spec's text is compared against).
pub fn error_message(e: &Error) -> String {
    match e {
        Error::Decode(d) => d.message.clone(),
        Error::Validate(v) => v.message.clone(),
        Error::Link(l) => l.message.clone(),
        Error::Trap(t) => trap_message(t),
        Error::Usage(s) => s.clone(),
    }
}

fn trap_message(t: &Trap) -> String {
    match (&t.code, &t.message) {
        (TrapCode::Host, Some(m)) => m.clone(),
        (c, Some(m)) => format!("{}: {m}", c.message()),
        (c, None) => c.message().to_string(),
    }
}

/// A failure's account of an engine error: its phase and message, and for a module that
/// does not decode or validate, where.
fn describe(e: &Error) -> String {
    let at = match e {
        Error::Decode(d) => format!(" (at byte offset {:#x})", d.offset),
        Error::Validate(v) => format!(" (at byte offset {:#x})", v.offset),
        _ => String::new(),
    };
    format!("{}: {}{at}", phase(e), error_message(e))
}

fn is_component(wat: &QuoteWat<'_>) -> bool {
    matches!(wat, QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_)))
}

/// Per-script interpreter state: one engine, store and linker per tier.
struct Runner<'t> {
    engine: Engine,
    store: Store,
    linker: Linker,
    /// Setup problem that makes every directive fail (e.g. the spectest module).
    broken: Option<String>,
    current: Option<Instance>,
    /// Line of the last `module` that failed, when there is no current module because of it.
    failed_module: Option<usize>,
    named: HashMap<String, Instance>,
    /// Modules of `module definition`, by name ("" for an unnamed one).
    definitions: HashMap<String, Module>,
    invokes: Vec<InvokeRecord>,
    line: usize,
    _text: &'t str,
}

impl<'t> Runner<'t> {
    fn new(config: Config, text: &'t str) -> Runner<'t> {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine);
        let mut linker = Linker::new();
        let broken = crate::spectest::define(&mut store, &mut linker)
            .err()
            .map(|e| format!("could not create the spectest module: {e}"));
        Runner {
            engine,
            store,
            linker,
            broken,
            current: None,
            failed_module: None,
            named: HashMap::new(),
            definitions: HashMap::new(),
            invokes: Vec::new(),
            line: 0,
            _text: text,
        }
    }

    fn directive(&mut self, d: WastDirective<'_>) -> Verdict {
        if let Some(b) = &self.broken {
            return Verdict::fail(b.clone());
        }
        match d {
            WastDirective::Module(wat) => self.module(wat),
            WastDirective::Register { name, module, .. } => self.register(name, module),
            WastDirective::Invoke(inv) => self.invoke_directive(&inv),
            WastDirective::AssertReturn { exec, results, .. } => self.assert_return(exec, &results),
            WastDirective::AssertTrap { exec: WastExecute::Wat(wat), message, .. } => {
                self.assert_uninstantiable(wat, message)
            }
            WastDirective::AssertTrap { exec, message, .. } => self.assert_trap(exec, message),
            WastDirective::AssertExhaustion { call, message, .. } => self.assert_exhaustion(&call, message),
            WastDirective::AssertMalformed { module, message, .. } => self.assert_malformed(module, message),
            WastDirective::AssertInvalid { module, message, .. } => self.assert_invalid(module, message),
            WastDirective::AssertUnlinkable { module, message, .. } => self.assert_unlinkable(module, message),
            WastDirective::ModuleDefinition(wat) => self.module_definition(wat),
            WastDirective::ModuleInstance { instance, module, .. } => self.module_instance(instance, module),
            WastDirective::AssertInvalidCustom { .. } | WastDirective::AssertMalformedCustom { .. } => {
                Verdict::skip("custom-section assertions belong to the annotations proposal")
            }
            WastDirective::AssertException { exec, .. } => self.assert_exception(exec),
            WastDirective::AssertSuspension { .. } => Verdict::skip("stack switching is not part of WebAssembly 2.0"),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                Verdict::skip("threads are not part of WebAssembly 2.0")
            }
        }
    }

    // ---- helpers ----

    fn compile(&self, bytes: &[u8]) -> Result<Module, Error> {
        Module::new(&self.engine, bytes)
    }

    /// Encodes a script module. Text modules run with 1.0 features get their element
    /// segments re-encoded in the 1.0 form (see [`crate::downlevel`]).
    fn encode(&self, wat: &mut QuoteWat<'_>) -> Result<Vec<u8>, wast::Error> {
        let text = !matches!(wat, QuoteWat::Wat(Wat::Module(m)) if matches!(m.kind, wast::core::ModuleKind::Binary(_)));
        let bytes = wat.encode()?;
        Ok(self.downlevel(bytes, text))
    }

    fn encode_wat(&self, wat: &mut Wat<'_>) -> Result<Vec<u8>, wast::Error> {
        let text = !matches!(wat, Wat::Module(m) if matches!(m.kind, wast::core::ModuleKind::Binary(_)));
        let bytes = wat.encode()?;
        Ok(self.downlevel(bytes, text))
    }

    fn downlevel(&self, bytes: Vec<u8>, text: bool) -> Vec<u8> {
        let f = self.engine.config().features;
        if text && !f.bulk_memory && !f.reference_types { crate::downlevel::mvp_elements(&bytes) } else { bytes }
    }

    fn instance(&self, id: Option<Id<'_>>) -> Result<Instance, String> {
        match id {
            Some(id) => self
                .named
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("no module named ${} was instantiated", id.name())),
            None => self.current.ok_or_else(|| match self.failed_module {
                Some(line) => format!("no module is instantiated (the module at line {line} failed)"),
                None => "no module is instantiated".to_string(),
            }),
        }
    }

    fn invoke(&mut self, inv: &WastInvoke<'_>) -> Exec {
        let inst = match self.instance(inv.module) {
            Ok(i) => i,
            Err(e) => return Exec::Broken(e),
        };
        let func = match inst.export(&self.store, inv.name) {
            Some(Extern::Func(f)) => f,
            Some(_) => return Exec::Broken(format!("export \"{}\" is not a function", inv.name)),
            None => return Exec::Broken(format!("no export \"{}\"", inv.name)),
        };
        let mut args = Vec::with_capacity(inv.args.len());
        for a in &inv.args {
            match values::arg_to_val(a) {
                Ok(v) => args.push(v),
                Err(why) => return Exec::Skip(why),
            }
        }
        Exec::Done(func.call(&mut self.store, &args))
    }

    fn get(&mut self, module: Option<Id<'_>>, global: &str) -> Exec {
        let inst = match self.instance(module) {
            Ok(i) => i,
            Err(e) => return Exec::Broken(e),
        };
        match inst.export(&self.store, global) {
            Some(Extern::Global(g)) => Exec::Done(Ok(vec![g.get(&self.store)])),
            Some(_) => Exec::Broken(format!("export \"{global}\" is not a global")),
            None => Exec::Broken(format!("no export \"{global}\"")),
        }
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Exec {
        match exec {
            WastExecute::Invoke(inv) => self.invoke(&inv),
            WastExecute::Get { module, global, .. } => self.get(module, global),
            WastExecute::Wat(Wat::Component(_)) => Exec::Skip("component model".to_string()),
            WastExecute::Wat(mut wat) => {
                let bytes = match self.encode_wat(&mut wat) {
                    Ok(b) => b,
                    Err(e) => return Exec::Broken(format!("text module does not encode: {}", e.message())),
                };
                let module = match self.compile(&bytes) {
                    Ok(m) => m,
                    Err(e) => return Exec::Done(Err(e)),
                };
                Exec::Done(self.linker.instantiate(&mut self.store, &module).map(|_| Vec::new()))
            }
        }
    }

    /// Records an invoke's outcome for the cross-tier comparison.
    fn record(&mut self, exec: &Exec, expected: Option<&[Expected]>) {
        let outcome = match exec {
            Exec::Done(Ok(vals)) => {
                let items: Vec<String> = vals
                    .iter()
                    .enumerate()
                    .map(|(i, v)| values::comparable(v, expected.and_then(|e| e.get(i))))
                    .collect();
                format!("returned [{}]", items.join(", "))
            }
            Exec::Done(Err(e)) => describe(e),
            Exec::Skip(why) => format!("skipped: {why}"),
            Exec::Broken(why) => format!("not run: {why}"),
        };
        self.invokes.push(InvokeRecord { line: self.line, outcome });
    }

    // ---- one method per directive kind ----

    fn module(&mut self, mut wat: QuoteWat<'_>) -> Verdict {
        if is_component(&wat) {
            return Verdict::skip("component model");
        }
        let name = wat.name().map(|id| id.name().to_string());
        // A failed module leaves no current module, so later invokes fail clearly.
        self.current = None;
        self.failed_module = Some(self.line);
        let bytes = match self.encode(&mut wat) {
            Ok(b) => b,
            Err(e) => return Verdict::fail(format!("text module does not encode: {}", e.message())),
        };
        let module = match self.compile(&bytes) {
            Ok(m) => m,
            Err(e) => return Verdict::fail(format!("expected a valid module, got {}", describe(&e))),
        };
        match self.linker.instantiate(&mut self.store, &module) {
            Ok(inst) => {
                self.current = Some(inst);
                self.failed_module = None;
                if let Some(n) = name {
                    self.named.insert(n, inst);
                }
                Verdict::pass()
            }
            Err(e) => Verdict::fail(format!("expected the module to instantiate, got {}", describe(&e))),
        }
    }

    /// `(module definition $d ...)` (3.0 scripts): the module must be valid; it is kept,
    /// uninstantiated, for `module instance`.
    fn module_definition(&mut self, mut wat: QuoteWat<'_>) -> Verdict {
        if is_component(&wat) {
            return Verdict::skip("component model");
        }
        let name = wat.name().map(|id| id.name().to_string());
        let bytes = match self.encode(&mut wat) {
            Ok(b) => b,
            Err(e) => return Verdict::fail(format!("text module does not encode: {}", e.message())),
        };
        match self.compile(&bytes) {
            Ok(m) => {
                self.definitions.insert(name.unwrap_or_default(), m);
                Verdict::pass()
            }
            Err(e) => Verdict::fail(format!("expected a valid module, got {}", describe(&e))),
        }
    }

    /// `(module instance $i $d)`: instantiates definition `$d` (the last unnamed one
    /// without a name) as the current module, named `$i`.
    fn module_instance(&mut self, instance: Option<Id<'_>>, module: Option<Id<'_>>) -> Verdict {
        let key = module.map(|id| id.name().to_string()).unwrap_or_default();
        let Some(m) = self.definitions.get(&key).cloned() else {
            return Verdict::fail(format!("no module definition named ${key}"));
        };
        self.current = None;
        self.failed_module = Some(self.line);
        match self.linker.instantiate(&mut self.store, &m) {
            Ok(inst) => {
                self.current = Some(inst);
                self.failed_module = None;
                if let Some(id) = instance {
                    self.named.insert(id.name().to_string(), inst);
                }
                Verdict::pass()
            }
            Err(e) => Verdict::fail(format!("expected the module to instantiate, got {}", describe(&e))),
        }
    }

    fn register(&mut self, name: &str, module: Option<Id<'_>>) -> Verdict {
        match self.instance(module) {
            Ok(inst) => {
                self.linker.define_instance(&self.store, name, inst);
                Verdict::pass()
            }
            Err(e) => Verdict::fail(format!("cannot register \"{name}\": {e}")),
        }
    }

    fn invoke_directive(&mut self, inv: &WastInvoke<'_>) -> Verdict {
        let r = self.invoke(inv);
        self.record(&r, None);
        match r {
            Exec::Done(Ok(_)) => Verdict::pass(),
            Exec::Done(Err(e)) => Verdict::fail(format!("expected the call to return, got {}", describe(&e))),
            Exec::Skip(why) => Verdict::skip(why),
            Exec::Broken(why) => Verdict::fail(why),
        }
    }

    fn assert_return(&mut self, exec: WastExecute<'_>, results: &[wast::WastRet<'_>]) -> Verdict {
        let exps = match results.iter().map(values::expected_from_wast).collect::<Result<Vec<_>, _>>() {
            Ok(e) => e,
            Err(why) => return Verdict::skip(why),
        };
        let r = self.execute(exec);
        self.record(&r, Some(&exps));
        let want = values::show_expecteds(&exps);
        match r {
            Exec::Done(Ok(vals)) => {
                let ok = vals.len() == exps.len() && exps.iter().zip(&vals).all(|(e, v)| values::matches(e, v));
                if ok {
                    Verdict::pass()
                } else {
                    Verdict::fail(format!("expected {want}, got {}", values::show_vals(&vals)))
                }
            }
            Exec::Done(Err(e)) => Verdict::fail(format!("expected {want}, got {}", describe(&e))),
            Exec::Skip(why) => Verdict::skip(why),
            Exec::Broken(why) => Verdict::fail(why),
        }
    }

    /// `assert_exception`: the execution ends with an exception no wasm code caught.
    fn assert_exception(&mut self, exec: WastExecute<'_>) -> Verdict {
        let r = self.execute(exec);
        self.record(&r, None);
        match r {
            Exec::Done(Err(Error::Trap(t))) if t.code == TrapCode::UncaughtException => Verdict::pass(),
            Exec::Done(Err(e)) => Verdict::fail(format!("expected an uncaught exception, got {}", describe(&e))),
            Exec::Done(Ok(vals)) => {
                Verdict::fail(format!("expected an uncaught exception, got {}", values::show_vals(&vals)))
            }
            Exec::Skip(why) => Verdict::skip(why),
            Exec::Broken(why) => Verdict::fail(why),
        }
    }

    fn assert_trap(&mut self, exec: WastExecute<'_>, message: &str) -> Verdict {
        let r = self.execute(exec);
        self.record(&r, None);
        match r {
            Exec::Done(Err(Error::Trap(t))) if t.code == TrapCode::UncaughtException => {
                Verdict::fail(format!("expected trap \"{message}\", got {}", trap_message(&t)))
            }
            Exec::Done(Err(Error::Trap(t))) if t.code == TrapCode::CallStackExhausted => {
                Verdict::fail(format!("expected trap \"{message}\", got call stack exhaustion"))
            }
            Exec::Done(Err(Error::Trap(t))) => Verdict::pass_with_message(message, &trap_message(&t)),
            Exec::Done(Err(e)) => Verdict::fail(format!("expected trap \"{message}\", got {}", describe(&e))),
            Exec::Done(Ok(vals)) => {
                Verdict::fail(format!("expected trap \"{message}\", got {}", values::show_vals(&vals)))
            }
            Exec::Skip(why) => Verdict::skip(why),
            Exec::Broken(why) => Verdict::fail(why),
        }
    }

    fn assert_uninstantiable(&mut self, mut wat: Wat<'_>, message: &str) -> Verdict {
        let expected = format!("trap \"{message}\" during instantiation");
        let module = match self.module_expecting(&mut wat, &expected) {
            Ok(m) => m,
            Err(v) => return v,
        };
        match self.linker.instantiate(&mut self.store, &module) {
            Err(Error::Trap(t)) => Verdict::pass_with_message(message, &trap_message(&t)),
            Err(e) => Verdict::fail(format!("expected {expected}, got {}", describe(&e))),
            Ok(_) => Verdict::fail(format!("expected {expected}, module instantiated")),
        }
    }

    /// The module of an `assert_unlinkable`/`assert_uninstantiable`, which must encode and
    /// validate (else the verdict: a skip for components, a failure naming `expected`).
    fn module_expecting(&mut self, wat: &mut Wat<'_>, expected: &str) -> Result<wasmscope_engine::Module, Verdict> {
        if matches!(wat, Wat::Component(_)) {
            return Err(Verdict::skip("component model"));
        }
        let bytes =
            self.encode_wat(wat).map_err(|e| Verdict::fail(format!("text module does not encode: {}", e.message())))?;
        self.compile(&bytes).map_err(|e| Verdict::fail(format!("expected {expected}, got {}", describe(&e))))
    }

    fn assert_exhaustion(&mut self, call: &WastInvoke<'_>, message: &str) -> Verdict {
        let r = self.invoke(call);
        self.record(&r, None);
        match r {
            Exec::Done(Err(Error::Trap(t))) if t.code == TrapCode::CallStackExhausted => {
                Verdict::pass_with_message(message, &trap_message(&t))
            }
            Exec::Done(Err(e)) => Verdict::fail(format!("expected exhaustion \"{message}\", got {}", describe(&e))),
            Exec::Done(Ok(vals)) => {
                Verdict::fail(format!("expected exhaustion \"{message}\", got {}", values::show_vals(&vals)))
            }
            Exec::Skip(why) => Verdict::skip(why),
            Exec::Broken(why) => Verdict::fail(why),
        }
    }

    fn assert_malformed(&mut self, mut wat: QuoteWat<'_>, message: &str) -> Verdict {
        if is_component(&wat) {
            return Verdict::skip("component model");
        }
        // Rejected by the text format: malformed at the text phase, which is a pass (the
        // text parser is not ours, so its wording is not compared).
        let bytes = match self.encode(&mut wat) {
            Ok(b) => b,
            Err(_) => return Verdict::pass(),
        };
        match self.compile(&bytes) {
            Err(Error::Decode(d)) => Verdict::pass_with_message(message, &d.message),
            Err(e) => Verdict::fail(format!("expected malformed \"{message}\", got {}", describe(&e))),
            Ok(_) => Verdict::fail(format!("expected malformed \"{message}\", the module decoded and validated")),
        }
    }

    fn assert_invalid(&mut self, mut wat: QuoteWat<'_>, message: &str) -> Verdict {
        if is_component(&wat) {
            return Verdict::skip("component model");
        }
        let bytes = match self.encode(&mut wat) {
            Ok(b) => b,
            Err(e) => {
                return Verdict::skip(format!(
                    "the text parser rejects this invalid module, so the engine never sees it: {}",
                    e.message()
                ));
            }
        };
        match self.compile(&bytes) {
            Err(Error::Validate(v)) => Verdict::pass_with_message(message, &v.message),
            Err(e) => Verdict::fail(format!("expected invalid \"{message}\", got {}", describe(&e))),
            Ok(_) => Verdict::fail(format!("expected invalid \"{message}\", the module validated")),
        }
    }

    fn assert_unlinkable(&mut self, mut wat: Wat<'_>, message: &str) -> Verdict {
        let expected = format!("unlinkable \"{message}\"");
        let module = match self.module_expecting(&mut wat, &expected) {
            Ok(m) => m,
            Err(v) => return v,
        };
        match self.linker.instantiate(&mut self.store, &module) {
            Err(Error::Link(l)) => Verdict::pass_with_message(message, &l.message),
            Err(e) => Verdict::fail(format!("expected {expected}, got {}", describe(&e))),
            Ok(_) => Verdict::fail(format!("expected {expected}, module instantiated")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_like_reference_runners() {
        assert!(message_matches("unknown memory", "unknown memory 0"));
        assert!(message_matches("unknown memory 0", "unknown memory"));
        assert!(message_matches("type mismatch", "type mismatch"));
        assert!(!message_matches("type mismatch", "unexpected end"));
        assert!(!message_matches("type mismatch", ""));
    }

    #[test]
    fn failures_say_where_a_module_is_invalid() {
        let engine = Engine::new(Config::default());
        // (module (func (result i32) i64.const 1)): the body's result has the wrong type.
        let bytes = [
            0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // magic, version
            1, 5, 1, 0x60, 0, 1, 0x7f, // types: [] -> [i32]
            3, 2, 1, 0, // one function of type 0
            10, 6, 1, 4, 0, 0x42, 1, 0x0b, // its body: i64.const 1, end
        ];
        let Err(e) = Module::new(&engine, &bytes) else { panic!("the module validated") };
        let text = describe(&e);
        assert!(text.starts_with("invalid: type mismatch (at byte offset 0x"), "{text}");
    }
}
