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
    for cmd in ["validate", "run", "wast", "--invoke", "--tier"] {
        assert!(out.contains(cmd), "{out}");
    }
}

#[test]
fn run_prints_results() {
    let p = write("add.wat", ADD_WAT.as_bytes());
    let p = p.to_str().expect("utf-8 path");
    let o = wasmscope(&["run", p, "--invoke", "add", "40", "2"]);
    assert_eq!(text(&o).0, "42\n", "{:?}", text(&o));
    let o = wasmscope(&["run", p, "--invoke", "half", "3"]);
    assert_eq!(text(&o).0, "1.5\n", "{:?}", text(&o));
    let o = wasmscope(&["run", p, "--invoke", "add", "-1", "0x10", "--tier", "interp"]);
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
    let o = wasmscope(&["run", p, "--invoke", "add", "1"]);
    assert_clean_failure(&o, 2, &["takes 2 argument(s), 1 given"]);
    let o = wasmscope(&["run", p, "--invoke", "add", "1", "x"]);
    assert_clean_failure(&o, 2, &["argument 2", "not a valid i32"]);
    let o = wasmscope(&["run", p, "--invoke", "nope"]);
    assert_clean_failure(&o, 1, &["no exported function `nope`", "add"]);
    let o = wasmscope(&["run", p, "--invoke", "add", "1", "2", "--tier", "warp"]);
    assert_clean_failure(&o, 2, &["unknown tier `warp`"]);
    let o = wasmscope(&["frobnicate"]);
    assert_clean_failure(&o, 2, &["unknown command"]);
    let o = wasmscope(&["validate"]);
    assert_clean_failure(&o, 2, &["exactly one FILE"]);
}

#[test]
fn trap_is_an_error() {
    let p = write("boom.wat", ADD_WAT.as_bytes());
    let o = wasmscope(&["run", p.to_str().expect("utf-8"), "--invoke", "boom"]);
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
    let o = wasmscope(&["run", "--env", "GREETING=hi", &fixture("env.wasm"), "--", "a", "--tier"]);
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
fn run_verbose_reports_compile_time_on_the_jit() {
    let o = wasmscope(&["run", "--tier", "jit", "--verbose", &fixture("exit3.wasm")]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(3));
    assert!(err.contains("for the jit tier in"), "stderr: {err}");
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
