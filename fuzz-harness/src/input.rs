//! Input fuzzing of the loader and validator: mutated and truncated binaries must never
//! panic, hang or allocate out of proportion to their size, and our accept/reject decision
//! must agree with wasmparser's validator configured with the same features.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use wasmparser::{Validator, WasmFeatures};
use wasmscope_engine::Features;

use crate::alloc;
use crate::rng::Rng;

/// Allowed peak allocation: this many times the input's size, plus [`ALLOC_SLACK`].
pub const ALLOC_FACTOR: usize = 64;
pub const ALLOC_SLACK: usize = 1 << 20;
/// An input slower than this to decode and validate is a finding.
pub const SLOW: Duration = Duration::from_secs(2);

/// wasmparser's features matching [`Features::wasm3`] with GC: WebAssembly 2.0 (SIMD
/// included), relaxed SIMD and the 3.0 proposals implemented so far.
pub fn oracle_features() -> WasmFeatures {
    WasmFeatures::WASM2
        | WasmFeatures::RELAXED_SIMD
        | WasmFeatures::TAIL_CALL
        | WasmFeatures::EXTENDED_CONST
        | WasmFeatures::MULTI_MEMORY
        | WasmFeatures::MEMORY64
        | WasmFeatures::CUSTOM_PAGE_SIZES
        | WasmFeatures::WIDE_ARITHMETIC
        | WasmFeatures::EXCEPTIONS
        | WasmFeatures::FUNCTION_REFERENCES
        | WasmFeatures::GC
}

/// What went wrong with one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Panic(String),
    Slow(Duration),
    Alloc {
        peak: usize,
        len: usize,
    },
    /// We accept and wasmparser rejects (with its message), or the reverse (with ours).
    Disagree {
        ours_accept: bool,
        message: String,
    },
}

impl Finding {
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::Panic(_) => "panic",
            Finding::Slow(_) => "slow",
            Finding::Alloc { .. } => "alloc",
            Finding::Disagree { .. } => "disagree",
        }
    }

    /// Whether `other` is the same kind of finding (the predicate of shrinking).
    pub fn same_kind(&self, other: &Finding) -> bool {
        match (self, other) {
            (Finding::Disagree { ours_accept: a, .. }, Finding::Disagree { ours_accept: b, .. }) => a == b,
            _ => self.kind() == other.kind(),
        }
    }
}

/// Our verdict: `Ok(())` if the module decodes and validates, else the error.
pub fn ours(bytes: &[u8]) -> Result<(), String> {
    let features = Features::wasm3();
    let m = wasmscope_engine::binary::decode(bytes, &features).map_err(|e| e.to_string())?;
    wasmscope_engine::valid::validate(&m, &features).map_err(|e| e.to_string())
}

/// wasmparser's verdict.
pub fn theirs(bytes: &[u8]) -> Result<(), String> {
    Validator::new_with_features(oracle_features()).validate_all(bytes).map(|_| ()).map_err(|e| e.to_string())
}

/// Checks one input; `None` if all is well. Also returns whether we accepted it.
pub fn check(bytes: &[u8]) -> (Option<Finding>, bool) {
    let base = alloc::live();
    alloc::reset_peak();
    let start = Instant::now();
    let r = catch_unwind(AssertUnwindSafe(|| ours(bytes)));
    let took = start.elapsed();
    let peak = alloc::peak_since(base);
    let ours = match r {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return (Some(Finding::Panic(msg)), false);
        }
    };
    if took > SLOW {
        return (Some(Finding::Slow(took)), ours.is_ok());
    }
    if peak > ALLOC_FACTOR * bytes.len() + ALLOC_SLACK {
        return (Some(Finding::Alloc { peak, len: bytes.len() }), ours.is_ok());
    }
    let finding = match (&ours, theirs(bytes)) {
        (Ok(()), Err(e)) => Some(Finding::Disagree { ours_accept: true, message: format!("wasmparser: {e}") }),
        (Err(e), Ok(())) => Some(Finding::Disagree { ours_accept: false, message: format!("ours: {e}") }),
        _ => None,
    };
    (finding, ours.is_ok())
}

