//! WASI preview 1 end to end: the C programs of `testsuite/wasi/` (committed `.wasm`
//! fixtures, rebuilt by `cargo xtask fixtures`) on every tier, compared with the native
//! build of the same source (compiled with `cc` when it is available) and with the
//! committed `.expected` output; the WASI calls whose behaviour follows wasmtime's preview 1
//! (their `.expected` is what wasmtime prints); the sandbox escape attempts; wild pointers.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

use wasmscope_engine::wasi::{self, WasiCtx};
use wasmscope_engine::{Config, Engine, Features, Linker, Module, Store, Tier, Val};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testsuite/wasi")
}

/// A `Write` into a shared buffer (the guest's captured stdout).
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A fresh scratch directory named `name` under the test target dir.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wasi").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The files every program's working directory starts with.
fn populate(dir: &Path) {
    let text: String = (1..=3000).map(|i| format!("{i}\n")).collect();
    std::fs::write(dir.join("in.txt"), text).expect("write");
    std::fs::create_dir_all(dir.join("sub/deeper")).expect("mkdir");
    std::fs::write(dir.join("sub/a"), "hi\n").expect("write");
    std::fs::write(dir.join("sub/deeper/b"), "there\n").expect("write");
}

struct Program {
    name: &'static str,
    args: &'static [&'static str],
    stdin: &'static str,
}

const ENV: &[(&str, &str)] = &[("GREETING", "hello there"), ("EMPTY", "")];

const PROGRAMS: &[Program] = &[
    Program { name: "copy", args: &["in.txt", "out.txt"], stdin: "" },
    Program { name: "walk", args: &["."], stdin: "" },
    Program { name: "floats", args: &[], stdin: "" },
    Program { name: "sort", args: &[], stdin: "" },
    Program { name: "heap", args: &[], stdin: "" },
    Program { name: "env", args: &["one", "two words"], stdin: "" },
    Program { name: "clock", args: &[], stdin: "" },
    Program { name: "stdin", args: &[], stdin: "hello world\nsecond line here\nthird\n" },
    Program { name: "exit3", args: &[], stdin: "" },
    // Built with -O2 -msimd128: vectorised loops and vector extensions.
    Program { name: "simd", args: &[], stdin: "" },
    // Built with -O2 -mtail-call: `musttail` state machines and dispatch, deep tail recursion.
    Program { name: "tailcall", args: &[], stdin: "" },
    // clang-22 -O2 -mllvm -wasm-enable-sjlj, exnref: setjmp/longjmp as try_table/throw_ref
    // (the SjLj runtime is ours: testsuite/wasi/sjlj-runtime/).
    Program { name: "sjlj", args: &[], stdin: "" },
    // The same source with the legacy try/catch/delegate instructions (-W legacy-exceptions).
    Program { name: "sjlj-legacy", args: &[], stdin: "" },
    // Throws from C (`__builtin_wasm_throw`), try_table/catch_ref/throw_ref handlers in wasm
    // assembly (testsuite/wasi/throw-runtime/handlers.s).
    Program { name: "throw", args: &[], stdin: "" },
];

/// Runs `NAME.wasm` on `tier` with `dir` preopened as `.`; returns (stdout, exit status).
fn run_wasm(tier: Tier, name: &str, args: &[&str], stdin: &str, dir: &Path) -> (String, i32) {
    let bytes = std::fs::read(fixtures().join(format!("{name}.wasm"))).expect("fixture (cargo xtask fixtures)");
    // Every proposal implemented (the tail-call program needs tail calls), and the legacy
    // exception instructions for the program built with them.
    let features = Features { legacy_exceptions: name.ends_with("-legacy"), ..Features::wasm3() };
    let engine = Engine::new(Config { tier, features, ..Config::default() });
    let module = Module::new(&engine, &bytes).expect("valid module");
    let mut store = Store::new(&engine);
    let out = Capture::default();
    let mut ctx = WasiCtx::new()
        .args(std::iter::once(format!("{name}.wasm")).chain(args.iter().map(|s| s.to_string())))
        .stdout(out.clone())
        .stdin(std::io::Cursor::new(stdin.as_bytes().to_vec()))
        .preopen_dir(dir, ".")
        .expect("preopen");
    for (k, v) in ENV {
        ctx = ctx.env(*k, *v);
    }
    let mut linker = Linker::new();
    wasi::add_to_linker(&mut linker, &mut store, Rc::new(RefCell::new(ctx)));
    let instance = linker.instantiate(&mut store, &module).expect("instantiate");
    let status = wasi::run_start(&mut store, instance).unwrap_or_else(|e| panic!("{name} on {tier:?}: {e}"));
    let text = String::from_utf8(out.0.borrow().clone()).expect("utf-8 output");
    (text, status)
}

