//! GDB Remote Serial Protocol framing (the GDB manual, "Overview" of Appendix E "Remote
//! Protocol"): packets `$payload#cc` with a modulo-256 checksum, `}` escapes and `*`
//! run-length encoding, the `+`/`-` acknowledgements (until `QStartNoAckMode`), and the
//! out-of-band interrupt byte `0x03`.
//!
//! [`Decoder`] is a pure byte-at-a-time state machine; [`spawn_reader`] runs it on a thread
//! over the socket (acknowledging packets while acks are on) and hands [`Event`]s to the
//! server, so that an interrupt can arrive while the program runs. [`PacketWriter`] frames
//! and sends replies. Nothing here panics on any input: bad framing becomes an event.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

/// The longest payload accepted (bytes as sent, before unescaping). Longer packets are
/// dropped with [`Event::Bad`]; `qSupported` advertises a smaller `PacketSize`.
pub const MAX_PACKET: usize = 1 << 20;

/// The `PacketSize` advertised to the client (a memory read of half of it fits a reply).
pub const PACKET_SIZE: usize = 0x20000;

/// What arrived from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A packet with a correct checksum: its payload, unescaped and expanded.
    Packet(Vec<u8>),
    /// `0x03` between packets: stop the running program.
    Interrupt,
    /// `-`: the client wants the last reply again.
    Nack,
    /// Malformed input (wrong checksum, bad checksum digits, an over-long packet, a bad
    /// escape): what was wrong. While acks are on the reader has already sent `-`.
    Bad(String),
    /// The connection was closed (or failed).
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between packets.
    Idle,
    /// Inside `$...`.
    Payload,
    /// After `#`: the first checksum digit.
    Sum1,
    /// The second checksum digit (the first is kept).
    Sum2(u8),
}

/// Splits a byte stream into [`Event`]s.
#[derive(Debug)]
pub struct Decoder {
    state: State,
    raw: Vec<u8>,
    sum: u8,
    too_long: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder { state: State::Idle, raw: Vec::new(), sum: 0, too_long: false }
    }
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl Decoder {
    /// Feeds one byte; returns the event it completes, if any.
    pub fn push(&mut self, b: u8) -> Option<Event> {
        match self.state {
            State::Idle => match b {
                b'$' => {
                    self.state = State::Payload;
                    self.raw.clear();
                    self.sum = 0;
                    self.too_long = false;
                    None
                }
                0x03 => Some(Event::Interrupt),
                b'-' => Some(Event::Nack),
                // Acks, and noise between packets, are ignored (as gdbserver does).
                _ => None,
            },
            State::Payload => {
                match b {
                    b'#' => self.state = State::Sum1,
                    // A `$` inside a packet starts a new one (the old one was cut short).
                    b'$' => {
                        self.raw.clear();
                        self.sum = 0;
                        self.too_long = false;
                        return Some(Event::Bad("a packet was cut short by `$`".into()));
                    }
                    _ => {
                        self.sum = self.sum.wrapping_add(b);
                        if self.raw.len() < MAX_PACKET {
                            self.raw.push(b);
                        } else {
                            self.too_long = true;
                        }
                    }
                }
                None
            }
            State::Sum1 => match hex_digit(b) {
                Some(d) => {
                    self.state = State::Sum2(d);
                    None
                }
                None => {
                    self.state = State::Idle;
                    Some(Event::Bad(format!("checksum digit expected after `#`, got {}", show_byte(b))))
                }
            },
            State::Sum2(hi) => {
                self.state = State::Idle;
                let Some(lo) = hex_digit(b) else {
                    return Some(Event::Bad(format!("checksum digit expected, got {}", show_byte(b))));
                };
                let want = hi << 4 | lo;
                if self.too_long {
                    return Some(Event::Bad(format!("packet longer than {MAX_PACKET} bytes")));
                }
                if want != self.sum {
                    return Some(Event::Bad(format!(
                        "wrong checksum: the packet says {want:02x}, its bytes sum to {:02x}",
                        self.sum
                    )));
                }
                Some(match unescape(&self.raw) {
                    Ok(p) => Event::Packet(p),
                    Err(e) => Event::Bad(e),
                })
            }
        }
    }
}

