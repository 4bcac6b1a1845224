//! `wasmscope debug --gdb-port`: the gdb-remote stub driven by a real LLDB (Debian's
//! `lldb-22`, or `$LLDB`; those tests are skipped with a notice where it is absent) on
//! the debugger's C fixture at -O0 and -O1, and by raw packets over TCP for the protocol's
//! corners and malformed input (which must get an error reply or a clean close, never a
//! panic).
//!
//! Nothing is built at test time: the fixtures `debugger/tests/fixtures/prog.c`,
//! `prog.wasm` (-O0) and `prog-O1.wasm` are committed (`cargo xtask fixtures` rebuilds
//! them). Timeouts are generous and only there to turn a hang into a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// Long enough for a slow CI machine; only there so that a hang fails.
const TIMEOUT: Duration = Duration::from_secs(120);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("debugger/tests/fixtures")
}

/// A running `wasmscope debug --gdb-port 0 ARGS...` and the port it listens on.
struct Stub {
    child: Child,
    port: u16,
    /// The rest of its stderr, line by line.
    stderr: Receiver<String>,
}

impl Stub {
    fn start(args: &[&str]) -> Stub {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
            .args(["debug", "--gdb-port", "0"])
            .args(args)
            .current_dir(fixtures())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wasmscope runs");
        let (tx, rx) = channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = rx.recv_timeout(TIMEOUT).expect("wasmscope says where it listens");
        let port = first
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in `{first}`"));
        Stub { child, port, stderr: rx }
    }

    /// Waits for the stub to end: its status, stdout and the rest of its stderr.
    fn finish(mut self) -> (ExitStatus, String, String) {
        let status = wait_with_timeout(&mut self.child);
        let mut out = String::new();
        if let Some(mut o) = self.child.stdout.take() {
            let _ = o.read_to_string(&mut out);
        }
        let err: Vec<String> = self.stderr.try_iter().collect();
        let err = err.join("\n");
        assert!(!err.contains("panicked"), "wasmscope panicked: {err}");
        (status, out, err)
    }
}

fn wait_with_timeout(child: &mut Child) -> ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("the process did not end within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `lldb-22` (or `$LLDB`), if it can be run.
fn lldb() -> Option<String> {
    let name = std::env::var("LLDB").unwrap_or_else(|_| "lldb-22".to_string());
    let ok = Command::new(&name).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if ok.is_ok_and(|s| s.success()) {
        Some(name)
    } else {
        eprintln!("NOTICE: skipping the LLDB test: `{name}` is not installed (apt-get install lldb-22, or set LLDB)");
        None
    }
}

/// Runs LLDB in batch mode: connect to `port`, then `commands`; its whole output.
fn run_lldb(lldb: &str, port: u16, commands: &[&str]) -> String {
    let mut cmd = Command::new(lldb);
    cmd.arg("--batch").arg("--no-lldbinit").current_dir(fixtures());
    cmd.arg("-o").arg(format!("process connect --plugin wasm connect://127.0.0.1:{port}"));
    for c in commands {
        cmd.arg("-o").arg(c);
    }
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("lldb runs");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        let mut e = String::new();
        let _ = err.read_to_string(&mut e);
        s + &e
    });
    wait_with_timeout(&mut child);
    reader.join().unwrap()
}

/// Asserts that `needles` occur in `text` in this order.
fn assert_in_order(text: &str, needles: &[&str]) {
    let mut rest = text;
    for n in needles {
        match rest.find(n) {
            Some(i) => rest = &rest[i + n.len()..],
            None => panic!("expected `{n}` (after the ones before it) in:\n{text}"),
        }
    }
}