/// Compiles and runs the native build of `NAME.c` in `dir`, if `cc` is available.
fn run_native(name: &str, args: &[&str], stdin: &str, dir: &Path) -> Option<(String, i32)> {
    let exe = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wasi").join(format!("{name}.native-exe"));
    let src = fixtures().join(format!("{name}.c"));
    let ok = Command::new("cc").arg("-O1").arg(&src).arg("-o").arg(&exe).arg("-lm").status().ok()?.success();
    assert!(ok, "cc failed on {}", src.display());
    let mut child = Command::new(&exe)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(ENV.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("native program runs");
    child.stdin.take().expect("piped").write_all(stdin.as_bytes()).expect("stdin");
    let out = child.wait_with_output().expect("native program ends");
    Some((String::from_utf8(out.stdout).expect("utf-8"), out.status.code().expect("exit status")))
}

#[test]
fn c_programs_match_native_and_expected_on_every_tier() {
    std::fs::create_dir_all(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wasi")).expect("dir");
    for p in PROGRAMS {
        let expected_path = fixtures().join(format!("{}.expected", p.name));
        let expected = std::fs::read_to_string(&expected_path).expect("committed .expected file");
        let (want_out, want_status) = match expected.rsplit_once("exit status ") {
            Some((out, status)) => (out.to_string(), status.trim().parse::<i32>().expect("status")),
            None => panic!("{}: no `exit status N` line", expected_path.display()),
        };
        let dir = scratch(&format!("{}-native", p.name));
        populate(&dir);
        if let Some(native) = run_native(p.name, p.args, p.stdin, &dir) {
            assert_eq!(native, (want_out.clone(), want_status), "native {} differs from its .expected", p.name);
        }
        for tier in Tier::ALL {
            let dir = scratch(&format!("{}-{}", p.name, tier.name()));
            populate(&dir);
            let got = run_wasm(*tier, p.name, p.args, p.stdin, &dir);
            assert_eq!(got, (want_out.clone(), want_status), "{} on {}", p.name, tier.name());
        }
    }
}

/// Programs that check WASI calls against the reference implementation (wasmtime's preview 1):
/// each runs with the directory "box" preopened as "." and `outside.txt` beside it, and
/// prints one line per call; the committed `.expected` is wasmtime 48's output for the same
/// `.wasm` (`wasmtime run --dir .` in "box").
const REFERENCE_PROGRAMS: &[&str] = &["pwrite", "sockets", "fdflags", "rights", "trunc", "symlink"];

#[test]
fn wasi_calls_behave_as_the_reference_on_every_tier() {
    for name in REFERENCE_PROGRAMS {
        let expected_path = fixtures().join(format!("{name}.expected"));
        let expected = std::fs::read_to_string(&expected_path).expect("committed .expected file");
        for tier in Tier::ALL {
            let root = scratch(&format!("{name}-ref-{}", tier.name()));
            std::fs::write(root.join("outside.txt"), "secret\n").expect("write");
            let boxed = root.join("box");
            std::fs::create_dir(&boxed).expect("mkdir");
            let (out, status) = run_wasm(*tier, name, &[], "", &boxed);
            assert_eq!(status, 0, "{name} on {}:\n{out}", tier.name());
            let diff: Vec<String> = expected
                .lines()
                .zip(out.lines())
                .filter(|(want, got)| want != got)
                .map(|(want, got)| format!("  want: {want}\n  got:  {got}"))
                .collect();
            assert!(
                out == expected,
                "{name} on {} differs from {}:\n{}\n(full output:\n{out})",
                tier.name(),
                expected_path.display(),
                diff.join("\n")
            );
            // Nothing outside the box was created, changed or followed into.
            let mut outside: Vec<String> = std::fs::read_dir(&root)
                .expect("read_dir")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            outside.sort();
            assert_eq!(outside, ["box", "outside.txt"], "{name} on {}", tier.name());
            assert_eq!(std::fs::read_to_string(root.join("outside.txt")).expect("read"), "secret\n");
        }
    }
}

#[test]
fn sandbox_escapes_fail_on_every_tier() {
    let expected = std::fs::read_to_string(fixtures().join("sandbox.expected")).expect("sandbox.expected");
    for tier in Tier::ALL {
        let root = scratch(&format!("sandbox-{}", tier.name()));
        std::fs::write(root.join("secret.txt"), "secret\n").expect("write");
        let boxed = root.join("box");
        std::fs::create_dir(&boxed).expect("mkdir");
        let (out, status) = run_wasm(*tier, "sandbox", &[], "", &boxed);
        assert_eq!(status, 0);
        assert_eq!(out, expected, "on {}", tier.name());
        // Nothing outside the box changed.
        let mut outside: Vec<String> = std::fs::read_dir(&root)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        outside.sort();
        assert_eq!(outside, ["box", "secret.txt"]);
        assert_eq!(std::fs::read_to_string(root.join("secret.txt")).expect("secret"), "secret\n");
    }
}

#[test]
fn wild_pointers_are_efault_and_the_host_stays_up() {
    const EFAULT: i32 = 21;
    const EPERM: i32 = 63;
    let wasm = wat::parse_file(fixtures().join("wild.wat")).expect("wild.wat parses");
    for tier in Tier::ALL {
        let dir = scratch(&format!("wild-{}", tier.name()));
        let engine = Engine::new(Config { tier: *tier, ..Config::default() });
        let module = Module::new(&engine, &wasm).expect("valid");
        let mut store = Store::new(&engine);
        let out = Capture::default();
        let ctx = WasiCtx::new().args(["wild"]).stdout(out.clone()).preopen_dir(&dir, ".").expect("preopen");
        let mut linker = Linker::new();
        wasi::add_to_linker(&mut linker, &mut store, Rc::new(RefCell::new(ctx)));
        let inst = linker.instantiate(&mut store, &module).expect("instantiate");
        let mut call = |name: &str| match inst.func(&store, name).expect("export").call(&mut store, &[]) {
            Ok(v) => v,
            Err(e) => panic!("{name}: {e}"),
        };
        for name in [
            "write_wild_iovs",
            "write_wild_buf",
            "write_huge_count",
            "write_wild_result",
            "open_wild_path",
            "open_wild_result",
            "read_wild",
            "args_wild",
        ] {
            assert_eq!(call(name), [Val::I32(EFAULT)], "{name} on {}", tier.name());
        }
        assert_eq!(call("open_absolute"), [Val::I32(EPERM)]);
        // Still working afterwards, and nothing was written by the failed calls.
        assert_eq!(call("write_ok"), [Val::I32(0)]);
        assert_eq!(out.0.borrow().as_slice(), b"hello\n");
    }
}
