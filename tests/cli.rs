//! Runs the built `wasmscope` binary: the happy paths and, mostly, the error paths (clear
//! message naming the file, non-zero exit, never a panic or backtrace).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wasmscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the wasmscope binary runs")
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn assert_clean_failure(o: &Output, code: i32, needles: &[&str]) {
    let (out, err) = text(o);
    assert_eq!(o.status.code(), Some(code), "stdout: {out}\nstderr: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr should mention `{n}`: {err}");
    }
    assert!(!err.contains("panicked") && !err.contains("stack backtrace"), "{err}");
}

const ADD_WAT: &str = r#"(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "half") (param f64) (result f64) (f64.mul (local.get 0) (f64.const 0.5)))
  (func (export "boom") (unreachable)))"#;

#[test]
fn help_describes_the_commands() {
    let o = wasmscope(&["--help"]);
    assert!(o.status.success());
    let (out, _) = text(&o);
    for cmd in ["validate", "run", "wast", "debug", "everything after FILE goes to the program"] {
        assert!(out.contains(cmd), "{out}");
    }
    // `help run` and `run --help` print the same page: the convention, the options.
    let a = wasmscope(&["help", "run"]);
    let b = wasmscope(&["run", "--help"]);
    assert!(a.status.success() && b.status.success());
    assert_eq!(text(&a).0, text(&b).0);
    let (out, _) = text(&a);
    for needle in [
        "Usage: wasmscope run [OPTIONS] FILE [ARGS]...",
        "--invoke",
        "--tier",
        "--dir <HOST[::GUEST]>",
        "--env <KEY[=VALUE]>",
        "--fuel <N>",
        "-W, --wasm <FEATURE[=y|n]>",
        "Everything after FILE goes to the program",
    ] {
        assert!(out.contains(needle), "`{needle}` missing from:\n{out}");
    }
    let o = wasmscope(&["debug", "--help"]);
    assert!(text(&o).0.contains("Usage: wasmscope debug [OPTIONS] FILE [ARGS]..."), "{:?}", text(&o));
    let o = wasmscope(&["--version"]);
    assert!(o.status.success());
    assert_eq!(text(&o).0, format!("wasmscope {}\n", env!("CARGO_PKG_VERSION")));
    // No command: the help, as a usage error.
    let o = wasmscope(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("Usage: wasmscope <COMMAND>"), "{:?}", text(&o));
}

