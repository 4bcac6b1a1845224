//! `wasmscope debug --dap`: scripted Debug Adapter Protocol sessions over stdio, driven by
//! a small DAP client (the protocol's framing and request/response/event matching), on
//! the debugger's C fixture at -O0 and -O1 (committed `debugger/tests/fixtures/prog.c`,
//! `prog.wasm`, `prog-O1.wasm`) and its `.wat` module with `v128` values, plus malformed
//! input, which must get an error response, an `output` event or a clean close, never a
//! panic. Timeouts only turn hangs into failures.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(120);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("debugger/tests/fixtures")
}

/// Reads framed messages from the adapter's stdout.
fn read_frames(out: impl Read + Send + 'static) -> Receiver<Value> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(out);
        loop {
            let mut len = None;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length:") {
                    len = v.trim().parse::<usize>().ok();
                }
            }
            let mut body = vec![0u8; len.expect("every message has a Content-Length")];
            if r.read_exact(&mut body).is_err() {
                return;
            }
            let v: Value = serde_json::from_slice(&body).expect("every message is JSON");
            if tx.send(v).is_err() {
                return;
            }
        }
    });
    rx
}

/// A DAP client of a `wasmscope debug --dap` child.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    seq: i64,
    /// Events received and not yet consumed by [`Client::event`].
    events: Vec<Value>,
    /// Every `output` event's text, in order.
    output: String,
    /// The name of every event received, in order.
    seen: Vec<String>,
}

impl Client {
    fn start() -> Client {
        Client::start_with(&[])
    }

    /// The adapter with extra `wasmscope debug` options (e.g. `-W exceptions`).
    fn start_with(options: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
            .args(["debug", "--dap"])
            .args(options)
            .current_dir(fixtures())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wasmscope runs");
        let rx = read_frames(child.stdout.take().unwrap());
        let stdin = child.stdin.take();
        Client { child, stdin, rx, seq: 0, events: Vec::new(), output: String::new(), seen: Vec::new() }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let s = self.stdin.as_mut().unwrap();
        s.write_all(bytes).unwrap();
        s.flush().unwrap();
    }

    fn recv(&mut self) -> Value {
        let v = self.rx.recv_timeout(TIMEOUT).expect("the adapter answers");
        if v["type"] == "event" {
            self.seen.push(v["event"].as_str().unwrap_or("").to_string());
            if v["event"] == "output" {
                self.output.push_str(v["body"]["output"].as_str().unwrap_or(""));
            }
            self.events.push(v.clone());
        }
        v
    }

    /// Sends a request; returns its response (events meanwhile are kept).
    fn request(&mut self, command: &str, arguments: Value) -> Value {
        self.seq += 1;
        let msg = json!({ "seq": self.seq, "type": "request", "command": command, "arguments": arguments });
        let body = msg.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
        loop {
            let v = self.recv();
            if v["type"] == "response" && v["request_seq"] == json!(self.seq) {
                assert_eq!(v["command"], command);
                return v;
            }
        }
    }

    /// A successful request's body.
    fn ok(&mut self, command: &str, arguments: Value) -> Value {
        let r = self.request(command, arguments.clone());
        assert_eq!(r["success"], true, "{command} {arguments} failed: {r}");
        r["body"].clone()
    }

    /// Waits for the next event called `name` (consuming it and those before it).
    fn event(&mut self, name: &str) -> Value {
        loop {
            if let Some(i) = self.events.iter().position(|e| e["event"] == name) {
                let e = self.events.remove(i);
                self.events.drain(..i);
                return e["body"].clone();
            }
            self.recv();
        }
    }

    /// Waits for a `stopped` event and returns (its body, the top frame).
    fn stopped(&mut self) -> (Value, Value) {
        let ev = self.event("stopped");
        let st = self.ok("stackTrace", json!({ "threadId": 1 }));
        (ev, st["stackFrames"][0].clone())
    }

    fn finish(mut self) -> (ExitStatus, String) {
        drop(self.stdin.take());
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(start.elapsed() < TIMEOUT, "the adapter did not exit");
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        assert!(!err.contains("panicked"), "{err}");
        (status, err)
    }
}

/// The variables of reference `r`, as (name → variable).
fn vars(c: &mut Client, r: &Value) -> Vec<Value> {
    let body = c.ok("variables", json!({ "variablesReference": r }));
    body["variables"].as_array().unwrap().clone()
}

fn var<'a>(vs: &'a [Value], name: &str) -> &'a Value {
    vs.iter().find(|v| v["name"] == name).unwrap_or_else(|| panic!("no variable `{name}` in {vs:?}"))
}