#[test]
fn lldb_debugs_the_c_fixture_at_o0() {
    let Some(lldb) = lldb() else { return };
    let stub = Stub::start(&["prog.wasm"]);
    let out = run_lldb(
        &lldb,
        stub.port,
        &[
            "breakpoint set -f prog.c -l 46",
            "continue",
            "bt",
            "frame variable",
            "next",
            "breakpoint delete -f",
            "breakpoint set -f prog.c -l 51",
            "continue",
            "step",
            "next",
            "frame variable by",
            "finish",
            "memory read -c 8 &buffer",
            "memory read -c 4 0x4000000000000000",
            "watchpoint set variable counter",
            "continue",
            // Change memory: the program prints 7 and exits with 1 instead of 0.
            "expression counter = 7",
            "watchpoint delete -f",
            "continue",
        ],
    );
    assert_in_order(
        &out,
        &[
            // The connection finds the program at its first instruction.
            "stop reason = signal SIGTRAP",
            "Breakpoint 1: where = prog.wasm`__main_argc_argv",
            "at prog.c:46",
            "stop reason = breakpoint 1.1",
            // bt: main called by wasi-libc's start code.
            "frame #0: 0x4",
            "__main_argc_argv(argc=1, argv=0x",
            "at prog.c:46",
            "__original_main",
            "_start",
            // frame variable: C locals through DWARF (memory, structs, arrays, enums).
            "(int) argc = 1",
            "name = 0x",
            "\"square\"",
            "color = GREEN",
            "[1] = (x = 4, y = 6)",
            "(int[4]) nums = ([0] = 10, [1] = 20, [2] = 30, [3] = 40)",
            "(int) total = 0",
            // next: the loop's increment.
            "stop reason = step over",
            "at prog.c:45",
            "stop reason = breakpoint 2.1",
            "at prog.c:51",
            // step into bump, next past its prologue.
            "stop reason = step in",
            "bump(by=",
            "at prog.c:3",
            "stop reason = step over",
            "at prog.c:37",
            "(int) by = 12",
            // finish: back in main after the call.
            "stop reason = step out",
            "__main_argc_argv",
            "prog.c:5",
            // memory read: linear memory (buffer[i] = i * 3), then the module's own bytes.
            "00 03 06 09 0c 0f 12 15",
            "0x4000000000000000: 00 61 73 6d",
            // The watchpoint on counter, hit by the second bump.
            "Watchpoint created",
            "Watchpoint 1 hit",
            "old value: 12",
            "new value: 132",
            "stop reason = watchpoint 1",
            // The program's output came through LLDB, and its exit status.
            "total=100 area=12 fact=120 counter=7",
            "Process 1 exited with status = 1",
        ],
    );
    let (status, _, err) = stub.finish();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("client 127.0.0.1:"), "{err}");
}

#[test]
fn lldb_debugs_the_c_fixture_at_o1() {
    let Some(lldb) = lldb() else { return };
    let stub = Stub::start(&["prog-O1.wasm"]);
    let out = run_lldb(
        &lldb,
        stub.port,
        &[
            "breakpoint set -n fact",
            "continue",
            "bt",
            "frame variable n",
            "continue",
            "frame variable n",
            "breakpoint delete -f",
            "breakpoint set -f prog.c -l 54",
            "continue",
            "frame variable a f",
            "p counter",
            "continue",
        ],
    );
    assert_in_order(
        &out,
        &[
            "Breakpoint 1: where = prog-O1.wasm`fact",
            "stop reason = breakpoint 1.1",
            "fact(n=5) at prog.c:24",
            "__main_argc_argv(argc=<unavailable>, argv=<unavailable>) at prog.c:52",
            // n lives in a wasm local at -O1 (qWasmLocal).
            "(int) n = 5",
            "fact(n=4) at prog.c:24",
            "(int) n = 4",
            "stop reason = breakpoint 2.1",
            "at prog.c:54",
            "(int) a = 12",
            "(int) f = 120",
            "(int) 132",
            "total=100 area=12 fact=120 counter=132",
            "Process 1 exited with status = 0",
        ],
    );
    let (status, _, err) = stub.finish();
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn lldb_sees_a_trap_and_the_status_is_134() {
    let Some(lldb) = lldb() else { return };
    let stub = Stub::start(&["prog.wasm", "trap"]);
    let out = run_lldb(&lldb, stub.port, &["continue"]);
    assert_in_order(
        &out,
        &["total=100 area=12 fact=120 counter=132", "stop reason = trap: unreachable", "at prog.c:56"],
    );
    let (status, _, err) = stub.finish();
    assert_eq!(status.code(), Some(134), "{err}");
}

// ---- Raw packets ----

/// A minimal client: sends bytes, reads acks and packets.
struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

fn checksum(payload: &[u8]) -> u8 {
    payload.iter().fold(0u8, |a, b| a.wrapping_add(*b))
}

fn packet(payload: &str) -> Vec<u8> {
    format!("${payload}#{:02x}", checksum(payload.as_bytes())).into_bytes()
}

impl Client {
    fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        Client { stream, buf: Vec::new() }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    fn fill(&mut self) -> bool {
        let mut b = [0u8; 4096];
        match self.stream.read(&mut b) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&b[..n]);
                true
            }
        }
    }

    /// The next ack byte (`+` or `-`).
    fn ack(&mut self) -> u8 {
        while self.buf.is_empty() {
            assert!(self.fill(), "connection closed while waiting for an ack");
        }
        let b = self.buf.remove(0);
        assert!(b == b'+' || b == b'-', "expected an ack, got {:?}", String::from_utf8_lossy(&self.buf));
        b
    }

    /// The next packet's payload (checksum verified), skipping `O` output packets.
    fn reply(&mut self) -> String {
        loop {
            if let Some(start) = self.buf.iter().position(|&b| b == b'$')
                && let Some(hash) = self.buf[start..].iter().position(|&b| b == b'#').map(|h| start + h)
                && self.buf.len() >= hash + 3
            {
                let payload = self.buf[start + 1..hash].to_vec();
                let sum = std::str::from_utf8(&self.buf[hash + 1..hash + 3]).unwrap();
                assert_eq!(u8::from_str_radix(sum, 16).unwrap(), checksum(&payload), "reply checksum");
                self.buf.drain(..hash + 3);
                let text = String::from_utf8(payload).unwrap();
                if text.starts_with('O') && text != "OK" {
                    continue;
                }
                return text;
            }
            assert!(self.fill(), "connection closed while waiting for a reply");
        }
    }

    /// Sends a request in no-ack mode and returns the reply.
    fn ask(&mut self, payload: &str) -> String {
        self.send_raw(&packet(payload));
        self.reply()
    }
}

