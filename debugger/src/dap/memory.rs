//! DAP's `readMemory`, `writeMemory` and `disassemble` (the DAP specification's requests of
//! those names). Memory references are linear-memory addresses (`0x...`), as the
//! variables' `memoryReference`s are; instruction references are module offsets, as the
//! stack frames' `instructionPointerReference`s are. Writes go through the core
//! ([`Resume::WriteMemory`]), so the program's memory is only changed where it is paused.
//!
//! [`Resume::WriteMemory`]: crate::session::Resume::WriteMemory

use serde_json::{Value, json};

use crate::dap::protocol::{base64, unbase64};
use crate::error::{DebugError, Result};
use crate::session::Core;
use crate::state::ProgramState;

/// The most bytes one `readMemory` returns.
const MAX_READ: u64 = 1 << 20;

fn reference(args: &Value, key: &str) -> Result<i64> {
    let s = args.get(key).and_then(Value::as_str).unwrap_or("");
    let n = crate::expr::parse_int(s.trim())
        .ok_or_else(|| DebugError::Syntax(format!("`{s}` is not an address ({key})")))?;
    let offset = args.get("offset").and_then(Value::as_i64).unwrap_or(0);
    Ok(n.saturating_add(offset))
}

/// `readMemory`: the readable bytes from the address on (the rest are `unreadableBytes`).
pub fn read(state: &ProgramState<'_>, args: &Value) -> Result<Value> {
    let addr = reference(args, "memoryReference")?;
    let count = args.get("count").and_then(Value::as_u64).unwrap_or(0).min(MAX_READ);
    let (data, start) = match u64::try_from(addr) {
        Ok(a) if a < state.memory.len() as u64 => {
            let end = (a + count).min(state.memory.len() as u64);
            (&state.memory[a as usize..end as usize], a)
        }
        _ => (&[][..], addr.max(0) as u64),
    };
    Ok(json!({
        "address": format!("{start:#x}"),
        "data": base64(data),
        "unreadableBytes": count - data.len() as u64,
    }))
}

/// `writeMemory`: the address and bytes to write, checked against the memory's size.
pub fn write(state: &ProgramState<'_>, args: &Value) -> Result<(u64, Vec<u8>)> {
    let addr = reference(args, "memoryReference")?;
    let data = args.get("data").and_then(Value::as_str).unwrap_or("");
    let bytes = unbase64(data).ok_or_else(|| DebugError::Syntax("writeMemory: `data` is not base64".into()))?;
    let a = u64::try_from(addr).map_err(|_| DebugError::Eval(format!("Cannot access memory at address {addr:#x}")))?;
    if a.saturating_add(bytes.len() as u64) > state.memory.len() as u64 {
        return Err(DebugError::Eval(format!("Cannot access memory at address {a:#x}")));
    }
    Ok((a, bytes))
}

/// `disassemble`: `instructionCount` instructions from `instructionOffset` instructions
/// away from the reference, over the whole module's code (padded with invalid entries
/// outside it).
pub fn disassemble(core: &Core, args: &Value) -> Result<Value> {
    let p = &core.program;
    let at = reference(args, "memoryReference")?;
    let shift = args.get("instructionOffset").and_then(Value::as_i64).unwrap_or(0);
    let count = args.get("instructionCount").and_then(Value::as_u64).unwrap_or(0).min(100_000) as i64;
    // Every instruction of every defined function, in module order.
    let mut all: Vec<(u32, u32, usize)> = Vec::new();
    for f in p.num_imported()..p.num_funcs() {
        if let Some(code) = p.code(f) {
            all.extend(code.offsets.iter().enumerate().map(|(i, o)| (*o, f, i)));
        }
    }
    let base = all.partition_point(|(o, _, _)| i64::from(*o) < at) as i64;
    let mut out = Vec::with_capacity(count as usize);
    let mut last_line = None;
    for k in 0..count {
        let i = base.saturating_add(shift).saturating_add(k);
        let Some(&(offset, func, idx)) = usize::try_from(i).ok().and_then(|i| all.get(i)) else {
            out.push(
                json!({ "address": format!("{:#x}", i.max(0)), "instruction": "", "presentationHint": "invalid" }),
            );
            continue;
        };
        let text = p.code(func).and_then(|c| c.instrs.get(idx)).map(|ins| ins.to_string()).unwrap_or_default();
        let mut ins = json!({
            "address": format!("{offset:#x}"),
            "instruction": text,
            "symbol": p.func_name(func),
        });
        if let Some(l) = p.line_at(offset) {
            if last_line != Some((l.file, l.line)) {
                ins["location"] = crate::dap::variables::source(p, &l.path);
                ins["line"] = json!(l.line);
            }
            last_line = Some((l.file, l.line));
        }
        out.push(ins);
    }
    Ok(json!({ "instructions": out }))
}
