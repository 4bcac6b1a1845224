//! The debug console of a DAP client (`evaluate` with context `repl`): an expression is
//! evaluated as for watches; a line that is not one but starts with a REPL command
//! (`info locals`, `x/8xb buffer`, `bt`, `list`, `info breakpoints`, ...) runs through the
//! REPL's own executor ([`Repl::execute`]) and its text is the result. Commands that would
//! resume or restart the program are refused: the client's buttons do that (and know it
//! happened).

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use crate::error::{DebugError, Result};
use crate::repl::{Action, Input, Output, Repl};
use crate::session::Core;
use crate::state::ProgramState;

/// Shared bytes the REPL writes into.
struct Buffer(Rc<RefCell<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether `line` starts with a REPL command's name or abbreviation.
pub fn is_command(line: &str) -> bool {
    let word = line.trim().split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
    !word.is_empty() && crate::commands::resolve(word).is_ok()
}

/// Runs the REPL command `line` in frame `frame`; its output.
pub fn run(core: &mut Core, state: &ProgramState<'_>, frame: usize, line: &str) -> Result<String> {
    let buf = Rc::new(RefCell::new(Vec::new()));
    let out = Output::new(Box::new(Buffer(buf.clone())), false);
    let mut repl = Repl::new(out, Input::Lines);
    if frame > 0 {
        repl.execute(core, Some(state), &format!("frame {frame}"))?;
        buf.borrow_mut().clear();
    }
    match repl.execute(core, Some(state), line)? {
        Action::None => Ok(String::from_utf8_lossy(&buf.borrow()).trim_end().to_string()),
        _ => Err(DebugError::Syntax(format!(
            "`{}` would resume the program: use the debugger's continue / step / restart buttons",
            line.trim()
        ))),
    }
}
