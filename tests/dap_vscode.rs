//! `wasmscope debug --dap` driven by Microsoft's DAP test client (`DebugClient` of
//! `@vscode/debugadapter-testsupport`, the client VS Code's adapters are tested with), run
//! by node: `tests/dap-client/session.js` on the C fixture. `.ci/run` installs the client
//! (`npm ci --prefix tests/dap-client`); where node or the client is missing the test is
//! skipped with a notice. The timeout only turns a hang into a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn microsofts_dap_client_drives_a_session() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let client = root.join("tests/dap-client");
    let node = std::env::var("NODE").unwrap_or_else(|_| "node".to_string());
    let has_node = Command::new(&node).arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success());
    if !has_node || !client.join("node_modules/@vscode/debugadapter-testsupport").is_dir() {
        eprintln!(
            "NOTICE: skipping the DebugClient test: needs node and `npm ci --prefix tests/dap-client` (as .ci/run does)"
        );
        return;
    }
    let mut child = Command::new(&node)
        .arg(client.join("session.js"))
        .arg(root.join("debugger/tests/fixtures"))
        .env("WASMSCOPE", env!("CARGO_BIN_EXE_wasmscope"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("the DebugClient session did not end");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(stdout.trim(), "ok", "stderr: {stderr}");
}