/// A mutation of `seed`: bit flips, byte overwrites (often with LEB128-ish extremes),
/// insertions, deletions, duplicated ranges, or a truncation.
pub fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = v.len() as u64;
        let at = rng.below(len.max(1)) as usize;
        match rng.below(8) {
            0 if !v.is_empty() => v[at] ^= 1 << rng.below(8),
            1 if !v.is_empty() => {
                const B: [u8; 8] = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0b, 0x40, 0x70];
                v[at] = B[rng.below(8) as usize];
            }
            2 => {
                // A huge LEB128 count or size.
                let leb: &[u8] = match rng.below(3) {
                    0 => &[0xff, 0xff, 0xff, 0xff, 0x0f],
                    1 => &[0x80, 0x80, 0x80, 0x80, 0x08],
                    _ => &[0xff, 0xff, 0x03],
                };
                let end = (at + 1).min(v.len());
                v.splice(at..end, leb.iter().copied());
            }
            3 => v.insert(at.min(v.len()), rng.next_u64() as u8),
            4 if !v.is_empty() => {
                let n = 1 + rng.below(16) as usize;
                v.drain(at..(at + n).min(v.len()));
            }
            5 if !v.is_empty() => {
                let n = 1 + rng.below(32) as usize;
                let chunk = v[at..(at + n).min(v.len())].to_vec();
                let to = rng.below(v.len() as u64) as usize;
                v.splice(to..to, chunk);
            }
            6 => {
                v.truncate(rng.below(len + 1) as usize);
                break;
            }
            _ if !v.is_empty() => v[at] = rng.next_u64() as u8,
            _ => {}
        }
    }
    v
}

/// Shrinks an input that shows `finding` by deleting byte ranges while the same kind of
/// finding persists (at most `attempts` re-checks).
pub fn reduce(bytes: &[u8], finding: &Finding, attempts: usize) -> Vec<u8> {
    let mut best = bytes.to_vec();
    let mut tries = 0;
    let mut chunk = (best.len() / 2).max(1);
    while chunk >= 1 && tries < attempts {
        let mut at = 0;
        let mut progressed = false;
        while at < best.len() && tries < attempts {
            let mut cand = best.clone();
            cand.drain(at..(at + chunk).min(cand.len()));
            tries += 1;
            if let (Some(f), _) = check(&cand)
                && f.same_kind(finding)
            {
                best = cand;
                progressed = true;
            } else {
                at += chunk;
            }
        }
        if !progressed {
            if chunk == 1 {
                break;
            }
            chunk /= 2;
        }
    }
    best
}

#[cfg(test)]
mod typed_ref_tests {
    use super::*;

    #[test]
    fn the_3_0_encoding_of_reference_types_is_accepted_by_both() {
        // (type (func (param (ref null extern)))) written with the 3.0 prefix 0x63.
        let bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x60, 1, 0x63, 0x6f, 0];
        assert!(ours(&bytes).is_ok());
        assert!(theirs(&bytes).is_ok());
        assert!(check(&bytes).0.is_none());
        // A genuinely unknown value type is refused by both.
        let bad = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 1, 0x55, 0];
        assert!(ours(&bad).is_err() && theirs(&bad).is_err());
    }

    #[test]
    fn a_defined_global_in_a_constant_expression_is_valid_in_3_0() {
        // (global $a i32 (i32.const 1)) (global i32 (global.get $a))
        let ok = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 6, 11, 2, 0x7f, 0, 0x41, 1, 0x0b, 0x7f, 0, 0x23, 0, 0x0b];
        assert!(ours(&ok).is_ok());
        assert!(check(&ok).0.is_none());
        // A forward reference stays invalid on both sides.
        let fwd = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 6, 11, 2, 0x7f, 0, 0x23, 1, 0x0b, 0x7f, 0, 0x41, 1, 0x0b];
        assert!(ours(&fwd).is_err() && theirs(&fwd).is_err());
    }
}