fn show_byte(b: u8) -> String {
    if b.is_ascii_graphic() { format!("`{}`", b as char) } else { format!("byte {b:#04x}") }
}

/// Undoes `}` escapes (next byte XOR 0x20) and expands `*` run-lengths (the previous byte
/// repeated `n - 29` more times).
pub fn unescape(raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut it = raw.iter().copied();
    while let Some(b) = it.next() {
        match b {
            b'}' => out.push(it.next().ok_or("a packet ends in the escape byte `}`")? ^ 0x20),
            b'*' => {
                let n = it.next().ok_or("a packet ends in the run-length byte `*`")?;
                let prev = *out.last().ok_or("a run-length `*` with nothing before it")?;
                let count = n.checked_sub(29).filter(|c| *c > 0).ok_or("a bad run-length count after `*`")?;
                out.extend(std::iter::repeat_n(prev, usize::from(count)));
            }
            _ => out.push(b),
        }
    }
    Ok(out)
}

/// `$payload#cc` with `$`, `#`, `}` and `*` escaped.
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 4);
    out.push(b'$');
    let mut sum = 0u8;
    for &b in payload {
        let bytes: &[u8] = if matches!(b, b'$' | b'#' | b'}' | b'*') { &[b'}', b ^ 0x20] } else { &[b] };
        for &x in bytes {
            out.push(x);
            sum = sum.wrapping_add(x);
        }
    }
    out.push(b'#');
    out.extend_from_slice(format!("{sum:02x}").as_bytes());
    out
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hex text; `None` if it is not an even number of hex digits.
pub fn unhex(s: &[u8]) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2).map(|c| Some(hex_digit(c[0])? << 4 | hex_digit(c[1])?)).collect()
}

/// Starts a thread that reads `stream` until it closes, decoding events into the returned
/// channel. While `no_ack` is false it answers each packet with `+` and each bad one with
/// `-`; it sets `no_ack` itself right after acknowledging `QStartNoAckMode`, so no later
/// packet is acknowledged.
pub fn spawn_reader(stream: TcpStream, no_ack: Arc<AtomicBool>) -> Receiver<Event> {
    let (tx, rx) = channel();
    std::thread::spawn(move || read_loop(stream, no_ack, tx));
    rx
}

fn read_loop(mut stream: TcpStream, no_ack: Arc<AtomicBool>, tx: Sender<Event>) {
    let mut decoder = Decoder::default();
    let mut buf = [0u8; 4096];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => {
                let _ = tx.send(Event::Closed);
                return;
            }
            Ok(n) => n,
        };
        for &b in &buf[..n] {
            let Some(ev) = decoder.push(b) else { continue };
            if !no_ack.load(Ordering::SeqCst) {
                let ack: &[u8] = match &ev {
                    Event::Packet(_) => b"+",
                    Event::Bad(_) => b"-",
                    _ => b"",
                };
                if !ack.is_empty() && stream.write_all(ack).is_err() {
                    let _ = tx.send(Event::Closed);
                    return;
                }
                if matches!(&ev, Event::Packet(p) if p == b"QStartNoAckMode") {
                    no_ack.store(true, Ordering::SeqCst);
                }
            }
            if tx.send(ev).is_err() {
                // The server is gone.
                return;
            }
        }
    }
}

/// Sends framed packets; remembers the last one for a `-`.
pub struct PacketWriter {
    stream: TcpStream,
    last: Vec<u8>,
    /// A write failed: the client is gone, later writes are dropped.
    pub broken: bool,
}

impl PacketWriter {
    pub fn new(stream: TcpStream) -> PacketWriter {
        PacketWriter { stream, last: Vec::new(), broken: false }
    }

    /// Frames and sends `payload`.
    pub fn send(&mut self, payload: &[u8]) {
        self.last = frame(payload);
        let packet = std::mem::take(&mut self.last);
        self.write_raw(&packet);
        self.last = packet;
    }

