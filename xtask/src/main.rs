//! `cargo xtask`: the project's one script.
//!
//! - `cargo xtask spec [--tier interp|jit|all] [--filter TEXT] [--json PATH] [...]` builds
//!   the spec runner in release mode and runs the claimed spec suite (progress, per-file
//!   table, totals); exits non-zero on any unexpected failure, unexpected pass or tier
//!   divergence. Options are passed through to `wasmscope-spec` (see its `--help`).
//! - `cargo xtask ci` does what `.ci/run` does: fmt check, clippy, tests, spec suite.
//! - `cargo xtask fixtures` rebuilds the WASI test programs `testsuite/wasi/*.c` into the
//!   committed `.wasm` beside each (needs Debian's clang, lld, wasi-libc and
//!   libclang-rt-dev-wasm32; tests need only the committed files; the exception-handling
//!   programs `sjlj*.c` and `throw*.c` with clang-22 and our runtime pieces), and the debugger's
//!   fixture `debugger/tests/fixtures/prog.c` at -O0, -O1 and -O2 with DWARF kept, and the Rust
//!   fixture `prog.rs` at opt-level 0 and 1 with Debian's rustc (skipped with a notice
//!   without its wasm32-wasi std), and the C++ fixture `prog.cpp` at -O0 and -O1 with
//!   clang++-22 (skipped with a notice without it).
//! - `cargo xtask bench [--filter NAME] [--set S] [--json PATH] [--reps N] [--scale F] [--engines L]
//!   [--no-cli]` runs the benchmark suite (issues 5, 15) with a release build of the separate
//!   `bench/` crate, which alone depends on wasmi and wasmtime: `cargo run --release
//!   --manifest-path bench/Cargo.toml -- ARGS`; for the real programs' CLI comparison it first
//!   builds the release `wasmscope` CLI and passes it as `WASMSCOPE_CLI`. `cargo xtask bench --rebuild-workloads` rebuilds
//!   `bench/workloads/*.wasm`, `bench/simd/*.wasm` (the same, with `-msimd128`) and
//!   `bench/programs/*.wasm` (the real-program set, issue 15: wasi-libc) from their C
//!   sources (clang and lld; CLANG overrides clang).
//! - `cargo xtask fuzz [--seconds N] [--seed S] [--oracle wasmi] [--jobs N]` runs the
//!   fuzzer (issue 8): `cargo run --release --manifest-path fuzz-harness/Cargo.toml --
//!   ARGS` from the repository root (crashes go to `fuzz-crashes/`). Stable Rust.
//!
//! xtask does not depend on the engine: it drives cargo.

use std::process::{Command, ExitCode};

const HELP: &str = "\
cargo xtask: project tasks

USAGE:
    cargo xtask spec [--tier interp|jit|all] [--filter TEXT] [--json PATH] [--verbose] [--jobs N]
    cargo xtask ci
    cargo xtask fixtures
    cargo xtask bench [--filter NAME[,NAME...]] [--set kernels|programs|simd] [--json PATH] [--reps N]
                      [--scale F] [--engines LIST] [--no-cli] [--list]
    cargo xtask bench --rebuild-workloads
    cargo xtask fuzz [--seconds N] [--seed S] [--oracle wasmi] [--jobs N] [--case I | --replay FILE]

spec   run the claimed WebAssembly spec suite on the given tiers (default: all) with the
       release build of the spec runner; `cargo xtask spec --help` lists every option
