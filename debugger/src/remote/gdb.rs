//! The gdb-remote stub: a [`Frontend`] that answers GDB Remote Serial Protocol packets
//! (the GDB manual, Appendix E) in the dialect of LLDB's WebAssembly process plugin
//! (`process connect --plugin wasm`): modules as libraries at [`WasmAddr`] addresses
//! (`qXfer:libraries:read`), `qWasmCallStack`, `qWasmLocal`, `qWasmGlobal`,
//! `qWasmStackValue`, memory reads of code and linear memory, software breakpoints, write
//! watchpoints, single steps, continue and interrupt.
//!
//! Everything runs on the core: breakpoints and watchpoints are [`Points`] of the
//! session, `s` is [`StepKind::Instr`], values come from the [`ProgramState`] snapshot.
//! LLDB does source-level stepping itself from these instruction-level operations and
//! reads the module's DWARF itself. Packets are answered while the program is paused
//! inside [`Frontend::stopped`]; while it runs, only `0x03` is looked for
//! ([`Frontend::interrupted`]). A packet the stub does not know gets the empty reply (the
//! protocol's "unsupported"); a malformed one an `E` reply.
//!
//! [`Points`]: crate::breakpoints::Points

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::net::TcpListener;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::Duration;

use wasmscope_engine::Val;

use crate::breakpoints::PointKind;
use crate::error::{DebugError, Result};
use crate::remote::packet::{Event, PACKET_SIZE, PacketWriter, hex, spawn_reader, unhex};
use crate::remote::wasm_addr::{Space, WasmAddr};
use crate::session::{Core, Frontend, Outcome, Resume, Session, Stop};
use crate::state::{ProgramState, val_bits};
use crate::stepping::StepKind;

/// The triple reported in `qHostInfo` / `qProcessInfo`.
const TRIPLE: &str = "wasm32-unknown-unknown-wasm";
/// The one thread (and process) id.
const TID: u64 = 1;
/// How many watchpoints `qWatchpointSupportInfo` offers (the core has no fixed limit).
const WATCHPOINTS: u32 = 16;

/// Signals in stop replies.
const SIGINT: u8 = 2;
const SIGILL: u8 = 4;
const SIGTRAP: u8 = 5;
const SIGKILL: u8 = 9;

/// Waits for one client on `listener`, then runs `session` under it until the program
/// ends or the client kills it, detaches or disconnects. `note` is told what happens
/// (connections, malformed packets) for the server's own log.
pub fn serve(session: &mut Session, listener: &TcpListener, note: &mut dyn FnMut(&str)) -> Result<Outcome> {
    // Refuse before a client connects when the program has nowhere to start.
    let start = session.entry()?;
    let (stream, peer) = listener.accept().map_err(|e| DebugError::Connection(format!("accepting a client: {e}")))?;
    note(&format!("gdb-remote: client {peer} connected"));
    let _ = stream.set_nodelay(true);
    let reader = stream.try_clone().map_err(|e| DebugError::Connection(format!("socket: {e}")))?;
    let no_ack = Arc::new(AtomicBool::new(false));
    let rx = spawn_reader(reader, no_ack.clone());
    let writer = Rc::new(RefCell::new(PacketWriter::new(stream)));
    let conn = Rc::new(RefCell::new(Conn::Open));
    let (old_out, old_err) = (session.config.stdout.take(), session.config.stderr.take());
    session.config.stdout = Some(Rc::new(RefCell::new(OutputPackets {
        writer: writer.clone(),
        conn: conn.clone(),
        fallback: Box::new(std::io::stdout()),
    })));
    session.config.stderr = Some(Rc::new(RefCell::new(OutputPackets {
        writer: writer.clone(),
        conn: conn.clone(),
        fallback: Box::new(std::io::stderr()),
    })));
    let entry =
        Some(session.core.points.add(PointKind::Break { offsets: vec![start] }, "<entry>".into(), String::new(), true));
    let mut stub = GdbStub {
        rx,
        writer,
        no_ack,
        conn,
        queued: VecDeque::new(),
        entry,
        breaks: BTreeMap::new(),
        watches: BTreeMap::new(),
        snapped: BTreeMap::new(),
        answer: Answer::Nothing,
        error_strings: false,
        notes: Vec::new(),
    };
    let result = session.run(&mut stub);
    session.config.stdout = old_out;
    session.config.stderr = old_err;
    for n in stub.notes.drain(..) {
        note(&n);
    }
    let outcome = result?;
    stub.finish(&outcome);
    note(&format!("gdb-remote: {}", describe(&outcome)));
    Ok(outcome)
}