    /// Sends the last packet again (the client answered `-`).
    pub fn resend(&mut self) {
        let packet = std::mem::take(&mut self.last);
        self.write_raw(&packet);
        self.last = packet;
    }

    fn write_raw(&mut self, bytes: &[u8]) {
        if self.broken {
            return;
        }
        if self.stream.write_all(bytes).and_then(|()| self.stream.flush()).is_err() {
            self.broken = true;
        }
    }

    /// Closes the connection both ways (the reader thread then sees it closed).
    pub fn shutdown(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
        self.broken = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(input: &[u8]) -> Vec<Event> {
        let mut d = Decoder::default();
        input.iter().filter_map(|&b| d.push(b)).collect()
    }

    #[test]
    fn framing_round_trips_with_escapes() {
        let payload = b"m4000000000000010,4}#$*x";
        let framed = frame(payload);
        assert_eq!(events(&framed), vec![Event::Packet(payload.to_vec())]);
        assert_eq!(frame(b"OK"), b"$OK#9a".to_vec());
    }

    #[test]
    fn interrupts_acks_and_noise() {
        assert_eq!(events(b"+\x03-+garbage$?#3f"), vec![Event::Interrupt, Event::Nack, Event::Packet(b"?".to_vec())]);
    }

    #[test]
    fn malformed_packets_are_events_not_panics() {
        let bad = events(b"$?#00");
        assert!(matches!(&bad[..], [Event::Bad(m)] if m.contains("wrong checksum")), "{bad:?}");
        let bad = events(b"$?#zz");
        assert!(matches!(&bad[..], [Event::Bad(m)] if m.contains("checksum digit")), "{bad:?}");
        let bad = events(b"$abc$?#3f");
        assert_eq!(bad.len(), 2);
        assert!(matches!(&bad[0], Event::Bad(m) if m.contains("cut short")));
        assert_eq!(bad[1], Event::Packet(b"?".to_vec()));
        // `}` at the end: the checksum is right but the escape is not.
        let bad = events(&[b"$a}#".as_slice(), format!("{:02x}", b'a'.wrapping_add(b'}')).as_bytes()].concat());
        assert!(matches!(&bad[..], [Event::Bad(m)] if m.contains("escape")), "{bad:?}");
    }

    #[test]
    fn over_long_packets_are_dropped() {
        let mut d = Decoder::default();
        assert_eq!(d.push(b'$'), None);
        for _ in 0..=MAX_PACKET {
            assert_eq!(d.push(b'a'), None);
        }
        assert_eq!(d.push(b'#'), None);
        assert_eq!(d.push(b'0'), None);
        assert!(matches!(d.push(b'0'), Some(Event::Bad(m)) if m.contains("longer than")));
        // And the next packet is fine.
        assert_eq!(
            frame(b"?").iter().filter_map(|&b| d.push(b)).collect::<Vec<_>>(),
            vec![Event::Packet(b"?".to_vec())]
        );
    }

    #[test]
    fn random_bytes_never_panic() {
        // A fixed pseudo-random stream (xorshift), biased towards the framing bytes.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut d = Decoder::default();
        let mut events = 0;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let b = match x % 8 {
                0 => b'$',
                1 => b'#',
                2 => b'}',
                3 => b'*',
                _ => (x >> 8) as u8,
            };
            if d.push(b).is_some() {
                events += 1;
            }
            let _ = unescape(&x.to_le_bytes());
        }
        assert!(events > 0, "the noise was reported");
        // After the noise (ended by a `#` and two digits), a good packet decodes again.
        let resync: Vec<Event> = b"#00".iter().chain(frame(b"?").iter()).filter_map(|&b| d.push(b)).collect();
        assert_eq!(resync.last(), Some(&Event::Packet(b"?".to_vec())), "{resync:?}");
    }

    #[test]
    fn run_length_encoding_expands() {
        assert_eq!(unescape(b"0* "), Ok(b"0000".to_vec()));
        assert!(unescape(b"*a").is_err());
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(unhex(b"00AB10"), Some(vec![0, 0xab, 0x10]));
        assert_eq!(unhex(b"0"), None);
        assert_eq!(unhex(b"zz"), None);
    }
}
