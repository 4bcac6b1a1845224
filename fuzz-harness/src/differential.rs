//! One module through every engine of a comparison: the interpreter, the JIT (guard pages
//! or explicit bounds checks, by case number) and the oracles asked for (wasmi, wasmtime),
//! and the verdict when they do not all agree: which engines form the majority, which one is
//! the odd one out, and whether the difference is ours to look at.

use std::fmt;

use wasmscope_engine::{BoundsChecks, Tier};

use crate::compare::{self, ORACLE, ORACLE_BITS};
use crate::exec::{self, Outcome, Setup};
use crate::oracle::{Oracle, Oracles};

/// The execution setups compared in case `index`: the interpreter, and the JIT with guard
/// pages or explicit bounds checks in turn.
pub fn setups(index: u64) -> [Setup; 2] {
    let bounds = if index.is_multiple_of(2) { BoundsChecks::default() } else { BoundsChecks::Explicit };
    [Setup { tier: Tier::Interpreter, bounds: BoundsChecks::Explicit }, Setup { tier: Tier::Jit, bounds }]
}

/// Engines that did not all agree on a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// One line: the majority, the odd one out, the first difference.
    pub text: String,
    /// Which engine differs from the others, where there is a majority (`wasmscope` when
    /// our two tiers agree with each other but not with the oracles).
    pub odd_one_out: Option<&'static str>,
    /// Whether it counts as a finding of ours. Only one kind does not: wasmi alone differs
    /// and wasmtime agrees with us bit for bit (recorded as wasmi's, still printed).
    pub ours: bool,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn ours(text: String, odd_one_out: Option<&'static str>) -> Divergence {
    Divergence { text, odd_one_out, ours: true }
}

/// The first difference between two engines' results (a rejection is a result too).
fn differ(a: &Result<Outcome, String>, b: &Result<Outcome, String>, mode: compare::Mode) -> Option<String> {
    match (a, b) {
        (Ok(x), Ok(y)) => compare::diff(x, y, mode),
        (Err(_), Err(_)) => None,
        (Err(e), Ok(_)) => Some(format!("rejected ({e}) vs accepted")),
        (Ok(_), Err(e)) => Some(format!("accepted vs rejected ({e})")),
    }
}

/// The verdict on one module given our interpreter's outcome (already checked against the
/// JIT) and each oracle's result.
pub fn judge(interp: &Outcome, oracles: &[(Oracle, Result<Outcome, String>)]) -> Option<Divergence> {
    let us = Ok(interp.clone());
    let find = |o: Oracle| oracles.iter().find(|(k, _)| *k == o).map(|(_, r)| r);
    let (wasmi, wasmtime) = (find(Oracle::Wasmi), find(Oracle::Wasmtime));
    let d_wasmi = wasmi.and_then(|w| differ(&us, w, ORACLE));
    let d_wasmtime = wasmtime.and_then(|t| differ(&us, t, ORACLE));
    match (wasmi, wasmtime) {
        (Some(w), Some(t)) => match (d_wasmi, d_wasmtime) {
            (None, None) => None,
            (Some(d), None) => {
                // wasmi is the odd one out; it is wasmi's only if wasmtime agrees with us
                // to the bit (NaN payloads included).
                let bits = differ(&us, t, ORACLE_BITS);
                Some(Divergence {
                    text: format!("wasmi alone differs (majority: wasmscope + wasmtime): wasmscope vs wasmi: {d}"),
                    odd_one_out: Some("wasmi"),
                    ours: bits.is_some(),
                })
            }
            (None, Some(d)) => Some(ours(
                format!("wasmtime alone differs (majority: wasmscope + wasmi): wasmscope vs wasmtime: {d}"),
                Some("wasmtime"),
            )),
            (Some(dw), Some(dt)) => Some(match differ(w, t, ORACLE) {
                None => ours(
                    format!("wasmscope alone differs (majority: wasmi + wasmtime): wasmscope vs wasmtime: {dt}"),
                    Some("wasmscope"),
                ),
                Some(d) => ours(
                    format!(
                        "no majority: wasmscope vs wasmi: {dw}; wasmscope vs wasmtime: {dt}; wasmi vs wasmtime: {d}"
                    ),
                    None,
                ),
            }),
        },
        _ => {
            let (name, d) = match (d_wasmi, d_wasmtime) {
                (Some(d), _) => ("wasmi", d),
                (_, Some(d)) => ("wasmtime", d),
                _ => return None,
            };
            Some(ours(format!("wasmscope vs {name}: {d} (no third engine to break the tie)"), None))
        }
    }
}

/// A divergence between engines on one module, if any. `Err`: one of our tiers rejects
/// the module.
pub fn execution_diff(bytes: &[u8], index: u64, oracles: Oracles) -> Result<Option<Divergence>, String> {
    let [a, b] = setups(index);
    let interp = exec::run(a, bytes).map_err(|e| format!("{} rejects a valid module: {e}", a.name()))?;
    let jit = exec::run(b, bytes).map_err(|e| format!("{} rejects a valid module: {e}", b.name()))?;
    if let Some(d) = compare::diff(&interp, &jit, compare::TIERS) {
        return Ok(Some(ours(format!("{} vs {}: {d}", a.name(), b.name()), None)));
    }
    let results: Vec<(Oracle, Result<Outcome, String>)> =
        oracles.list().into_iter().map(|o| (o, o.run(bytes))).collect();
    Ok(judge(&interp, &results))
}