fn describe(o: &Outcome) -> String {
    match o {
        Outcome::Exited(c) => format!("the program exited with status {c}"),
        Outcome::Returned(v) => format!("the function returned {v:?}"),
        Outcome::Trapped(m) => format!("the program was terminated by a trap: {m}"),
        Outcome::Killed => "the program was killed".into(),
    }
}

/// The connection's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    Open,
    /// `D`: the program runs on without the debugger.
    Detached,
    /// `k`: the client asked for the kill and was answered.
    Killed,
    /// The client went away.
    Closed,
}

/// What the next stop has to say first.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    /// Nothing (the first stop: the client asks with `?`).
    Nothing,
    /// The stop reply (after `c`, `s`, `vCont`).
    StopReply,
    /// This reply (after a memory write, whose `OK` comes once it is done).
    Reply(Vec<u8>),
}

/// What a packet asks for.
enum Handled {
    Reply(Vec<u8>),
    Resume(Resume, Answer),
}

fn reply(s: impl Into<String>) -> Handled {
    Handled::Reply(s.into().into_bytes())
}

struct GdbStub {
    rx: Receiver<Event>,
    writer: Rc<RefCell<PacketWriter>>,
    no_ack: Arc<AtomicBool>,
    conn: Rc<RefCell<Conn>>,
    /// Events that arrived while the program ran.
    queued: VecDeque<Event>,
    /// The temporary breakpoint at the first instruction, where the client finds the
    /// program.
    entry: Option<u32>,
    /// `Z0` breakpoints: raw address → point number.
    breaks: BTreeMap<u64, u32>,
    /// `Z2` watchpoints: (address, length) → point number.
    watches: BTreeMap<(u64, u64), u32>,
    /// Breakpoint offsets moved forward to an instruction that executes → the offset the
    /// client asked for, which is the pc it is shown when it stops there.
    snapped: BTreeMap<u32, u32>,
    answer: Answer,
    /// `QEnableErrorStrings`: `E` replies carry a message.
    error_strings: bool,
    /// For the server's log.
    notes: Vec<String>,
}

/// The program's stdout / stderr as `O` packets while a client is connected (and on the
/// server's own stream once it is gone or detached).
struct OutputPackets {
    writer: Rc<RefCell<PacketWriter>>,
    conn: Rc<RefCell<Conn>>,
    fallback: Box<dyn Write>,
}

impl Write for OutputPackets {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut w = self.writer.borrow_mut();
        if *self.conn.borrow() != Conn::Open || w.broken {
            return self.fallback.write(buf);
        }
        for chunk in buf.chunks(PACKET_SIZE / 2 - 1) {
            let mut p = b"O".to_vec();
            p.extend_from_slice(hex(chunk).as_bytes());
            w.send(&p);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.fallback.flush()
    }
}

fn parse_hex_u64(s: &[u8]) -> Option<u64> {
    u64::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
}

