//! Whole-process comparison of the real-program set (issue 15): each program run as a user
//! runs it, through `wasmscope run --tier interp|jit`, `wasmi run` and `wasmtime run`,
//! timed from spawn to exit (process start-up, reading and compiling the module, WASI
//! set-up, the run, exit), with stdout captured and compared.
//!
//! The CLIs are found through `WASMSCOPE_CLI`, `WASMI_CLI` and `WASMTIME_CLI` (a path),
//! else as `wasmscope`, `wasmi` and `wasmtime` on `PATH`; `cargo xtask bench` builds this
//! repository's release CLI and sets `WASMSCOPE_CLI`. A CLI that is not found is skipped
//! with a notice, never an error.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// One CLI column: a name, the binary and how it runs a command.
pub struct Cli {
    pub name: &'static str,
    pub binary: PathBuf,
    /// Arguments before the module; the module and then the guest's arguments follow.
    pub before_module: &'static [&'static str],
}

impl Cli {
    /// The in-process engine this CLI's wall times are compared with (its peer's CLI).
    pub fn peer(&self) -> Option<&'static str> {
        match self.name {
            "wasmscope-interp" => Some("wasmi"),
            "wasmscope-jit" => Some("wasmtime"),
            _ => None,
        }
    }
}

/// What one run of a CLI gives back.
pub struct CliRun {
    pub wall_ms: f64,
    pub stdout: Vec<u8>,
}

/// The CLIs of this machine, in column order, and a notice for each one missing.
pub fn find_clis() -> (Vec<Cli>, Vec<String>) {
    let specs: [(&'static str, &str, &str, &'static [&'static str]); 4] = [
        ("wasmscope-interp", "WASMSCOPE_CLI", "wasmscope", &["run", "--tier", "interp"]),
        ("wasmscope-jit", "WASMSCOPE_CLI", "wasmscope", &["run", "--tier", "jit"]),
        ("wasmi", "WASMI_CLI", "wasmi", &["run"]),
        ("wasmtime", "WASMTIME_CLI", "wasmtime", &["run"]),
    ];
    let mut clis = Vec::new();
    let mut notices = Vec::new();
    for (name, var, binary, before_module) in specs {
        match locate(var, binary) {
            Ok(path) => clis.push(Cli { name, binary: path, before_module }),
            Err(why) => notices.push(format!("CLI column {name} skipped: {why}")),
        }
    }
    (clis, notices)
}

/// `$var` if set (it must name a file), else `binary` in a directory of `PATH`.
fn locate(var: &str, binary: &str) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(var) {
        let path = PathBuf::from(path);
        return if path.is_file() { Ok(path) } else { Err(format!("{var}={} is not a file", path.display())) };
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(binary))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("{var} is not set and there is no `{binary}` on PATH"))
}

/// One whole-process run of `module` with `args` on `cli`; a non-zero exit is an error
/// (with the CLI's stderr).
pub fn run(cli: &Cli, module: &Path, args: &[String]) -> Result<CliRun, String> {
    let mut cmd = Command::new(&cli.binary);
    cmd.args(cli.before_module).arg(module).args(args);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let out = cmd.output().map_err(|e| format!("could not start {}: {e}", cli.binary.display()))?;
    let wall_ms = start.elapsed().as_secs_f64() * 1e3;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!("{} exited with {}: {}", cli.binary.display(), out.status, stderr.trim()));
    }
    Ok(CliRun { wall_ms, stdout: out.stdout })
}

/// The version line a CLI prints for `--version` (for the report's header).
pub fn version(cli: &Cli) -> String {
    Command::new(&cli.binary)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown version".to_string())
}