#[test]
fn arguments_after_file_belong_to_the_program() {
    let want = "GREETING=(unset)\nEMPTY=(unset)\nMISSING=(unset)\nargc=7\nargv[1]=-v\nargv[2]=--help\n\
                argv[3]=--\nargv[4]=--tier\nargv[5]=jit\nargv[6]=--version\n";
    for tier in ["interp", "jit"] {
        let o = wasmscope(&[
            "run",
            "--tier",
            tier,
            &fixture("env.wasm"),
            "-v",
            "--help",
            "--",
            "--tier",
            "jit",
            "--version",
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        assert_eq!(text(&o).0, want, "{tier}");
    }
    // A `--` before FILE ends wasmscope's options and is not the guest's.
    let o = wasmscope(&["run", "--", &fixture("env.wasm"), "-v"]);
    assert!(text(&o).0.ends_with("argc=2\nargv[1]=-v\n"), "{:?}", text(&o));
    // The same for `debug`.
    let script = write("run-only.gdb", b"run\n");
    let o = wasmscope(&[
        "debug",
        "--batch",
        script.to_str().expect("utf-8"),
        &fixture("env.wasm"),
        "-v",
        "--help",
        "--",
        "--batch",
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let (out, _) = text(&o);
    for line in ["argc=5", "argv[1]=-v", "argv[2]=--help", "argv[3]=--", "argv[4]=--batch"] {
        assert!(out.contains(&format!("[stdout] {line}\n")), "{line} missing from:\n{out}");
    }
    // --invoke takes its arguments after FILE too, even negative numbers.
    let p = write("add-after.wat", ADD_WAT.as_bytes());
    let o = wasmscope(&["run", "--invoke", "add", p.to_str().expect("utf-8"), "-5", "-6"]);
    assert_eq!(text(&o).0, "-11\n", "{:?}", text(&o));
}

#[test]
fn unknown_options_before_file_are_usage_errors() {
    let o = wasmscope(&["run", "--bogus", &fixture("env.wasm")]);
    assert_clean_failure(&o, 2, &["unexpected argument '--bogus'"]);
    let o = wasmscope(&["debug", "--bogus", &fixture("env.wasm")]);
    assert_clean_failure(&o, 2, &["unexpected argument '--bogus'"]);
    // Typos get a suggestion.
    let o = wasmscope(&["run", "--tire", "jit", &fixture("env.wasm")]);
    assert_clean_failure(&o, 2, &["unexpected argument '--tire'", "similar argument exists: '--tier'"]);
    let o = wasmscope(&["valdate", &fixture("env.wasm")]);
    assert_clean_failure(&o, 2, &["similar subcommand exists: 'validate'"]);
    let o = wasmscope(&["run", "--dir", "::x", &fixture("env.wasm")]);
    assert_clean_failure(&o, 2, &["--dir", "expected HOST or HOST::GUEST"]);
    let o = wasmscope(&["run", "--fuel", "lots", &fixture("env.wasm")]);
    assert_clean_failure(&o, 2, &["'lots'", "--fuel"]);
    let o = wasmscope(&["run"]);
    assert_clean_failure(&o, 2, &["required", "<FILE>"]);
}

#[test]
fn env_without_a_value_passes_the_hosts() {
    let o = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["run", "--env", "GREETING", "--env", "MISSING", "--env", "EMPTY=", &fixture("env.wasm")])
        .env("GREETING", "from the host")
        .env_remove("MISSING")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(text(&o).0.starts_with("GREETING=from the host\nEMPTY=\nMISSING=(unset)\n"), "{:?}", text(&o));
}

#[test]
fn fuel_stops_a_program_on_both_tiers() {
    let spin = write("spin.wat", br#"(module (func (export "_start") (loop (br 0))))"#);
    let spin = spin.to_str().expect("utf-8");
    for tier in ["interp", "jit"] {
        let o = wasmscope(&["run", "--tier", tier, "--fuel", "100000", spin]);
        assert_clean_failure(&o, 134, &["all fuel consumed"]);
        // Enough fuel: the program runs as without.
        let o = wasmscope(&["run", "--tier", tier, "--fuel", "10000000", &fixture("exit3.wasm")]);
        assert_eq!(o.status.code(), Some(3), "{tier}: {:?}", text(&o));
        let o = wasmscope(&["run", "--tier", tier, "--fuel", "10", &fixture("exit3.wasm")]);
        assert_clean_failure(&o, 134, &["all fuel consumed"]);
    }
    let script = write("fuel.gdb", b"run\n");
    let o = wasmscope(&["debug", "--fuel", "5000", "--batch", script.to_str().expect("utf-8"), spin]);
    assert_eq!(o.status.code(), Some(134), "{:?}", text(&o));
    assert!(text(&o).0.contains("all fuel consumed"), "{:?}", text(&o));
}

#[test]
fn wasm_feature_switches_apply_to_every_command() {
    let ext =
        write("ext8.wat", br#"(module (func (export "f") (param i32) (result i32) (i32.extend8_s (local.get 0))))"#);
    let ext = ext.to_str().expect("utf-8");
    assert!(wasmscope(&["validate", ext]).status.success());
    let o = wasmscope(&["validate", "-W", "sign-extension=n", ext]);
    assert_clean_failure(&o, 1, &["ext8.wat"]);
    let o = wasmscope(&["run", "-W", "sign-extension=n", "--invoke", "f", ext, "255"]);
    assert_clean_failure(&o, 1, &["ext8.wat"]);
    let o = wasmscope(&["run", "-W", "sign-extension=y", "--invoke", "f", ext, "255"]);
    assert_eq!(text(&o).0, "-1\n", "{:?}", text(&o));
    // `--mvp` switches it off; -W switches it back on.
    let script = write(
        "ext8.wast",
        br#"(module (func (export "f") (param i32) (result i32) (i32.extend8_s (local.get 0))))
(assert_return (invoke "f" (i32.const 255)) (i32.const -1))
"#,
    );
    let script = script.to_str().expect("utf-8");
    assert_eq!(wasmscope(&["wast", "--mvp", script]).status.code(), Some(1));
    let o = wasmscope(&["wast", "--mvp", "-W", "sign-extension", script]);
    assert!(o.status.success(), "{:?}", text(&o));
    let o = wasmscope(&["wast", "-W", "bulk-memory=n,sign-extension=n", script]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
    let dbg = write("ext8.gdb", b"run\n");
    let o = wasmscope(&["debug", "-W", "sign-extension=n", "--batch", dbg.to_str().expect("utf-8"), ext]);
    assert_clean_failure(&o, 1, &["ext8.wat"]);
    // Names are checked: unknown ones and proposals this build lacks are usage errors.
    let o = wasmscope(&["validate", "-W", "bulk-memroy=n", ext]);
    assert_clean_failure(&o, 2, &["unknown WebAssembly feature `bulk-memroy`", "bulk-memory"]);
    let o = wasmscope(&["validate", "-W", "threads", ext]);
    assert_clean_failure(&o, 2, &["`threads` is not supported"]);
    assert!(wasmscope(&["validate", "-W", "threads=n", ext]).status.success());
    // A module that needs a proposal that is off: the error says which to switch on.
    let tail = write("tail.wat", br#"(module (func $f (export "f") (return_call $f)))"#);
    let tail = tail.to_str().expect("utf-8");
    // (WebAssembly 3.0, tail calls included, is the default.)
    assert!(wasmscope(&["validate", tail]).status.success());
    let o = wasmscope(&["validate", "-W", "tail-call=n", tail]);
    assert_clean_failure(&o, 1, &["illegal opcode 12", "pass -W tail-call"]);
    assert!(wasmscope(&["validate", "-W", "tail-call=n", "-W", "tail-call", tail]).status.success());
    // SIMD is on by default and can be switched off.
    let simd = write("simd.wat", br#"(module (func (export "f") (result v128) (v128.const i32x4 1 2 3 4)))"#);
    let simd = simd.to_str().expect("utf-8");
    let o = wasmscope(&["run", "--invoke", "f", simd]);
    assert_eq!(text(&o).0, "0x00000004000000030000000200000001\n", "{:?}", text(&o));
    let o = wasmscope(&["validate", "-W", "simd=n", simd]);
    assert_clean_failure(&o, 1, &["simd.wat", "SIMD"]);
    let o = wasmscope(&["validate", "-W", "multi-value=maybe", ext]);
    assert_clean_failure(&o, 2, &["`maybe` is not y or n"]);
}

#[test]
fn run_prints_results() {
    let p = write("add.wat", ADD_WAT.as_bytes());
    let p = p.to_str().expect("utf-8 path");
    let o = wasmscope(&["run", "--invoke", "add", p, "40", "2"]);
    assert_eq!(text(&o).0, "42\n", "{:?}", text(&o));
    let o = wasmscope(&["run", "--invoke", "half", p, "3"]);
    assert_eq!(text(&o).0, "1.5\n", "{:?}", text(&o));
    let o = wasmscope(&["run", "--tier", "interp", "--invoke", "add", p, "-1", "0x10"]);
    assert_eq!(text(&o).0, "15\n", "{:?}", text(&o));
}

#[test]
fn validate_accepts_binary_and_text() {
    let wat = write("ok.wat", ADD_WAT.as_bytes());
    let o = wasmscope(&["validate", wat.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{:?}", text(&o));
    let bin = write("empty.wasm", b"\0asm\x01\0\0\0");
    let o = wasmscope(&["validate", bin.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{:?}", text(&o));
}

#[test]
fn missing_file() {
    let o = wasmscope(&["validate", "/nonexistent/nothing.wasm"]);
    assert_clean_failure(&o, 1, &["/nonexistent/nothing.wasm", "cannot read"]);
}

#[test]
fn garbage_file() {
    let p = write("garbage.wasm", &[0xff, 0xfe, 0x00, 0x13, 0x37]);
    let o = wasmscope(&["validate", p.to_str().expect("utf-8")]);
    assert_clean_failure(&o, 1, &["garbage.wasm", "not a WebAssembly module"]);
    let p = write("garbage.wat", b"(module (func (i32.bogus)))");
    let o = wasmscope(&["validate", p.to_str().expect("utf-8")]);
    assert_clean_failure(&o, 1, &["garbage.wat"]);
}

#[test]
fn malformed_binary_names_file_and_offset() {
    let p = write("truncated.wasm", b"\0asm\x01\0\0\0\x01\x05\x01\x60");
    let o = wasmscope(&["validate", p.to_str().expect("utf-8")]);
    assert_clean_failure(&o, 1, &["truncated.wasm", "malformed", "offset"]);
}

#[test]
fn invalid_module() {
    // (module (func (result i32) (i64.const 0))): a type mismatch.
    let p = write("invalid.wat", b"(module (func (result i32) (i64.const 0)))");
    let o = wasmscope(&["validate", p.to_str().expect("utf-8")]);
    assert_clean_failure(&o, 1, &["invalid.wat", "invalid module", "offset"]);
}

#[test]
fn wrong_arg_count_and_bad_args() {
    let p = write("add2.wat", ADD_WAT.as_bytes());
    let p = p.to_str().expect("utf-8");
    let o = wasmscope(&["run", "--invoke", "add", p, "1"]);
    assert_clean_failure(&o, 2, &["takes 2 argument(s), 1 given"]);
    let o = wasmscope(&["run", "--invoke", "add", p, "1", "x"]);
    assert_clean_failure(&o, 2, &["argument 2", "not a valid i32"]);
    let o = wasmscope(&["run", "--invoke", "nope", p]);
    assert_clean_failure(&o, 1, &["no exported function `nope`", "add"]);
    let o = wasmscope(&["run", "--tier", "warp", "--invoke", "add", p, "1", "2"]);
    assert_clean_failure(&o, 2, &["unknown tier `warp`", "--tier"]);
    let o = wasmscope(&["frobnicate"]);
    assert_clean_failure(&o, 2, &["unrecognized subcommand 'frobnicate'"]);
    let o = wasmscope(&["validate"]);
    assert_clean_failure(&o, 2, &["required", "<FILE>"]);
    let o = wasmscope(&["validate", p, "extra"]);
    assert_clean_failure(&o, 2, &["unexpected argument 'extra'"]);
}

#[test]
fn trap_is_an_error() {
    let p = write("boom.wat", ADD_WAT.as_bytes());
    let o = wasmscope(&["run", "--invoke", "boom", p.to_str().expect("utf-8")]);
    assert_clean_failure(&o, 1, &["unreachable"]);
}

#[test]
fn wast_runs_a_script() {
    let ok = write(
        "ok.wast",
        b"(module (func (export \"f\") (result i32) (i32.const 7)))\n(assert_return (invoke \"f\") (i32.const 7))\n",
    );
    let o = wasmscope(&["wast", ok.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(text(&o).0.contains("1 passed") || text(&o).0.contains("2 passed"), "{:?}", text(&o));
    let bad = write(
        "bad.wast",
        b"(module (func (export \"f\") (result i32) (i32.const 7)))\n(assert_return (invoke \"f\") (i32.const 8))\n",
    );
    let o = wasmscope(&["wast", bad.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).0.contains("bad.wast:2"), "{:?}", text(&o));
    let broken = write("broken.wast", b"(module (func");
    let o = wasmscope(&["wast", broken.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).0.contains("does not parse"), "{:?}", text(&o));
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testsuite/wasi").join(name).to_str().expect("utf-8").to_string()
}

#[test]
fn run_wasi_command_exit_status_args_env() {
    let o = wasmscope(&["run", &fixture("exit3.wasm")]);
    assert_eq!(o.status.code(), Some(3), "{:?}", text(&o));
    assert_eq!(text(&o).0, "about to exit with 3\n");
    let o = wasmscope(&["run", "--env", "GREETING=hi", "--", &fixture("env.wasm"), "a", "--tier"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(text(&o).0, "GREETING=hi\nEMPTY=(unset)\nMISSING=(unset)\nargc=3\nargv[1]=a\nargv[2]=--tier\n");
}

#[test]
fn run_wasi_with_a_preopened_dir() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-wasi-dir");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("in.txt"), "abc\n").expect("write");
    let spec = format!("{}::/data", dir.display());
    let o = wasmscope(&["run", "--dir", &spec, &fixture("copy.wasm"), "/data/in.txt", "/data/out.txt"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(std::fs::read_to_string(dir.join("out.txt")).expect("copied"), "abc\n");
    // Without the preopen the program cannot see the file.
    let o = wasmscope(&["run", &fixture("copy.wasm"), "/data/in.txt", "/data/out2.txt"]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
}

#[test]
fn run_trap_prints_backtrace_with_names() {
    let p = write(
        "trap_start.wat",
        br#"(module (func $inner (unreachable)) (func $outer (call $inner)) (func (export "_start") (call $outer)))"#,
    );
    let o = wasmscope(&["run", p.to_str().expect("utf-8")]);
    assert_clean_failure(&o, 134, &["unreachable", "wasm backtrace", "inner", "outer"]);
}

#[test]
fn uncaught_exception_names_its_tag_on_both_tiers() {
    let m = write(
        "uncaught.wat",
        br#"(module (tag $boom (export "boom") (param i32 f64))
  (func $inner (param i32) (throw $boom (local.get 0) (f64.const 2.5)))
  (func (export "f") (param i32) (call $inner (local.get 0))))"#,
    );
    let m = m.to_str().expect("utf-8");
    for tier in ["interp", "jit"] {
        let o = wasmscope(&["run", "-W", "exceptions", "--tier", tier, "--invoke", "f", m, "7"]);
        assert_clean_failure(
            &o,
            1,
            &["uncaught exception: tag \"boom\" with payload [i32:7, f64:2.5]", "0: func[0] inner @ 0x3c"],
        );
    }
    // On by default (WebAssembly 3.0); switched off, the error says which proposal the
    // module needs.
    let o = wasmscope(&["run", "--invoke", "f", m, "7"]);
    assert_clean_failure(&o, 1, &["uncaught exception: tag \"boom\""]);
    let o = wasmscope(&["run", "-W", "exceptions=n", "--invoke", "f", m, "7"]);
    assert_clean_failure(&o, 1, &["pass -W exceptions"]);
}

#[test]
fn run_verbose_reports_compile_time_on_the_jit() {
    let o = wasmscope(&["run", "--tier", "jit", "--jit-compile", "eager", "--verbose", &fixture("exit3.wasm")]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(3));
    assert!(err.contains("for the jit tier in"), "stderr: {err}");
    // A module this small compiles eagerly by default (auto).
    for mode in [None, Some("auto")] {
        let mut args = vec!["run", "--tier", "jit", "--verbose"];
        args.extend(mode.map(|m| ["--jit-compile", m]).into_iter().flatten());
        let p = fixture("exit3.wasm");
        args.push(&p);
        let o = wasmscope(&args);
        assert!(text(&o).1.contains("for the jit tier in"), "{mode:?}: {}", text(&o).1);
    }
    for mode in [Some("lazy"), Some("tiered")] {
        let mut args = vec!["run", "--tier", "jit", "--verbose"];
        args.extend(mode.map(|m| ["--jit-compile", m]).into_iter().flatten());
        let p = fixture("exit3.wasm");
        args.push(&p);
        let o = wasmscope(&args);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(3));
        assert!(err.contains("functions compiled on their first call"), "{mode:?}: {err}");
        assert!(err.contains("the JIT compiled ") && err.contains(" functions in "), "{mode:?}: {err}");
    }
    let o = wasmscope(&["run", "--tier", "jit", "--jit-compile", "later", &fixture("exit3.wasm")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("expected auto, tiered, lazy or eager"));
    let o = wasmscope(&["run", "--tier", "interp", "--verbose", &fixture("exit3.wasm")]);
    assert!(text(&o).1.contains("translated lazily"));
}

#[test]
fn debug_runs_to_completion_like_run() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("debugger/tests/fixtures/prog.wasm");
    let script = std::env::temp_dir().join(format!("wasmscope-debug-{}.gdb", std::process::id()));
    std::fs::write(&script, "run\n").unwrap();
    let f = fixture.to_str().unwrap();
    let run = wasmscope(&["run", f]);
    let dbg = wasmscope(&["debug", "--batch", script.to_str().unwrap(), f]);
    assert_eq!(run.status.code(), dbg.status.code());
    let out = String::from_utf8_lossy(&dbg.stdout);
    for line in String::from_utf8_lossy(&run.stdout).lines() {
        assert!(out.contains(&format!("[stdout] {line}\n")), "{out}");
    }
    let trap = wasmscope(&["debug", "--batch", script.to_str().unwrap(), f, "trap"]);
    assert_eq!(trap.status.code(), Some(134));
    assert!(String::from_utf8_lossy(&trap.stdout).contains("56\t        __builtin_trap();"));
    let _ = std::fs::remove_file(script);
}

/// What `testsuite/wasi/stdio.c` prints for one fd: a terminal is a character device
/// (`isatty` true); anything else is `unknown`, as wasmtime reports it. Rights: FD_READ for
/// stdin, FD_WRITE for stdout and stderr.
fn stdio_line(fd: u32, terminal: bool) -> String {
    let rights = if fd == 0 { "0x2/0x2" } else { "0x40/0x40" };
    let (tty, ty) = if terminal { (1, 2) } else { (0, 0) };
    format!("fd{fd} isatty={tty} fdstat=0 type={ty} flags=0 rights={rights} filestat=0 type={ty}")
}

#[test]
fn standard_streams_report_their_real_types() {
    use std::process::Stdio;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-stdio");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let input = dir.join("input.txt");
    std::fs::write(&input, "some input\n").expect("write");
    let exe = env!("CARGO_BIN_EXE_wasmscope");
    for tier in ["interp", "jit"] {
        // stdout and stderr to pipes, stdin from /dev/null.
        let o = Command::new(exe)
            .args(["run", "--tier", tier, &fixture("stdio.wasm")])
            .stdin(Stdio::null())
            .output()
            .expect("runs");
        assert!(o.status.success(), "{:?}", text(&o));
        let want = format!("{}\n{}\n{}\n", stdio_line(0, false), stdio_line(1, false), stdio_line(2, false));
        assert_eq!(text(&o).0, want, "pipes and /dev/null on {tier}");
        // stdout to a file, stdin from a file.
        let out_path = dir.join(format!("out-{tier}.txt"));
        let status = Command::new(exe)
            .args(["run", "--tier", tier, &fixture("stdio.wasm")])
            .stdin(std::fs::File::open(&input).expect("input"))
            .stdout(std::fs::File::create(&out_path).expect("output file"))
            .stderr(Stdio::null())
            .status()
            .expect("runs");
        assert!(status.success());
        assert_eq!(std::fs::read_to_string(&out_path).expect("written"), want, "files on {tier}");
        // All three on a terminal (a pseudo-terminal made by `script`, where it exists).
        if Command::new("script").arg("--version").output().is_ok_and(|o| o.status.success()) {
            let cmd = format!("{exe} run --tier {tier} {}", fixture("stdio.wasm"));
            let o =
                Command::new("script").args(["-qec", &cmd, "/dev/null"]).stdin(Stdio::null()).output().expect("script");
            let got = String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n");
            let want = format!("{}\n{}\n{}\n", stdio_line(0, true), stdio_line(1, true), stdio_line(2, true));
            assert!(got.contains(&want), "a terminal on {tier}: {got:?}");
        } else {
            eprintln!("notice: `script` (util-linux) not found; the terminal case is not checked");
        }
    }
}