#[test]
fn malformed_and_unknown_packets_get_error_replies() {
    let stub = Stub::start(&["prog.wasm"]);
    let mut c = Client::connect(stub.port);
    // Ack mode: a wrong checksum is refused with `-`, a good packet acknowledged.
    c.send_raw(b"$qSupported#00");
    assert_eq!(c.ack(), b'-');
    c.send_raw(&packet("qSupported"));
    assert_eq!(c.ack(), b'+');
    assert!(c.reply().contains("qXfer:libraries:read+"));
    c.send_raw(&packet("QStartNoAckMode"));
    assert_eq!(c.ack(), b'+');
    assert_eq!(c.reply(), "OK");
    // From here on, no acks.
    c.send_raw(b"$?#00");
    assert!(c.reply().starts_with("E"), "a wrong checksum gets an error reply");
    c.send_raw(b"$?#zz");
    assert!(c.reply().starts_with("E"), "bad checksum digits get an error reply");
    assert_eq!(c.ask("qNoSuchQuery"), "", "an unknown query is unsupported (empty reply)");
    assert_eq!(c.ask("!"), "", "an unknown packet is unsupported");
    for bad in ["mzz,4", "m4000000000000000", "M0,2:zz", "M0,3:0102", "Z0,nothex,1", "qWasmLocal:x", "vCont;q"] {
        assert!(c.ask(bad).starts_with('E'), "`{bad}` gets an error reply");
    }
    assert!(c.ask("m8000000000000000,4").starts_with('E'), "an invalid address kind");
    assert!(c.ask("qWasmLocal:99;0").starts_with('E'), "no such frame");
    assert!(c.ask("m4000000000100000,4").starts_with('E'), "past the module's end");
    // The connection still works: the stop reply, the module's magic, a local.
    assert!(c.ask("?").starts_with("T05thread:1;"));
    assert_eq!(c.ask("m4000000000000000,4"), "0061736d");
    assert!(c.ask("qXfer:libraries:read::0,1000").contains("prog.wasm"));
    assert_eq!(c.ask("qWasmCallStack:1").len(), 16, "one frame at the entry");
    // A packet cut short by a new one: an error for it, then the new one is answered.
    c.send_raw(b"$qSupp");
    assert!(c.ask("?").starts_with('E'));
    assert!(c.reply().starts_with("T05"));
    // Escapes: `}` followed by a byte XOR 0x20 (`}\x03` is `#`), in a write to memory.
    c.send_raw(b"$M400,1:0}\x03#");
    // Not hex after the colon: an error (the escape itself decoded fine).
    let sum = checksum(b"M400,1:0}\x03");
    c.send_raw(format!("{sum:02x}").as_bytes());
    assert!(c.reply().starts_with('E'));
    assert_eq!(c.ask("M400,2:abcd"), "OK");
    assert_eq!(c.ask("m400,2"), "abcd");
    // Kill: the reply, then the stub ends.
    assert_eq!(c.ask("k"), "X09");
    drop(c);
    let (status, _, err) = stub.finish();
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn v128_values_over_raw_packets() {
    // A v128 local, global and operand-stack entry are its 16 bytes (lane 0 first); the
    // stack is indexed by value, so the i32 above a v128 is entry 2.
    let stub = Stub::start(&["simd.wat"]);
    let mut c = Client::connect(stub.port);
    c.send_raw(&packet("QStartNoAckMode"));
    assert_eq!(c.ack(), b'+');
    assert_eq!(c.reply(), "OK");
    c.ask("?");
    // mix's first instruction is at 0x66 in the module.
    assert_eq!(c.ask("Z0,4000000000000066,1"), "OK");
    let hit = c.ask("c");
    assert!(hit.contains("reason:breakpoint"), "{hit}");
    assert_eq!(c.ask("qWasmLocal:0;0"), "010000000200000003000000fcffffff");
    assert_eq!(c.ask("qWasmLocal:0;1"), "05000000");
    assert_eq!(c.ask("qWasmGlobal:0;0"), "01000000000000000200000000000000");
    for _ in 0..10 {
        assert!(c.ask("s").contains("reason:trace"));
    }
    assert_eq!(c.ask("qWasmStackValue:0;0"), "64000000");
    assert_eq!(c.ask("qWasmStackValue:0;1"), "010000000200000003000000fcffffff");
    assert_eq!(c.ask("qWasmStackValue:0;2"), "05000000");
    assert!(c.ask("qWasmStackValue:0;3").starts_with('E'));
    drop(c);
    let (status, _, err) = stub.finish();
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn continue_interrupt_and_breakpoints_over_raw_packets() {
    let stub = Stub::start(&["spin.wat"]);
    let mut c = Client::connect(stub.port);
    c.send_raw(&packet("QStartNoAckMode"));
    assert_eq!(c.ack(), b'+');
    assert_eq!(c.reply(), "OK");
    let stop = c.ask("?");
    let pc = stop.split("thread-pcs:").nth(1).and_then(|r| r.split(';').next()).unwrap().to_string();
    // One instruction at a time; the pc moves.
    let stepped = c.ask("s");
    assert!(stepped.starts_with("T05") && stepped.contains("reason:trace"), "{stepped}");
    assert!(!stepped.contains(&format!("thread-pcs:{pc};")), "{stepped}");
    // A breakpoint at the loop's add: hit on the next iteration; the counter (local 0) grows.
    let pcs = c.ask("qWasmCallStack:1");
    assert_eq!(pcs.len(), 16);
    let here =
        u64::from_str_radix(stepped.split("thread-pcs:").nth(1).unwrap().split(';').next().unwrap(), 16).unwrap();
    assert_eq!(c.ask(&format!("Z0,{here:x},1")), "OK");
    let hit = c.ask("c");
    assert!(hit.contains("reason:breakpoint") && hit.contains(&format!("thread-pcs:{here:x};")), "{hit}");
    let before = c.ask("qWasmLocal:0;0");
    let hit = c.ask("c");
    assert!(hit.contains("reason:breakpoint"), "{hit}");
    let after = c.ask("qWasmLocal:0;0");
    assert_eq!(before.len(), 8, "an i32 local is 4 bytes");
    assert_ne!(before, after, "the loop's counter changed");
    assert_eq!(c.ask(&format!("z0,{here:x},1")), "OK");
    // Continue forever, then interrupt with 0x03.
    c.send_raw(&packet("c"));
    std::thread::sleep(Duration::from_millis(100));
    c.send_raw(b"\x03");
    let stop = c.reply();
    assert!(stop.starts_with("T02") && stop.contains("reason:signal"), "{stop}");
    // Disconnect without a word: the stub kills the program and ends cleanly.
    drop(c);
    let (status, _, err) = stub.finish();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("disconnected"), "{err}");
}

#[test]
fn an_early_disconnect_ends_the_stub_cleanly() {
    let stub = Stub::start(&["prog.wasm"]);
    let mut c = Client::connect(stub.port);
    c.send_raw(b"+$qSupported:multipro");
    drop(c);
    let (status, out, err) = stub.finish();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("disconnected"), "{err}");
    assert!(!out.contains("total="), "the program was killed before it printed: {out}");
}

#[test]
fn detach_lets_the_program_finish_on_its_own() {
    let stub = Stub::start(&["prog.wasm"]);
    let mut c = Client::connect(stub.port);
    c.send_raw(&packet("QStartNoAckMode"));
    assert_eq!(c.ack(), b'+');
    assert_eq!(c.reply(), "OK");
    assert_eq!(c.ask("D"), "OK");
    drop(c);
    let (status, out, err) = stub.finish();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(out.contains("total=100 area=12 fact=120 counter=132"), "the output goes to the stub's stdout: {out}");
}

#[test]
fn a_module_without_start_is_refused_before_listening() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("gdb-remote-no-start.wat");
    std::fs::write(&path, r#"(module (func (export "f")))"#).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["debug", "--gdb-port", "0"])
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wasmscope runs");
    let status = wait_with_timeout(&mut child);
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("gdb-remote-no-start.wat") && err.contains("no `_start`"), "{err}");
    assert!(!err.contains("waiting for LLDB") && !err.contains("panicked"), "{err}");
}