fn eval(c: &mut Client, frame: &Value, expr: &str) -> String {
    let b = c.ok("evaluate", json!({ "expression": expr, "frameId": frame["id"], "context": "watch" }));
    b["result"].as_str().unwrap().to_string()
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let n =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            s.push(if i <= c.len() { A[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    s
}

fn unb64(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut acc, mut bits, mut out) = (0u32, 0, Vec::new());
    for c in s.bytes().take_while(|&c| c != b'=') {
        acc = acc << 6 | A.iter().position(|&x| x == c).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn launch(c: &mut Client, program: &str, args: Value) {
    let caps = c.ok("initialize", json!({ "adapterID": "wasmscope", "linesStartAt1": true, "columnsStartAt1": true }));
    assert_eq!(caps["supportsConfigurationDoneRequest"], true);
    assert_eq!(caps["exceptionBreakpointFilters"][0]["filter"], "trap");
    let dir = fixtures();
    c.ok("launch", json!({ "program": program, "cwd": dir.display().to_string(), "args": args }));
    c.event("initialized");
}

#[test]
fn a_full_session_on_the_c_fixture_at_o0() {
    let mut c = Client::start();
    launch(&mut c, "prog.wasm", json!([]));
    let src = json!({ "path": fixtures().join("prog.c").display().to_string() });
    let bps = c.ok(
        "setBreakpoints",
        json!({ "source": src, "breakpoints": [
            { "line": 46, "hitCondition": "3" },
            { "line": 37, "logMessage": "bump by {by}" },
            { "line": 33, "condition": "w == 3" },
            { "line": 500 },
        ]}),
    );
    let b = bps["breakpoints"].as_array().unwrap();
    assert_eq!((b[0]["verified"].clone(), b[0]["line"].clone()), (json!(true), json!(46)));
    assert_eq!(b[1]["verified"], true);
    assert_eq!(b[2]["verified"], true);
    assert_eq!(b[3]["verified"], false, "line 500 has no code: {}", b[3]);
    let f = c.ok("setFunctionBreakpoints", json!({ "breakpoints": [{ "name": "fact", "condition": "n == 2" }] }));
    assert_eq!(f["breakpoints"][0]["verified"], true);
    c.ok("setExceptionBreakpoints", json!({ "filters": ["trap"] }));
    c.ok("configurationDone", json!({}));

    // The third time at line 46 (hit condition 3): i == 2.
    let (ev, top) = c.stopped();
    assert_eq!(ev["reason"], "breakpoint");
    assert_eq!(ev["hitBreakpointIds"][0], b[0]["id"]);
    assert_eq!(top["line"], 46);
    assert!(top["source"]["path"].as_str().unwrap().ends_with("prog.c"), "{top}");
    let threads = c.ok("threads", json!({}));
    assert_eq!(threads["threads"][0]["id"], 1);
    assert_eq!(eval(&mut c, &top, "i"), "2");
    // Scopes and variables: C locals through DWARF, expanded.
    let scopes = c.ok("scopes", json!({ "frameId": top["id"] }));
    let names: Vec<&str> = scopes["scopes"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Locals", "Arguments", "Globals", "Wasm locals", "Operand stack"]);
    let refs: Vec<Value> =
        scopes["scopes"].as_array().unwrap().iter().map(|s| s["variablesReference"].clone()).collect();
    let locals = vars(&mut c, &refs[0]);
    assert_eq!(var(&locals, "total")["value"], "30");
    let sq = var(&locals, "sq").clone();
    assert!(sq["value"].as_str().unwrap().contains("\"square\""), "{sq}");
    let members = vars(&mut c, &sq["variablesReference"]);
    assert_eq!(var(&members, "color")["value"], "GREEN");
    let corners = vars(&mut c, &var(&members, "corners")["variablesReference"]);
    assert_eq!(corners.len(), 2);
    let c1 = vars(&mut c, &var(&corners, "[1]")["variablesReference"]);
    assert_eq!((var(&c1, "x")["value"].clone(), var(&c1, "y")["value"].clone()), (json!("4"), json!("6")));
    assert_eq!(var(&c1, "y")["evaluateName"], "sq.corners[1].y");
    let p = var(&locals, "p").clone();
    let pointee = vars(&mut c, &p["variablesReference"]);
    assert_eq!(pointee[0]["name"], "*p");
    let shape = vars(&mut c, &pointee[0]["variablesReference"]);
    assert_eq!(var(&shape, "color")["value"], "GREEN");
    let nums = var(&locals, "nums").clone();
    assert_eq!(nums["indexedVariables"], 4);
    let elems = c.ok("variables", json!({ "variablesReference": nums["variablesReference"], "start": 2, "count": 2 }));
    let elems = elems["variables"].as_array().unwrap().clone();
    assert_eq!((elems[0]["name"].clone(), elems[0]["value"].clone()), (json!("[2]"), json!("30")));
    let args = vars(&mut c, &refs[1]);
    assert_eq!(var(&args, "argc")["value"], "1");
    let globals = vars(&mut c, &refs[2]);
    let counter = var(&globals, "counter").clone();
    assert_eq!(counter["value"], "0");
    assert!(vars(&mut c, &refs[2]).iter().any(|g| g["name"] == "$global0"), "the stack pointer");
    assert!(!vars(&mut c, &refs[3]).is_empty(), "wasm locals");
    vars(&mut c, &refs[4]);
    // evaluate: expressions, and errors as failed responses.
    assert_eq!(eval(&mut c, &top, "nums[1] + total"), "50");
    assert_eq!(eval(&mut c, &top, "p->corners[1].y"), "6");
    // The debug console also takes the REPL's commands.
    let info = c.ok("evaluate", json!({ "expression": "info args", "frameId": top["id"], "context": "repl" }));
    assert!(info["result"].as_str().unwrap().contains("argc = 1"), "{info}");
    let x = c.ok("evaluate", json!({ "expression": "x/4dw &nums", "frameId": top["id"], "context": "repl" }));
    assert!(x["result"].as_str().unwrap().contains("10\t20\t30\t40"), "{x}");
    let go = c.request("evaluate", json!({ "expression": "continue", "frameId": top["id"], "context": "repl" }));
    assert_eq!(go["success"], false, "resuming from the console is refused: {go}");
    let bad = c.request("evaluate", json!({ "expression": "nosuch + 1", "frameId": top["id"] }));
    assert_eq!(bad["success"], false);
    assert!(bad["message"].as_str().unwrap().contains("nosuch"), "{bad}");
    // Memory: read nums, write counter (the program then ends with another status).
    let mem = c.ok("readMemory", json!({ "memoryReference": nums["memoryReference"], "count": 16 }));
    let bytes = unb64(mem["data"].as_str().unwrap());
    let ints: Vec<i32> = bytes.chunks(4).map(|w| i32::from_le_bytes(w.try_into().unwrap())).collect();
    assert_eq!(ints, [10, 20, 30, 40]);
    let w =
        c.ok("writeMemory", json!({ "memoryReference": counter["memoryReference"], "data": b64(&5i32.to_le_bytes()) }));
    assert_eq!(w["bytesWritten"], 4);
    assert_eq!(eval(&mut c, &top, "counter"), "5");
    // Disassembly around the pc.
    let ip = top["instructionPointerReference"].clone();
    let d = c.ok("disassemble", json!({ "memoryReference": ip, "instructionOffset": -2, "instructionCount": 5 }));
    let ins = d["instructions"].as_array().unwrap();
    assert_eq!(ins.len(), 5);
    assert_eq!(ins[2]["address"], ip);
    assert!(!ins[2]["instruction"].as_str().unwrap().is_empty());

    // The conditional breakpoint in area (w == 3), then out of it, over and into bump.
    c.ok("continue", json!({ "threadId": 1 }));
    let (_, top) = c.stopped();
    assert_eq!((top["name"].clone(), top["line"].clone()), (json!("area"), json!(33)));
    c.ok("stepOut", json!({ "threadId": 1 }));
    let (ev, top) = c.stopped();
    assert_eq!(ev["reason"], "step");
    assert_eq!(top["line"], 50);
    c.ok("next", json!({ "threadId": 1 }));
    let (_, top) = c.stopped();
    assert_eq!(top["line"], 51);
    c.ok("stepIn", json!({ "threadId": 1 }));
    let (_, top) = c.stopped();
    assert_eq!(top["name"], "bump");
    // The log point printed instead of stopping.
    c.ok("continue", json!({ "threadId": 1 }));
    let (ev, top) = c.stopped();
    assert_eq!(ev["reason"], "function breakpoint");
    assert_eq!(top["name"], "fact");
    assert_eq!(eval(&mut c, &top, "n"), "2");
    let st = c.ok("stackTrace", json!({ "threadId": 1 }));
    let facts = st["stackFrames"].as_array().unwrap().iter().filter(|f| f["name"] == "fact").count();
    assert_eq!(facts, 4, "fact(5) .. fact(2)");
    c.ok("continue", json!({ "threadId": 1 }));
    let exited = c.event("exited");
    assert_eq!(exited["exitCode"], 1, "counter was 5 + 12 + 120, not 132");
    c.event("terminated");
    assert!(c.output.contains("bump by 12\n") && c.output.contains("bump by 120\n"), "{}", c.output);
    assert!(c.output.contains("total=100 area=12 fact=120 counter=137\n"), "{}", c.output);
    c.ok("disconnect", json!({}));
    let (status, err) = c.finish();
    assert_eq!(status.code(), Some(1), "{err}");
}

#[test]
fn the_o1_fixture_a_trap_and_instruction_steps() {
    let mut c = Client::start();
    launch(&mut c, "prog-O1.wasm", json!(["trap"]));
    c.ok("setFunctionBreakpoints", json!({ "breakpoints": [{ "name": "fact" }] }));
    c.ok("configurationDone", json!({}));
    let (_, top) = c.stopped();
    assert_eq!((top["name"].clone(), top["line"].clone()), (json!("fact"), json!(24)));
    assert_eq!(eval(&mut c, &top, "n"), "5");
    // Arguments out of every range: answers, not crashes.
    let ip = top["instructionPointerReference"].clone();
    for (cmd, args) in [
        ("disassemble", json!({ "memoryReference": ip, "instructionOffset": i64::MAX, "instructionCount": 2 })),
        ("disassemble", json!({ "memoryReference": ip, "instructionOffset": i64::MIN, "instructionCount": 2 })),
        ("readMemory", json!({ "memoryReference": "0xffffffffffff", "count": 16 })),
        ("readMemory", json!({ "memoryReference": "-5", "offset": i64::MIN, "count": 4 })),
        ("scopes", json!({ "frameId": u64::MAX })),
        ("variables", json!({ "variablesReference": u64::MAX })),
        ("stackTrace", json!({ "threadId": 1, "startFrame": u64::MAX, "levels": u64::MAX })),
        ("evaluate", json!({ "expression": "((((", "frameId": top["id"] })),
        (
            "setBreakpoints",
            json!({ "source": {}, "breakpoints": [{ "line": -1 }, { "line": 24, "hitCondition": "often" }] }),
        ),
    ] {
        let r = c.request(cmd, args);
        assert_eq!(r["type"], "response", "{cmd}: {r}");
    }
    let d = c.ok("disassemble", json!({ "memoryReference": ip, "instructionOffset": i64::MAX, "instructionCount": 2 }));
    assert_eq!(d["instructions"][0]["presentationHint"], "invalid");
    let m = c.ok("readMemory", json!({ "memoryReference": "0xffffffffffff", "count": 16 }));
    assert_eq!(m["unreadableBytes"], 16);
    let b = c.ok(
        "setBreakpoints",
        json!({ "source": { "path": "prog.c" }, "breakpoints": [{ "line": 24, "hitCondition": "often" }] }),
    );
    assert_eq!(b["breakpoints"][0]["verified"], false, "{b}");
    assert!(b["breakpoints"][0]["message"].as_str().unwrap().contains("hit condition"), "{b}");
    c.ok("next", json!({ "threadId": 1, "granularity": "instruction" }));
    let (ev, top) = c.stopped();
    assert_eq!(ev["reason"], "step");
    assert_ne!(top["instructionPointerReference"], ip, "one instruction on");
    c.ok("setFunctionBreakpoints", json!({ "breakpoints": [] }));
    c.ok("continue", json!({ "threadId": 1 }));
    let (ev, top) = c.stopped();
    assert_eq!(ev["reason"], "exception");
    assert!(ev["text"].as_str().unwrap().contains("unreachable"), "{ev}");
    assert_eq!(top["line"], 56);
    c.ok("continue", json!({ "threadId": 1 }));
    assert_eq!(c.event("exited")["exitCode"], 134);
    assert!(c.output.contains("total=100 area=12 fact=120 counter=132\n"), "{}", c.output);
    c.ok("disconnect", json!({}));
    let (status, err) = c.finish();
    assert_eq!(status.code(), Some(134), "{err}");
}

#[test]
fn pause_a_running_program_then_terminate_it() {
    let mut c = Client::start();
    launch(&mut c, "spin.wat", json!([]));
    c.ok("configurationDone", json!({}));
    // Answered while the program runs, without stopping it.
    let t = c.ok("threads", json!({}));
    assert_eq!(t["threads"][0]["id"], 1);
    let b = c.ok("setBreakpoints", json!({ "source": { "path": "spin.c" }, "breakpoints": [{ "line": 1 }] }));
    assert_eq!(b["breakpoints"][0]["verified"], false, "no DWARF: {b}");
    let r = c.request("stackTrace", json!({ "threadId": 1 }));
    assert_eq!(r["success"], false, "running: {r}");
    assert!(!c.seen.iter().any(|e| e == "stopped"), "{:?}", c.seen);
    c.ok("pause", json!({ "threadId": 1 }));
    let (ev, top) = c.stopped();
    assert_eq!(ev["reason"], "pause");
    assert_ne!(eval(&mut c, &top, "$local0"), "0", "the loop ran");
    c.ok("disconnect", json!({ "terminateDebuggee": true }));
    let (status, err) = c.finish();
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn malformed_input_gets_errors_or_a_clean_close() {
    let mut c = Client::start();
    // Not JSON: an output event says so, and the session goes on.
    c.send_raw(b"Content-Length: 5\r\n\r\n{oops");
    let out = c.event("output");
    assert!(out["output"].as_str().unwrap().contains("not JSON"), "{out}");
    let r = c.request("frobnicate", json!({}));
    assert_eq!(r["success"], false);
    assert!(r["message"].as_str().unwrap().contains("unknown request `frobnicate`"), "{r}");
    let r = c.request("stackTrace", json!({ "threadId": 1 }));
    assert_eq!(r["success"], false, "nothing runs yet: {r}");
    let r = c.request("launch", json!({ "program": "no-such.wasm" }));
    assert_eq!(r["success"], false);
    assert!(r["message"].as_str().unwrap().contains("no-such.wasm"), "{r}");
    let r = c.request("launch", json!({ "program": "nodwarf.wat", "invoke": "nosuch" }));
    assert_eq!(r["success"], false);
    assert!(r["message"].as_str().unwrap().contains("no function `nosuch`"), "{r}");
    let r = c.request("configurationDone", json!({}));
    assert_eq!(r["success"], false, "not launched: {r}");
    // A broken header: the adapter says why and closes.
    c.send_raw(b"Content-Length: lots\r\n\r\n{}");
    let out = c.event("output");
    assert!(out["output"].as_str().unwrap().contains("not a number"), "{out}");
    let (status, err) = c.finish();
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn a_client_that_vanishes_mid_session_ends_the_adapter() {
    let mut c = Client::start();
    launch(&mut c, "prog.wasm", json!([]));
    c.ok("setFunctionBreakpoints", json!({ "breakpoints": [{ "name": "area" }] }));
    c.ok("configurationDone", json!({}));
    c.stopped();
    // Half a message, then the stream closes.
    c.send_raw(b"Content-Length: 40\r\n\r\n{\"seq\":");
    let (status, err) = c.finish();
    assert_eq!(status.code(), Some(0), "killed, not failed: {err}");
    assert!(err.contains("killing the program"), "{err}");
}

#[test]
fn dap_over_tcp_with_the_program_from_the_command_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["debug", "--dap-port", "0", "prog.wasm"])
        .current_dir(fixtures())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wasmscope runs");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let port: u16 = line.trim().rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("{line}"));
    let stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let rx = read_frames(stream.try_clone().unwrap());
    let mut c = Client { child, stdin: None, rx, seq: 0, events: Vec::new(), output: String::new(), seen: Vec::new() };
    let mut w = stream;
    let send = |w: &mut std::net::TcpStream, c: &mut Client, command: &str, arguments: Value| {
        c.seq += 1;
        let body = json!({ "seq": c.seq, "type": "request", "command": command, "arguments": arguments }).to_string();
        w.write_all(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).unwrap();
        loop {
            let v = c.recv();
            if v["type"] == "response" && v["request_seq"] == json!(c.seq) {
                assert_eq!(v["success"], true, "{v}");
                return v["body"].clone();
            }
        }
    };
    send(&mut w, &mut c, "initialize", json!({ "adapterID": "wasmscope" }));
    // No `program`: the command line's FILE.
    send(&mut w, &mut c, "launch", json!({}));
    c.event("initialized");
    send(&mut w, &mut c, "configurationDone", json!({}));
    assert_eq!(c.event("exited")["exitCode"], 0);
    assert!(c.output.contains("counter=132"), "{}", c.output);
    send(&mut w, &mut c, "disconnect", json!({}));
    drop(w);
    let status = c.child.wait().unwrap();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert!(!rest.contains("panicked"), "{rest}");
    assert_eq!(status.code(), Some(0), "{rest}");
}

#[test]
fn stop_on_entry_then_instruction_steps() {
    let mut c = Client::start();
    let caps = c.ok("initialize", json!({ "adapterID": "wasmscope" }));
    assert_eq!(caps["supportsSteppingGranularity"], true);
    let dir = fixtures().display().to_string();
    c.ok("launch", json!({ "program": "prog.wasm", "cwd": dir, "stopOnEntry": true, "env": { "GREETING": "hi" } }));
    c.event("initialized");
    c.ok("configurationDone", json!({}));
    let (ev, top) = c.stopped();
    assert_eq!(ev["reason"], "entry");
    assert_eq!(top["name"], "_start.command_export");
    c.ok("stepIn", json!({ "threadId": 1, "granularity": "instruction" }));
    let (ev, next) = c.stopped();
    assert_eq!(ev["reason"], "step");
    assert_ne!(next["name"], top["name"], "the first instruction is a call: one step enters it");
    let out = c.request("stepOut", json!({ "threadId": 1 }));
    assert_eq!(out["success"], true, "{out}");
    let (_, back) = c.stopped();
    assert_eq!(back["name"], "_start.command_export");
    c.ok("terminate", json!({}));
    let exited = c.event("exited");
    assert_eq!(exited["exitCode"], 137, "killed");
    let (status, err) = c.finish();
    assert_eq!(status.code(), Some(0), "{err}");
}

/// Runs `program` to its end through `launch` with `args`; the output and the exit code.
fn run_to_end(launch_args: Value) -> (String, Value) {
    let mut c = Client::start();
    c.ok("initialize", json!({ "adapterID": "wasmscope" }));
    c.ok("launch", launch_args);
    c.event("initialized");
    c.ok("configurationDone", json!({}));
    let code = c.event("exited")["exitCode"].clone();
    c.ok("disconnect", json!({}));
    let out = c.output.clone();
    c.finish();
    (out, code)
}

#[test]
fn launch_passes_args_env_preopens_and_tier() {
    let wasi = Path::new(env!("CARGO_MANIFEST_DIR")).join("testsuite/wasi");
    let (out, code) = run_to_end(json!({
        "program": wasi.join("env.wasm").display().to_string(),
        "args": ["a", "b c"],
        "env": { "GREETING": "hi", "EMPTY": "" },
        "tier": "jit",
    }));
    assert_eq!(code, 0);
    for line in ["GREETING=hi\n", "EMPTY=\n", "MISSING=(unset)\n", "argc=3\n", "argv[1]=a\n", "argv[2]=b c\n"] {
        assert!(out.contains(line), "`{line}` in {out}");
    }
    // A preopen, relative to `cwd`, seen by the guest as /data.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dap-preopen");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("in.txt"), "hello").unwrap();
    let _ = std::fs::remove_file(dir.join("out.txt"));
    let (out, code) = run_to_end(json!({
        "program": wasi.join("copy.wasm").display().to_string(),
        "cwd": dir.display().to_string(),
        "args": ["/data/in.txt", "/data/out.txt"],
        "preopens": [".::/data"],
    }));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("copied 5 bytes, size 5"), "{out}");
    assert_eq!(std::fs::read_to_string(dir.join("out.txt")).unwrap(), "hello");
    // noDebug: breakpoints do not stop it.
    let mut c = Client::start();
    c.ok("initialize", json!({}));
    c.ok("launch", json!({ "program": fixtures().join("prog.wasm").display().to_string(), "noDebug": true }));
    c.event("initialized");
    c.ok("setFunctionBreakpoints", json!({ "breakpoints": [{ "name": "fact" }] }));
    c.ok("configurationDone", json!({}));
    assert_eq!(c.event("exited")["exitCode"], 0);
    assert!(!c.seen.iter().any(|e| e == "stopped"), "{:?}", c.seen);
    c.ok("disconnect", json!({}));
    c.finish();
    // A bad tier fails the launch.
    let mut c = Client::start();
    c.ok("initialize", json!({}));
    let r = c.request("launch", json!({ "program": wasi.join("env.wasm").display().to_string(), "tier": "warp" }));
    assert_eq!(r["success"], false);
    assert!(r["message"].as_str().unwrap().contains("unknown tier `warp`"), "{r}");
    c.finish();
}

#[test]
fn a_data_breakpoint_stops_where_a_variable_is_written() {
    let mut c = Client::start();
    launch(&mut c, "prog.wasm", json!([]));
    c.ok("setFunctionBreakpoints", json!({ "breakpoints": [{ "name": "area" }] }));
    c.ok("configurationDone", json!({}));
    let (_, top) = c.stopped();
    assert_eq!(top["name"], "area");
    let scopes = c.ok("scopes", json!({ "frameId": top["id"] }));
    let globals = scopes["scopes"][2]["variablesReference"].clone();
    let info = c.ok("dataBreakpointInfo", json!({ "variablesReference": globals, "name": "counter" }));
    assert_eq!(info["accessTypes"], json!(["write"]));
    let data_id = info["dataId"].clone();
    assert!(data_id.as_str().unwrap().ends_with("/4"), "{info}");
    // A member of a struct through its container; a value not in memory has no data id.
    let locals = vars(&mut c, &scopes["scopes"][1]["variablesReference"]);
    let s = var(&locals, "s").clone();
    let pointee = vars(&mut c, &s["variablesReference"]);
    let shape = pointee[0]["variablesReference"].clone();
    let corners = c.ok("dataBreakpointInfo", json!({ "variablesReference": shape, "name": "corners" }));
    assert!(corners["dataId"].as_str().unwrap().ends_with("/16"), "{corners}");
    let r = c.ok("dataBreakpointInfo", json!({ "name": "w + 1", "frameId": top["id"] }));
    assert_eq!(r["dataId"], Value::Null, "{r}");
    let set = c.ok("setDataBreakpoints", json!({ "breakpoints": [{ "dataId": data_id, "accessType": "write" }] }));
    assert_eq!(set["breakpoints"][0]["verified"], true);
    let bad = c.ok("setDataBreakpoints", json!({ "breakpoints": [{ "dataId": "nonsense" }, { "dataId": data_id }] }));
    assert_eq!(bad["breakpoints"][0]["verified"], false);
    assert_eq!(bad["breakpoints"][1]["verified"], true);
    c.ok("setFunctionBreakpoints", json!({ "breakpoints": [] }));
    c.ok("continue", json!({ "threadId": 1 }));
    let (ev, top) = c.stopped();
    assert_eq!(ev["reason"], "data breakpoint");
    assert_eq!(top["name"], "bump");
    assert_eq!(eval(&mut c, &top, "counter"), "12");
    c.ok("setDataBreakpoints", json!({ "breakpoints": [] }));
    c.ok("continue", json!({ "threadId": 1 }));
    assert_eq!(c.event("exited")["exitCode"], 0);
    c.ok("disconnect", json!({}));
    c.finish();
}

#[test]
fn v128_values_in_variables_and_the_operand_stack() {
    // The .wat fixture with v128 values: a v128 argument reads lane-wise and opens up into
    // its lane views; the operand stack has one entry per value, with its type.
    let mut c = Client::start();
    launch(&mut c, "simd.wat", json!([]));
    c.ok("setFunctionBreakpoints", json!({ "breakpoints": [{ "name": "mix" }] }));
    c.ok("configurationDone", json!({}));
    let (_, top) = c.stopped();
    assert_eq!(top["name"], "mix");
    let scopes = c.ok("scopes", json!({ "frameId": top["id"] }));
    let refs: Vec<Value> =
        scopes["scopes"].as_array().unwrap().iter().map(|s| s["variablesReference"].clone()).collect();
    let args = vars(&mut c, &refs[1]);
    let v = var(&args, "v").clone();
    assert_eq!((v["value"].clone(), v["type"].clone()), (json!("i32x4 [1, 2, 3, -4]"), json!("v128")), "{v}");
    assert_eq!(v["evaluateName"], "$local0");
    let lanes = vars(&mut c, &v["variablesReference"]);
    let names: Vec<&str> = lanes.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"]);
    assert_eq!(var(&lanes, "i8x16")["value"], "i8x16 [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, -4, -1, -1, -1]");
    assert_eq!(var(&lanes, "i64x2")["evaluateName"], "$local0.i64x2");
    let bytes = vars(&mut c, &var(&lanes, "i8x16")["variablesReference"]);
    assert_eq!((bytes.len(), bytes[12]["value"].clone()), (16, json!("-4")));
    assert_eq!(var(&args, "k")["value"], "5");
    let wasm_locals = vars(&mut c, &refs[3]);
    assert_eq!(wasm_locals[2]["value"], "i32x4 [0, 0, 0, 0]");
    let globals = vars(&mut c, &refs[2]);
    assert_eq!(var(&globals, "$global0")["value"], "i32x4 [1, 0, 2, 0]");
    assert_eq!(eval(&mut c, &top, "$local0.i32x4[3]"), "-4");
    let hex = c.ok("evaluate", json!({ "expression": "print/x $local0", "frameId": top["id"], "context": "repl" }));
    assert!(
        hex["result"].as_str().unwrap().contains("i32x4 [0x00000001, 0x00000002, 0x00000003, 0xfffffffc]"),
        "{hex}"
    );
    // Ten instructions on: 100, v, k on the stack (before i32x4.replace_lane 1).
    let mut top = top;
    for _ in 0..10 {
        c.ok("stepIn", json!({ "threadId": 1, "granularity": "instruction" }));
        top = c.stopped().1;
    }
    let scopes = c.ok("scopes", json!({ "frameId": top["id"] }));
    let ops = vars(&mut c, &scopes["scopes"][4]["variablesReference"]);
    let shown: Vec<(String, String)> = ops
        .iter()
        .map(|o| (o["value"].as_str().unwrap().to_string(), o["type"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        shown,
        [
            ("0x64 (100)".to_string(), "i32".to_string()),
            ("i32x4 [1, 2, 3, -4]".to_string(), "v128".to_string()),
            ("0x5 (5)".to_string(), "i32".to_string()),
        ]
    );
    c.ok("setFunctionBreakpoints", json!({ "breakpoints": [] }));
    c.ok("continue", json!({ "threadId": 1 }));
    assert_eq!(c.event("exited")["exitCode"], 0);
    c.ok("disconnect", json!({}));
    let (status, err) = c.finish();
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn gc_objects_open_in_variables_and_evaluate() {
    // The GC fixture: struct and array references in the arguments open into their
    // fields (by name) and elements, nested references too; paths evaluate.
    let mut c = Client::start();
    let caps = c.ok("initialize", json!({ "adapterID": "wasmscope", "linesStartAt1": true, "columnsStartAt1": true }));
    assert_eq!(caps["supportsConfigurationDoneRequest"], true);
    let dir = fixtures();
    c.ok("launch", json!({ "program": "gc.wat", "cwd": dir.display().to_string(), "invoke": "run" }));
    c.event("initialized");
    c.ok("setFunctionBreakpoints", json!({ "breakpoints": [{ "name": "inspect" }] }));
    c.ok("configurationDone", json!({}));
    let (_, top) = c.stopped();
    let scopes = c.ok("scopes", json!({ "frameId": top["id"] }));
    let wasm_locals = vars(&mut c, &scopes["scopes"][3]["variablesReference"]);
    let p = var(&wasm_locals, "p").clone();
    assert_eq!(p["value"], "(struct $point) {x = 3, y = -2, tag = 7}", "{p}");
    let fields = vars(&mut c, &p["variablesReference"]);
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["x", "y", "tag"]);
    assert_eq!(var(&fields, "y")["evaluateName"], "$local0.y");
    let all = var(&wasm_locals, "all").clone();
    let elems = vars(&mut c, &all["variablesReference"]);
    assert_eq!(elems.len(), 3);
    assert_eq!(elems[1]["value"], "null");
    let first = vars(&mut c, &elems[0]["variablesReference"]);
    assert_eq!(var(&first, "x")["value"], "1");
    let list = var(&wasm_locals, "list").clone();
    let next = var(&vars(&mut c, &list["variablesReference"]), "next").clone();
    assert_eq!(var(&vars(&mut c, &next["variablesReference"]), "v")["value"], "20");
    assert_eq!(var(&wasm_locals, "small")["variablesReference"], 0);
    assert_eq!(eval(&mut c, &top, "list.next.v"), "20");
    assert_eq!(eval(&mut c, &top, "$local1[2].y"), "-2");
    c.ok("setFunctionBreakpoints", json!({ "breakpoints": [] }));
    c.ok("continue", json!({ "threadId": 1 }));
    c.event("exited");
    c.ok("disconnect", json!({}));
    let (status, err) = c.finish();
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn the_throw_exception_filter_stops_at_each_throw() {
    let mut c = Client::start_with(&["-W", "exceptions"]);
    let caps = c.ok("initialize", json!({ "adapterID": "wasmscope" }));
    assert_eq!(caps["exceptionBreakpointFilters"][1]["filter"], "throw");
    let dir = fixtures().display().to_string();
    c.ok("launch", json!({ "program": "exceptions.wat", "cwd": dir, "invoke": "run", "args": ["6"] }));
    c.event("initialized");
    c.ok("setExceptionBreakpoints", json!({ "filters": ["trap", "throw"] }));
    c.ok("configurationDone", json!({}));
    // At the `throw` in `leaf`, three frames below its handler, before anything unwinds.
    let (ev, top) = c.stopped();
    assert_eq!(ev["reason"], "exception", "{ev}");
    assert!(ev["text"].as_str().unwrap_or("").contains("tag \"oops\" with payload [i32:7]"), "{ev}");
    assert_eq!(top["name"], "leaf", "{top}");
    let frames = c.ok("stackTrace", json!({ "threadId": 1 }));
    assert_eq!(frames["stackFrames"].as_array().map(Vec::len), Some(4), "{frames}");
    // The handler catches it; then `run` throws one nobody catches.
    c.ok("continue", json!({ "threadId": 1 }));
    let (ev, _) = c.stopped();
    assert!(ev["text"].as_str().unwrap_or("").contains("tag \"fatal\" with payload [i32:7, i64:99]"), "{ev}");
    // With the filter off the program runs to its end: the uncaught exception ends it.
    c.ok("setExceptionBreakpoints", json!({ "filters": ["trap"] }));
    c.ok("continue", json!({ "threadId": 1 }));
    assert_eq!(c.event("exited")["exitCode"], 134);
    c.ok("disconnect", json!({}));
    let (status, err) = c.finish();
    assert_eq!(status.code(), Some(134), "the adapter exits as the program did: {err}");
}