ci     cargo fmt --check, clippy -D warnings, cargo test --workspace, then `spec`
fixtures  rebuild testsuite/wasi/*.wasm from the C sources with clang --target=wasm32-wasi
       (apt-get install clang lld wasi-libc libclang-rt-dev-wasm32; CLANG overrides clang;
       the exception programs sjlj*.c and throw*.c with clang-22, CLANG22 overrides it),
       and the debugger's fixtures (prog.c; prog.rs with Debian's rustc when
       libstd-rust-dev-wasm32 is installed; RUSTC_WASM overrides /usr/bin/rustc; prog.cpp
       with clang++-22 and libc++-22-dev-wasm32; CLANGXX overrides clang++-22)
bench  wasmscope's interpreter and JIT against wasmi and wasmtime on the suite in bench/
       (release build of the bench crate; its first build compiles wasmtime): kernels, and
       real programs in process and CLI against CLI (WASMI_CLI, WASMTIME_CLI or PATH),
       SIMD kernels; --rebuild-workloads recompiles bench/workloads/*.c, bench/simd/*.c
       (-msimd128) and bench/programs/*.c (wasm32-wasi, wasi-libc) to the committed .wasm
fuzz   differential fuzzing of the interpreter and the JIT (and wasmi with --oracle wasmi)
       on wasm-smith modules, and of the loader/validator against wasmparser on mutated
       binaries (release build of fuzz-harness/; `cargo xtask fuzz --help` for options)";

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs a command, inheriting stdio; Err names the step that failed.
fn step(name: &str, mut cmd: Command) -> Result<(), String> {
    eprintln!("xtask: {name}");
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{name} failed ({s})")),
        Err(e) => Err(format!("{name}: could not start: {e}")),
    }
}

fn spec(args: &[String]) -> Result<(), String> {
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "--release", "-p", "wasmscope-spec-runner", "--bin", "wasmscope-spec", "--"]);
    cmd.args(args);
    step("spec suite (release build of wasmscope-spec)", cmd)
}

fn ci() -> Result<(), String> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    step("cargo fmt --check", fmt)?;
    let mut clippy = cargo();
    clippy.args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]);
    step("cargo clippy", clippy)?;
    let mut test = cargo();
    test.args(["test", "--workspace"]);
    step("cargo test --workspace", test)?;
    spec(&[])?;
    // The interpreter's chained handlers exist only in optimised builds.
    let mut long = cargo();
    long.args(["test", "--release", "-p", "wasmscope-engine", "--test", "long_runs"]);
    step("long runs of chained handlers (release)", long)
}

/// Compiles every `testsuite/wasi/*.c` to a `.wasm` beside it (`simd*.c` at `-O2 -msimd128`,
/// `tail*.c` at `-O2 -mtail-call`): `-O1 -g` for the name
/// section, DWARF stripped at link time to keep the committed files small.
/// The `.c` files of `dir`, sorted; an error if there are none.
fn c_sources(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut sources: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    sources.sort();
    if sources.is_empty() {
        return Err(format!("no C sources in {}", dir.display()));
    }
    Ok(sources)
}

fn fixtures() -> Result<(), String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testsuite/wasi");
    let clang = std::env::var("CLANG").unwrap_or_else(|_| "clang".to_string());
    let sources = c_sources(&dir)?;
    for src in sources {
        let out = src.with_extension("wasm");
        if let Some(cmd) = exception_fixture(&dir, &src, &out) {
            step(&format!("{} -> {}", src.display(), out.display()), cmd)?;
            continue;
        }
        let mut cmd = Command::new(&clang);
        cmd.args(["--target=wasm32-wasi", "-O1", "-g", "-Wl,--strip-debug"]).arg(&src).arg("-o").arg(&out).arg("-lm");
        // The SIMD programs are built as vectorising code is: -O2 -msimd128.
        if src.file_name().is_some_and(|n| n.to_string_lossy().starts_with("simd")) {
            cmd.args(["-O2", "-msimd128"]);
        }
        // The tail-call program as clang emits tail calls: -O2 -mtail-call (`musttail`).
        if src.file_name().is_some_and(|n| n.to_string_lossy().starts_with("tail")) {
            cmd.args(["-O2", "-mtail-call"]);
        }
        step(&format!("{} -> {}", src.display(), out.display()), cmd)?;
    }
    engine_fixtures(&clang)?;
    debugger_fixtures(&clang)
}

/// The exception-handling programs of `testsuite/wasi/` (WebAssembly exceptions), built with
/// clang-22 (CLANG22 overrides it) at -O2 with `-mexception-handling`, the final exnref
/// instructions (`try_table`, `throw_ref`) unless the name starts with `sjlj-legacy`
/// (`try`/`catch`/`delegate`), and our own runtime pieces linked in:
/// - `sjlj*.c`: setjmp/longjmp lowered to exceptions (`-mllvm -wasm-enable-sjlj`), with
///   `sjlj-runtime/rt.c` (`__wasm_setjmp`, `__wasm_setjmp_test`, `__wasm_longjmp`) and
///   `sjlj-runtime/tag.s` (the `__c_longjmp` tag), which Debian's wasi-libc lacks;
/// - `throw*.c`: throws from C, catches in `throw-runtime/handlers.s` (the tags too).
///
/// No `-g`: clang's assembler cannot make DWARF for the hand-written functions.
/// Returns `None` for the other programs.
fn exception_fixture(dir: &std::path::Path, src: &std::path::Path, out: &std::path::Path) -> Option<Command> {
    let name = src.file_name()?.to_string_lossy().into_owned();
    let (sjlj, runtime): (bool, &[&str]) = if name.starts_with("sjlj") {
        (true, &["sjlj-runtime/rt.c", "sjlj-runtime/tag.s"])
    } else if name.starts_with("throw") {
        (false, &["throw-runtime/handlers.s"])
    } else {
        return None;
    };
    let legacy = name.starts_with("sjlj-legacy");
    let clang = std::env::var("CLANG22").unwrap_or_else(|_| "clang-22".to_string());
    let mut cmd = Command::new(clang);
    // Debian's wasi sysroot is laid out for the `wasm32-wasi` triple clang 22 calls deprecated.
    cmd.args(["--target=wasm32-wasi", "-Wno-deprecated", "-O2", "-mexception-handling", "-Wl,--strip-debug"]);
    // LLVM 22 still defaults to the legacy instructions: choose explicitly (the option is
    // only accepted with an exception model, i.e. with the SjLj lowering; throw*.c's
    // handlers are hand-written with the exnref ones).
    if sjlj {
        let eh = if legacy { "-wasm-use-legacy-eh=true" } else { "-wasm-use-legacy-eh=false" };
        cmd.args(["-mllvm", "-wasm-enable-sjlj", "-mllvm", eh]);
    }
    cmd.arg(src).args(runtime.iter().map(|r| dir.join(r))).arg("-o").arg(out).arg("-lm");
    Some(cmd)
}

/// The engine tests' C fixtures: `engine/tests/fixtures/mem64.c` → `mem64.wasm`, a
/// freestanding wasm64 module (memory64: 64-bit pointers) at -O2, exporting `run`.
fn engine_fixtures(clang: &str) -> Result<(), String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures");
    let src = dir.join("mem64.c");
    let out = dir.join("mem64.wasm");
    let mut cmd = Command::new(clang);
    cmd.args(["--target=wasm64", "-O2", "-nostdlib", "-ffreestanding", "-Wall", "-Werror"])
        .args(["-Wl,--no-entry", "-Wl,--export=run", "-Wl,--strip-all"])
        .arg(&src)
        .arg("-o")
        .arg(&out);
    step(&format!("{} -> {}", src.display(), out.display()), cmd)
}

/// The debugger's C fixtures keep their DWARF: `prog.c` → `prog.wasm` (-O0),
/// `prog-O1.wasm` and `prog-O2.wasm`, `simd.c` → `simd-O1.wasm` (-O1 -msimd128), with
/// paths relative to the fixture folder (`-fdebug-prefix-map`).
fn debugger_fixtures(clang: &str) -> Result<(), String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../debugger/tests/fixtures");
    let dir = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
    let map = format!("-fdebug-prefix-map={}=.", dir.display());
    for (opt, out) in [("-O0", "prog.wasm"), ("-O1", "prog-O1.wasm"), ("-O2", "prog-O2.wasm")] {
        let mut cmd = Command::new(clang);
        cmd.current_dir(&dir).args(["--target=wasm32-wasi", opt, "-g", &map, "prog.c", "-o", out]);
        step(&format!("debugger/tests/fixtures/prog.c {opt} -> {out}"), cmd)?;
    }
    // v128 variables in wasm locals and on the operand stack.
    let mut cmd = Command::new(clang);
    cmd.current_dir(&dir).args([
        "--target=wasm32-wasi",
        "-O1",
        "-msimd128",
        "-g",
        &map,
        "simd.c",
        "-o",
        "simd-O1.wasm",
    ]);
    step("debugger/tests/fixtures/simd.c -O1 -msimd128 -> simd-O1.wasm", cmd)?;
    rust_fixtures(&dir)?;
    cpp_fixtures(&dir)
}

/// The debugger's C++ fixture: `prog.cpp` → `prog-cpp.wasm` (-O0) and `prog-cpp-O1.wasm`
/// with clang++-22 (CLANGXX overrides it) and Debian's wasm32 libc++
/// (`apt-get install clang-22 lld-22 libc++-22-dev-wasm32 libc++abi-22-dev-wasm32
/// libclang-rt-22-dev-wasm32`), `-fno-exceptions` (Debian's wasm32 libc++abi has no exception support);
/// skipped with a notice without them.
fn cpp_fixtures(dir: &std::path::Path) -> Result<(), String> {
    let clangxx = std::env::var("CLANGXX").unwrap_or_else(|_| "clang++-22".to_string());
    let libcxx = std::path::Path::new("/usr/lib/wasm32-wasi/libc++.a");
    if Command::new(&clangxx).arg("--version").output().is_err() || !libcxx.exists() {
        eprintln!(
            "xtask: skipping debugger/tests/fixtures/prog.cpp: no {clangxx} or no wasm32 libc++ \
             (apt-get install clang-22 lld-22 libc++-22-dev-wasm32 libc++abi-22-dev-wasm32)"
        );
        return Ok(());
    }
    let map = format!("-fdebug-prefix-map={}=.", dir.display());
    for (opt, out) in [("-O0", "prog-cpp.wasm"), ("-O1", "prog-cpp-O1.wasm")] {
        let mut cmd = Command::new(&clangxx);
        // Debian's wasi sysroot is laid out for the `wasm32-wasi` triple clang 22 calls
        // deprecated (`wasm32-wasip1` does not find it).
        cmd.current_dir(dir).args([
            "--target=wasm32-wasi",
            "-Wno-deprecated",
            "-fno-exceptions",
            opt,
            "-g",
            &map,
            "prog.cpp",
            "-o",
            out,
        ]);
        step(&format!("debugger/tests/fixtures/prog.cpp {opt} -> {out}"), cmd)?;
    }
    Ok(())
}

/// The debugger's Rust fixture: `prog.rs` → `prog-rs.wasm` (-C opt-level=0) and
/// `prog-rs-O1.wasm` (-C opt-level=1) with Debian's rustc (RUSTC_WASM overrides `/usr/bin/rustc`,
/// whose version the snapshots are made with) and its wasm32-wasi std
/// (`apt-get install rustc libstd-rust-dev-wasm32`); skipped with a notice without them.
fn rust_fixtures(dir: &std::path::Path) -> Result<(), String> {
    let rustc = std::env::var("RUSTC_WASM").unwrap_or_else(|_| "/usr/bin/rustc".to_string());
    let sysroot = Command::new(&rustc).arg("--print").arg("sysroot").output();
    let has_std = match &sysroot {
        Ok(o) if o.status.success() => {
            let root = String::from_utf8_lossy(&o.stdout).trim().to_string();
            std::path::Path::new(&root).join("lib/rustlib/wasm32-wasi").is_dir()
        }
        _ => false,
    };
    if !has_std {
        eprintln!(
            "xtask: skipping debugger/tests/fixtures/prog.rs: no wasm32-wasi std for {rustc} \
             (apt-get install rustc libstd-rust-dev-wasm32)"
        );
        return Ok(());
    }
    let remap = format!("--remap-path-prefix={}=.", dir.display());
    for (opt, out) in [("opt-level=0", "prog-rs.wasm"), ("opt-level=1", "prog-rs-O1.wasm")] {
        let mut cmd = Command::new(&rustc);
        cmd.current_dir(dir).args(["--target", "wasm32-wasi", "-g", "-C", opt, &remap, "prog.rs", "-o", out]);
        step(&format!("debugger/tests/fixtures/prog.rs -C {opt} -> {out}"), cmd)?;
    }
    Ok(())
}

/// Runs the benchmark crate (its own workspace: the peers are never built otherwise).
fn bench(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--rebuild-workloads") {
        if args.len() != 1 {
            return Err("--rebuild-workloads takes no other options".into());
        }
        return bench_workloads();
    }
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/Cargo.toml");
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "--release", "--manifest-path"]).arg(&manifest).arg("--").args(args);
    if let Some(cli) = wasmscope_cli_for_bench(args)? {
        cmd.env("WASMSCOPE_CLI", cli);
    }
    step("benchmarks (release build of bench/)", cmd)
}

/// The release build of `wasmscope` for the real programs' CLI comparison, built first; None
/// when this run makes no such comparison (`--no-cli`, `--set kernels`, `--set simd`,
/// `--list`, help) or `WASMSCOPE_CLI` already names one.
fn wasmscope_cli_for_bench(args: &[String]) -> Result<Option<std::path::PathBuf>, String> {
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let no_programs = args.windows(2).any(|w| w[0] == "--set" && (w[1] == "kernels" || w[1] == "simd"));
    if has("--no-cli") || has("--list") || has("-h") || has("--help") || no_programs {
        return Ok(None);
    }
    if std::env::var_os("WASMSCOPE_CLI").is_some() {
        return Ok(None);
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut build = cargo();
    build.current_dir(&root).args(["build", "--quiet", "--release", "-p", "wasmscope"]);
    step("wasmscope CLI (release build, for the CLI comparison)", build)?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), std::path::PathBuf::from);
    Ok(Some(target.join("release").join("wasmscope")))
}

/// Runs the fuzz harness (its own workspace) from the repository root.
fn fuzz(args: &[String]) -> Result<(), String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut cmd = cargo();
    cmd.current_dir(&root);
    cmd.args(["run", "--quiet", "--release", "--manifest-path", "fuzz-harness/Cargo.toml", "--"]).args(args);
    step("fuzzing (release build of fuzz-harness/)", cmd)
}

/// Compiles every `bench/workloads/*.c` to the committed `.wasm` beside it (freestanding
/// wasm32, no libc and no imports, exporting `run` and the memory), then every
/// `bench/simd/*.c` the same way with `-msimd128` (SIMD128, no relaxed SIMD), every
/// `bench/tailcall/*.c` with `-mtail-call` (`musttail` returns become `return_call`), then every
/// `bench/programs/*.c` (the real-program set: WASI commands built with wasi-libc).
fn bench_workloads() -> Result<(), String> {
    let bench = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench");
    let clang = std::env::var("CLANG").unwrap_or_else(|_| "clang".to_string());
    bench_freestanding(&clang, &bench.join("workloads"), &[])?;
    bench_freestanding(&clang, &bench.join("simd"), &["-msimd128"])?;
    bench_freestanding(&clang, &bench.join("tailcall"), &["-mtail-call"])?;
    bench_programs(&clang)
}

/// Compiles every `*.c` of `dir` to the `.wasm` beside it: freestanding wasm32 at -O2,
/// exporting `run`, with `extra` flags.
fn bench_freestanding(clang: &str, dir: &std::path::Path, extra: &[&str]) -> Result<(), String> {
    for src in c_sources(dir)? {
        let out = src.with_extension("wasm");
        let mut cmd = Command::new(clang);
        cmd.args(["--target=wasm32", "-O2"])
            .args(extra)
            .args([
                "-ffreestanding",
                "-nostdlib",
                "-Wall",
                "-Werror",
                "-Wl,--no-entry",
                "-Wl,--export=run",
                "-Wl,--strip-all",
            ])
            .arg(&src)
            .arg("-o")
            .arg(&out);
        step(&format!("{} -> {}", src.display(), out.display()), cmd)?;
    }
    Ok(())
}

/// Compiles every `bench/programs/*.c` to the committed `.wasm` beside it: a WASI command
/// (`_start`) linked with wasi-libc at -O2, the name section kept for profiles, DWARF not.
fn bench_programs(clang: &str) -> Result<(), String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/programs");
    for src in c_sources(&dir)? {
        let out = src.with_extension("wasm");
        let mut cmd = Command::new(clang);
        cmd.args(["--target=wasm32-wasi", "-O2", "-Wall", "-Wextra", "-Werror", "-Wl,--strip-debug"])
            .arg(&src)
            .arg("-o")
            .arg(&out);
        step(&format!("{} -> {}", src.display(), out.display()), cmd)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("spec") => spec(&args[1..]),
        Some("ci") if args.len() == 1 => ci(),
        Some("fixtures") if args.len() == 1 => fixtures(),
        Some("bench") => bench(&args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        None | Some("-h" | "--help" | "help") => {
            println!("{HELP}");
            return if args.is_empty() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
        Some(other) => {
            eprintln!("xtask: unknown task `{}`\n\n{HELP}", args.join(" "));
            let _ = other;
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