fn parse_dec_u32(s: &[u8]) -> Option<u32> {
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// `ADDR,LEN` in hex.
fn addr_len(s: &[u8]) -> Option<(u64, u64)> {
    let i = s.iter().position(|&b| b == b',')?;
    Some((parse_hex_u64(&s[..i])?, parse_hex_u64(&s[i + 1..])?))
}

/// The bytes of a wasm value as the `qWasm*` packets return them (little-endian, its
/// width).
fn value_bytes(v: &Val) -> Vec<u8> {
    let bits = val_bits(v);
    match v {
        Val::I64(_) | Val::F64(_) => bits.to_le_bytes().to_vec(),
        Val::V128(x) => x.to_le_bytes().to_vec(),
        _ => (bits as u32).to_le_bytes().to_vec(),
    }
}

impl GdbStub {
    fn send(&mut self, payload: &[u8]) {
        self.writer.borrow_mut().send(payload);
    }

    fn error(&self, code: u8, message: &str) -> Handled {
        if self.error_strings {
            Handled::Reply(format!("E{code:02x};{}", hex(message.as_bytes())).into_bytes())
        } else {
            Handled::Reply(format!("E{code:02x}").into_bytes())
        }
    }

    fn next_event(&mut self) -> Event {
        if let Some(e) = self.queued.pop_front() {
            return e;
        }
        self.rx.recv().unwrap_or(Event::Closed)
    }

    /// After the run: the exit reply, then wait (a while) for the client to hang up.
    fn finish(&mut self, outcome: &Outcome) {
        if *self.conn.borrow() != Conn::Open {
            self.writer.borrow_mut().shutdown();
            return;
        }
        let packet = match outcome {
            Outcome::Exited(c) => format!("W{:02x}", *c as u8),
            Outcome::Trapped(_) => format!("W{:02x}", 134),
            Outcome::Returned(_) => "W00".to_string(),
            Outcome::Killed => format!("X{SIGKILL:02x}"),
        };
        self.send(packet.as_bytes());
        // The client may still send a packet or two (`k`); answer until it hangs up.
        loop {
            let ev = match self.queued.pop_front() {
                Some(e) => e,
                None => match self.rx.recv_timeout(Duration::from_secs(10)) {
                    Ok(e) => e,
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
                },
            };
            match ev {
                Event::Packet(p) if p.first() == Some(&b'k') => break,
                Event::Packet(p) if p == b"?" => self.send(packet.as_bytes()),
                Event::Packet(_) => self.send(b"E01"),
                Event::Closed => break,
                _ => {}
            }
        }
        self.writer.borrow_mut().shutdown();
    }

    /// Frame `i`'s pc as the client sees it: a code address; for callers the return
    /// address (the instruction after the call), as native stacks have it.
    fn pc(&self, core: &Core, state: &ProgramState<'_>, i: usize) -> u64 {
        let Some(f) = state.frames.get(i) else { return 0 };
        let offset = if i == 0 {
            self.snapped.get(&f.offset).copied().unwrap_or(f.offset)
        } else {
            core.program
                .code(f.func)
                .and_then(|c| {
                    let k = c.offsets.binary_search(&f.offset).ok()?;
                    c.offsets.get(k + 1).copied()
                })
                .unwrap_or(f.offset + 1)
        };
        WasmAddr::code(offset).raw()
    }

    fn stop_reply(&self, core: &Core, state: &ProgramState<'_>, stop: &Stop) -> Vec<u8> {
        let (signal, reason) = match stop {
            Stop::Breakpoint { id } if Some(*id) == self.entry => (SIGTRAP, String::new()),
            Stop::Breakpoint { .. } => (SIGTRAP, "reason:breakpoint;".to_string()),
            Stop::Step | Stop::Finished { .. } => (SIGTRAP, "reason:trace;".to_string()),
            Stop::Watchpoint { id, .. } => match core.points.get(*id).map(|p| &p.kind) {
                Some(PointKind::Watch { addr, .. }) => {
                    (SIGTRAP, format!("watch:{:x};", WasmAddr::memory(*addr as u32).raw()))
                }
                _ => (SIGTRAP, "reason:trace;".to_string()),
            },
            Stop::Trap { message } => {
                (SIGILL, format!("reason:exception;description:{};", hex(format!("trap: {message}").as_bytes())))
            }
            Stop::Exception { description, .. } => (
                SIGTRAP,
                format!("reason:exception;description:{};", hex(format!("exception thrown: {description}").as_bytes())),
            ),
            Stop::Interrupted => (SIGINT, "reason:signal;".to_string()),
        };
        let pc = self.pc(core, state, 0);
        format!("T{signal:02x}thread:{TID:x};threads:{TID:x};thread-pcs:{pc:x};00:{};{reason}", hex(&pc.to_le_bytes()))
            .into_bytes()
    }

    fn libraries(&self, core: &Core) -> String {
        let path = core.program.path.canonicalize().unwrap_or_else(|_| core.program.path.clone());
        let name = path.display().to_string().replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
        format!(
            "<library-list><library name=\"{name}\"><section address=\"{:#x}\"/></library></library-list>",
            WasmAddr::code(0).raw()
        )
    }

    /// `qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH`.
    fn xfer(&self, core: &Core, args: &[u8]) -> Handled {
        let text = String::from_utf8_lossy(args);
        let mut parts = text.splitn(4, ':');
        let (object, op, _annex, range) = (parts.next(), parts.next(), parts.next(), parts.next());
        if op != Some("read") {
            return reply("");
        }
        let doc = match object {
            Some("libraries") => self.libraries(core),
            _ => return reply(""),
        };
        let Some((off, len)) = range.and_then(|r| addr_len(r.as_bytes())) else {
            return self.error(1, "qXfer: OFFSET,LENGTH expected");
        };
        let bytes = doc.as_bytes();
        let start = (off as usize).min(bytes.len());
        let end = start.saturating_add(len as usize).min(bytes.len());
        let mut out = vec![if end < bytes.len() { b'm' } else { b'l' }];
        out.extend_from_slice(&bytes[start..end]);
        Handled::Reply(out)
    }

    fn read_memory(&self, core: &Core, state: &ProgramState<'_>, args: &[u8]) -> Handled {
        let Some((raw, len)) = addr_len(args) else { return self.error(1, "m: ADDR,LEN expected") };
        let Some(a) = WasmAddr::decode(raw) else { return self.error(3, "not a wasm address") };
        let len = len.min(PACKET_SIZE as u64 / 2 - 8) as usize;
        let space: &[u8] = match (a.space, a.index) {
            (Space::Module, 0) => core.program.bytes.as_slice(),
            (Space::Memory, 0) => state.memory,
            _ => return self.error(3, "no such module or memory"),
        };
        let start = a.offset as usize;
        match space.get(start..) {
            Some(rest) if !rest.is_empty() || len == 0 => {
                Handled::Reply(hex(&rest[..len.min(rest.len())]).into_bytes())
            }
            _ => self.error(3, "address out of range"),
        }
    }

    fn write_memory(&self, state: &ProgramState<'_>, args: &[u8]) -> Handled {
        let Some(colon) = args.iter().position(|&b| b == b':') else {
            return self.error(1, "M: ADDR,LEN:BYTES expected");
        };
        let (Some((raw, len)), Some(bytes)) = (addr_len(&args[..colon]), unhex(&args[colon + 1..])) else {
            return self.error(1, "M: ADDR,LEN:BYTES expected");
        };
        if bytes.len() as u64 != len {
            return self.error(1, "M: LEN does not match the bytes");
        }
        match WasmAddr::decode(raw) {
            Some(a) if a.space == Space::Memory && a.index == 0 => {
                let end = u64::from(a.offset) + len;
                if end > state.memory.len() as u64 {
                    return self.error(3, "address out of range");
                }
                Handled::Resume(Resume::WriteMemory { addr: u64::from(a.offset), bytes }, Answer::Reply(b"OK".to_vec()))
            }
            Some(_) => self.error(3, "module code cannot be written"),
            None => self.error(3, "not a wasm address"),
        }
    }

    /// `qWasmLocal`, `qWasmGlobal`, `qWasmStackValue`: `FRAME;INDEX` in decimal.
    fn wasm_value(&self, state: &ProgramState<'_>, kind: &str, args: &[u8]) -> Handled {
        let sep = args.iter().position(|&b| b == b';' || b == b':');
        let Some((frame, index)) = sep.and_then(|i| Some((parse_dec_u32(&args[..i])?, parse_dec_u32(&args[i + 1..])?)))
        else {
            return self.error(1, "FRAME;INDEX expected");
        };
        let Some(f) = state.frames.get(frame as usize) else { return self.error(2, "no such frame") };
        let bytes = match kind {
            "Local" => f.locals.get(index as usize).map(value_bytes),
            "Global" => state.globals.get(index as usize).copied().flatten().map(|v| value_bytes(&v)),
            _ => f.operands.get(index as usize).map(value_bytes),
        };
        match bytes {
            Some(b) => Handled::Reply(hex(&b).into_bytes()),
            None => self.error(2, "no such value"),
        }
    }

    fn breakpoint(&mut self, core: &mut Core, state: &ProgramState<'_>, insert: bool, args: &[u8]) -> Handled {
        let mut parts = args.splitn(3, |&b| b == b',');
        let (kind, addr, len) = (parts.next(), parts.next().and_then(parse_hex_u64), parts.next());
        let (Some(kind), Some(raw)) = (kind, addr) else { return self.error(1, "Z: TYPE,ADDR,KIND expected") };
        match kind {
            b"0" => self.code_breakpoint(core, insert, raw),
            b"2" => {
                let Some(len) = len.and_then(|l| parse_hex_u64(l.split(|&b| b == b';').next().unwrap_or(l))) else {
                    return self.error(1, "Z2: LENGTH expected");
                };
                self.watchpoint(core, state, insert, raw, len)
            }
            // Hardware breakpoints and read/access watchpoints: the core watches writes only.
            _ => reply(""),
        }
    }

    fn code_breakpoint(&mut self, core: &mut Core, insert: bool, raw: u64) -> Handled {
        let Some(a) = WasmAddr::decode(raw).filter(|a| a.space == Space::Module && a.index == 0) else {
            return self.error(3, "not a code address");
        };
        if !insert {
            if let Some(id) = self.breaks.remove(&raw) {
                core.points.delete(id);
                self.snapped.retain(|_, requested| *requested != a.offset);
            }
            return reply("OK");
        }
        if self.breaks.contains_key(&raw) {
            return reply("OK");
        }
        let Some(at) = core.program.snap(a.offset) else { return self.error(3, "no code at this address") };
        let id = core.points.add(
            PointKind::Break { offsets: vec![at] },
            format!("*{:#x}", a.offset),
            format!("gdb-remote {raw:#x}"),
            false,
        );
        self.breaks.insert(raw, id);
        if at != a.offset {
            self.snapped.insert(at, a.offset);
        }
        reply("OK")
    }

    fn watchpoint(&mut self, core: &mut Core, state: &ProgramState<'_>, insert: bool, raw: u64, len: u64) -> Handled {
        let Some(a) = WasmAddr::decode(raw).filter(|a| a.space == Space::Memory && a.index == 0) else {
            return self.error(3, "not a linear memory address");
        };
        let addr = u64::from(a.offset);
        if !insert {
            if let Some(id) = self.watches.remove(&(addr, len)) {
                core.points.delete(id);
            }
            return reply("OK");
        }
        if len == 0 || len > 4096 {
            return self.error(1, "watch length out of range");
        }
        let old = state.read(addr, len).map(<[u8]>::to_vec);
        if old.is_none() {
            return self.error(3, "address out of range");
        }
        let id = core.points.add(
            PointKind::Watch { addr, len, ty: None, old },
            format!("*{addr:#x}"),
            format!("{len} bytes at {addr:#x}"),
            false,
        );
        self.watches.insert((addr, len), id);
        reply("OK")
    }

    /// `vCont;ACTION[:TID]...`: the first action (one thread).
    fn vcont(&self, args: &[u8]) -> Handled {
        let first = args.split(|&b| b == b';').find(|a| !a.is_empty());
        match first.and_then(|a| a.first()) {
            Some(b'c' | b'C') => Handled::Resume(Resume::Continue, Answer::StopReply),
            Some(b's' | b'S') => Handled::Resume(Resume::Step(StepKind::Instr), Answer::StopReply),
            _ => self.error(1, "vCont: c, C, s or S expected"),
        }
    }

    fn handle(&mut self, core: &mut Core, state: &ProgramState<'_>, stop: &[u8], p: &[u8]) -> Handled {
        let Some((&first, rest)) = p.split_first() else { return reply("") };
        match first {
            b'?' => Handled::Reply(stop.to_vec()),
            b'c' => Handled::Resume(Resume::Continue, Answer::StopReply),
            b's' => Handled::Resume(Resume::Step(StepKind::Instr), Answer::StopReply),
            b'k' => {
                self.send(format!("X{SIGKILL:02x}").as_bytes());
                *self.conn.borrow_mut() = Conn::Killed;
                Handled::Resume(Resume::Kill, Answer::Nothing)
            }
            b'D' => {
                self.send(b"OK");
                *self.conn.borrow_mut() = Conn::Detached;
                for id in self.breaks.values().chain(self.watches.values()) {
                    core.points.delete(*id);
                }
                Handled::Resume(Resume::Continue, Answer::Nothing)
            }
            b'H' => reply("OK"),
            b'T' => reply("OK"),
            b'g' => Handled::Reply(hex(&self.pc(core, state, 0).to_le_bytes()).into_bytes()),
            b'p' => match parse_hex_u64(rest.split(|&b| b == b';').next().unwrap_or(rest)) {
                Some(0) => Handled::Reply(hex(&self.pc(core, state, 0).to_le_bytes()).into_bytes()),
                _ => self.error(0x45, "no such register"),
            },
            b'm' => self.read_memory(core, state, rest),
            b'M' => self.write_memory(state, rest),
            b'Z' => self.breakpoint(core, state, true, rest),
            b'z' => self.breakpoint(core, state, false, rest),
            b'v' if rest == b"Cont?" => reply("vCont;c;C;s;S"),
            b'v' if rest.starts_with(b"Cont;") => self.vcont(&rest[5..]),
            b'q' => self.query(core, state, stop, rest),
            b'Q' => self.set(rest),
            _ => reply(""),
        }
    }

    fn set(&mut self, p: &[u8]) -> Handled {
        match p {
            b"StartNoAckMode" => {
                // The reader switched acks off when it acknowledged this packet.
                self.no_ack.store(true, Ordering::SeqCst);
                reply("OK")
            }
            b"EnableErrorStrings" => {
                self.error_strings = true;
                reply("OK")
            }
            b"ThreadSuffixSupported" | b"ListThreadsInStopReply" => reply("OK"),
            _ => reply(""),
        }
    }

    fn query(&mut self, core: &Core, state: &ProgramState<'_>, stop: &[u8], p: &[u8]) -> Handled {
        let (name, args) = match p.iter().position(|&b| b == b':') {
            Some(i) => (&p[..i], &p[i + 1..]),
            None => (p, &b""[..]),
        };
        let triple = hex(TRIPLE.as_bytes());
        match name {
            b"Supported" => reply(format!(
                "PacketSize={PACKET_SIZE:x};QStartNoAckMode+;qXfer:libraries:read+;QThreadSuffixSupported+;QListThreadsInStopReply+;QEnableErrorStrings+;vContSupported+"
            )),
            b"HostInfo" => reply(format!(
                "triple:{triple};ptrsize:4;endian:little;ostype:unknown;vendor:unknown;watchpoint_exceptions_received:after;"
            )),
            b"ProcessInfo" => reply(format!(
                "pid:{TID:x};parent-pid:{TID:x};triple:{triple};ptrsize:4;endian:little;ostype:unknown;vendor:unknown;"
            )),
            b"C" => reply(format!("QC{TID:x}")),
            b"fThreadInfo" => reply(format!("m{TID:x}")),
            b"sThreadInfo" => reply("l"),
            b"Attached" => reply("0"),
            b"Symbol" => reply("OK"),
            b"WatchpointSupportInfo" => reply(format!("num:{WATCHPOINTS};")),
            b"Xfer" => self.xfer(core, args),
            b"WasmCallStack" => {
                let mut out = String::new();
                for i in 0..state.frames.len() {
                    out.push_str(&hex(&self.pc(core, state, i).to_le_bytes()));
                }
                reply(out)
            }
            b"WasmLocal" => self.wasm_value(state, "Local", args),
            b"WasmGlobal" => self.wasm_value(state, "Global", args),
            b"WasmStackValue" => self.wasm_value(state, "Stack", args),
            b"MemoryRegionInfo" => self.region(core, state, args),
            b"GetWorkingDir" => match std::env::current_dir() {
                Ok(d) => reply(hex(d.display().to_string().as_bytes())),
                Err(_) => self.error(1, "no working directory"),
            },
            _ if name.starts_with(b"RegisterInfo") => match parse_hex_u64(&name[12..]) {
                Some(0) => reply(
                    "name:pc;alt-name:pc;bitsize:64;offset:0;encoding:uint;format:hex;set:General Purpose Registers;gcc:16;dwarf:16;generic:pc;",
                ),
                _ => self.error(0x45, "no such register"),
            },
            _ if name.starts_with(b"ThreadStopInfo") => Handled::Reply(stop.to_vec()),
            _ => reply(""),
        }
    }

    /// `qMemoryRegionInfo:ADDR`: the module image (read-only, executable), the linear
    /// memory (read-write), or the unmapped rest.
    fn region(&self, core: &Core, state: &ProgramState<'_>, args: &[u8]) -> Handled {
        let Some(a) = parse_hex_u64(args).and_then(WasmAddr::decode) else {
            return self.error(1, "qMemoryRegionInfo: ADDR expected");
        };
        let (len, perms, name) = match (a.space, a.index) {
            (Space::Module, 0) => (core.program.bytes.as_slice().len() as u64, "rx", "wasm"),
            (Space::Memory, 0) => (state.memory.len() as u64, "rw", "memory"),
            _ => (0, "", ""),
        };
        let base = WasmAddr { offset: 0, ..a }.raw();
        if u64::from(a.offset) < len {
            reply(format!("start:{base:x};size:{len:x};permissions:{perms};name:{};", hex(name.as_bytes())))
        } else {
            reply(format!("start:{:x};size:{:x};", base + len, (1u64 << 32) - len))
        }
    }
}

impl Frontend for GdbStub {
    fn stopped(&mut self, core: &mut Core, state: &ProgramState<'_>, stop: &Stop) -> Resume {
        match *self.conn.borrow() {
            Conn::Open => {}
            Conn::Detached => return Resume::Continue,
            Conn::Killed | Conn::Closed => return Resume::Kill,
        }
        let stop_reply = self.stop_reply(core, state, stop);
        match std::mem::replace(&mut self.answer, Answer::Nothing) {
            Answer::Nothing => {}
            Answer::StopReply => self.send(&stop_reply),
            Answer::Reply(r) => self.send(&r),
        }
        loop {
            match self.next_event() {
                Event::Packet(p) => match self.handle(core, state, &stop_reply, &p) {
                    Handled::Reply(r) => self.send(&r),
                    Handled::Resume(r, answer) => {
                        self.answer = answer;
                        return r;
                    }
                },
                Event::Nack => self.writer.borrow_mut().resend(),
                Event::Bad(m) => {
                    self.notes.push(format!("gdb-remote: malformed packet: {m}"));
                    if self.no_ack.load(Ordering::SeqCst) {
                        let Handled::Reply(r) = self.error(1, &m) else { continue };
                        self.send(&r);
                    }
                }
                // Already stopped: nothing to interrupt.
                Event::Interrupt => {}
                Event::Closed => {
                    *self.conn.borrow_mut() = Conn::Closed;
                    self.notes.push("gdb-remote: the client disconnected; killing the program".into());
                    return Resume::Kill;
                }
            }
        }
    }

    fn interrupted(&mut self) -> bool {
        if *self.conn.borrow() != Conn::Open {
            // Detached (or gone): the program runs to its end.
            while self.rx.try_recv().is_ok() {}
            return false;
        }
        loop {
            match self.rx.try_recv() {
                Ok(Event::Interrupt) => return true,
                Ok(Event::Closed) | Err(TryRecvError::Disconnected) => {
                    *self.conn.borrow_mut() = Conn::Closed;
                    return true;
                }
                Ok(e) => self.queued.push_back(e),
                Err(TryRecvError::Empty) => return false,
            }
        }
    }
}
