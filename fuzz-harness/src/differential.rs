//! One module through every engine of a comparison: the interpreter, the JIT (guard pages
//! or explicit bounds checks, by case number) and optionally wasmi.

use wasmscope_engine::{BoundsChecks, Tier};

use crate::exec::{self, Setup};
use crate::{compare, oracle};

/// The execution setups compared in case `index`: the interpreter, and the JIT with guard
/// pages or explicit bounds checks in turn.
pub fn setups(index: u64) -> [Setup; 2] {
    let bounds = if index.is_multiple_of(2) { BoundsChecks::default() } else { BoundsChecks::Explicit };
    [Setup { tier: Tier::Interpreter, bounds: BoundsChecks::Explicit }, Setup { tier: Tier::Jit, bounds }]
}

/// A divergence between engines on one module, if any.
pub fn execution_diff(bytes: &[u8], index: u64, wasmi: bool) -> Result<Option<String>, String> {
    let [a, b] = setups(index);
    let interp = exec::run(a, bytes).map_err(|e| format!("{} rejects a valid module: {e}", a.name()))?;
    let jit = exec::run(b, bytes).map_err(|e| format!("{} rejects a valid module: {e}", b.name()))?;
    if let Some(d) = compare::diff(&interp, &jit, compare::TIERS) {
        return Ok(Some(format!("{} vs {}: {d}", a.name(), b.name())));
    }
    if wasmi {
        let w = oracle::run(bytes).map_err(|e| format!("wasmi rejects the module: {e}"))?;
        if let Some(d) = compare::diff(&interp, &w, compare::ORACLE) {
            return Ok(Some(format!("interp vs wasmi: {d}")));
        }
    }
    Ok(None)
}
