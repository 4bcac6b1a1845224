//! Debug Adapter Protocol framing and messages (the DAP specification's "Base Protocol":
//! `Content-Length: N\r\n\r\n` followed by N bytes of JSON): reading requests on a thread,
//! writing responses and events with sequence numbers, and the base64 the memory requests
//! use.
//!
//! A message whose header is broken cannot be skipped reliably (its length is unknown),
//! so it ends the session ([`Incoming::Fatal`]); a well-framed message that is not JSON is
//! reported ([`Incoming::Malformed`]) and reading goes on.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc::{Receiver, channel};

use serde_json::{Value, json};

/// The largest message accepted.
pub const MAX_MESSAGE: usize = 16 << 20;

/// What the reader got.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A JSON message.
    Message(Value),
    /// A framed message whose body is not JSON (the reason).
    Malformed(String),
    /// A header that cannot be read (the reason): the stream cannot be resynchronised.
    Fatal(String),
    /// The client closed the stream.
    Closed,
}

/// Reads one framed message.
pub fn read_message(r: &mut impl BufRead) -> Incoming {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        match r.read_until(b'\n', &mut line) {
            Ok(0) if !saw_header => return Incoming::Closed,
            Ok(0) => return Incoming::Fatal("the stream ended inside a message header".into()),
            Err(e) => return Incoming::Fatal(format!("reading a message header: {e}")),
            Ok(_) => {}
        }
        if line.len() > 1024 {
            return Incoming::Fatal("a header line longer than 1024 bytes".into());
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !saw_header {
                // Blank lines between messages are tolerated.
                continue;
            }
            break;
        }
        saw_header = true;
        let Some((name, value)) = text.split_once(':') else {
            return Incoming::Fatal(format!("`{text}` is not a `Name: value` header"));
        };
        if name.trim().eq_ignore_ascii_case("Content-Length") {
            match value.trim().parse::<usize>() {
                Ok(n) if n <= MAX_MESSAGE => length = Some(n),
                Ok(n) => return Incoming::Fatal(format!("Content-Length {n} is over the limit of {MAX_MESSAGE}")),
                Err(_) => return Incoming::Fatal(format!("Content-Length `{}` is not a number", value.trim())),
            }
        }
    }
    let Some(n) = length else { return Incoming::Fatal("a message without a Content-Length header".into()) };
    let mut body = vec![0u8; n];
    if let Err(e) = r.read_exact(&mut body) {
        return Incoming::Fatal(format!("the stream ended inside a {n}-byte message: {e}"));
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) if v.is_object() => Incoming::Message(v),
        Ok(_) => Incoming::Malformed("the message is not a JSON object".into()),
        Err(e) => Incoming::Malformed(format!("the message is not JSON: {e}")),
    }
}

/// Starts a thread reading messages from `input` into the returned channel until the
/// stream closes or breaks.
pub fn spawn_reader(input: Box<dyn Read + Send>) -> Receiver<Incoming> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(input);
        loop {
            let m = read_message(&mut r);
            let end = matches!(m, Incoming::Fatal(_) | Incoming::Closed);
            if tx.send(m).is_err() || end {
                return;
            }
        }
    });
    rx
}

/// Writes messages with increasing `seq`.
pub struct Writer {
    out: Box<dyn Write>,
    seq: i64,
    /// A write failed: the client is gone.
    pub broken: bool,
}

impl Writer {
    pub fn new(out: Box<dyn Write>) -> Writer {
        Writer { out, seq: 0, broken: false }
    }

    fn send(&mut self, mut msg: Value) {
        self.seq += 1;
        msg["seq"] = json!(self.seq);
        let body = msg.to_string();
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        if self.out.write_all(framed.as_bytes()).and_then(|()| self.out.flush()).is_err() {
            self.broken = true;
        }
    }

    /// A successful response to `request` with `body`.
    pub fn ok(&mut self, request: &Value, body: Value) {
        self.send(json!({
            "type": "response",
            "request_seq": request.get("seq").cloned().unwrap_or(json!(0)),
            "command": request.get("command").cloned().unwrap_or(json!("")),
            "success": true,
            "body": body,
        }));
    }

    /// A failed response to `request`: `message` is shown to the user.
    pub fn fail(&mut self, request: &Value, message: &str) {
        self.send(json!({
            "type": "response",
            "request_seq": request.get("seq").cloned().unwrap_or(json!(0)),
            "command": request.get("command").cloned().unwrap_or(json!("")),
            "success": false,
            "message": message,
            "body": { "error": { "id": 1, "format": message, "showUser": true } },
        }));
    }

    pub fn event(&mut self, event: &str, body: Value) {
        self.send(json!({ "type": "event", "event": event, "body": body }));
    }

    /// An `output` event.
    pub fn output(&mut self, category: &str, text: &str) {
        self.event("output", json!({ "category": category, "output": text }));
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes base64 (padding optional); `None` on any other character.
pub fn unbase64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        let v = B64.iter().position(|&x| x == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Incoming {
        read_message(&mut input.as_bytes())
    }

    #[test]
    fn framing() {
        let body = r#"{"seq":1,"type":"request","command":"initialize"}"#;
        let m = read(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        assert!(matches!(&m, Incoming::Message(v) if v["command"] == "initialize"), "{m:?}");
        assert_eq!(read(""), Incoming::Closed);
        assert!(matches!(read("Content-Length: x\r\n\r\n{}"), Incoming::Fatal(m) if m.contains("not a number")));
        assert!(
            matches!(read("Content-Type: json\r\n\r\n{}"), Incoming::Fatal(m) if m.contains("without a Content-Length"))
        );
        assert!(matches!(read("Content-Length: 10\r\n\r\n{}"), Incoming::Fatal(m) if m.contains("ended inside")));
        assert!(matches!(read("garbage\r\n\r\n"), Incoming::Fatal(m) if m.contains("not a `Name: value`")));
        assert!(matches!(read("Content-Length: 5\r\n\r\n{oops"), Incoming::Malformed(m) if m.contains("not JSON")));
        assert!(matches!(read("Content-Length: 2\r\n\r\n[]"), Incoming::Malformed(_)));
    }

    #[test]
    fn base64_round_trip() {
        for s in [&b""[..], b"a", b"ab", b"abc", b"abcd", &[0, 255, 16, 32, 7]] {
            assert_eq!(unbase64(&base64(s)).as_deref(), Some(s));
        }
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(unbase64("TWE"), Some(b"Ma".to_vec()));
        assert_eq!(unbase64("T!"), None);
    }
}
