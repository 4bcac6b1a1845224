//! The other engines a module is run on: wasmi 2 ([`wasmi`]) and wasmtime 48 with Cranelift
//! ([`wasmtime`]), each with the protocol of [`crate::exec::run`] (stub imports, every
//! export called with the same arguments, a fuel budget, the final exported state), so that
//! their [`Outcome`]s compare with ours. Their fuel costs are not ours: each gets
//! [`FUEL_FACTOR`] times our budget, and comparisons stop at the first call that ran out on
//! either side.

pub mod wasmi;
pub mod wasmtime;

use crate::exec::Outcome;

/// An oracle's fuel budget, relative to ours.
pub const FUEL_FACTOR: u64 = 4;

/// One of the oracles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Oracle {
    Wasmi,
    Wasmtime,
}

impl Oracle {
    pub const ALL: [Oracle; 2] = [Oracle::Wasmi, Oracle::Wasmtime];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Oracle::Wasmi => "wasmi",
            Oracle::Wasmtime => "wasmtime",
        }
    }

    /// The name with the pinned version.
    pub fn versioned(self) -> &'static str {
        match self {
            Oracle::Wasmi => "wasmi 2.0.0",
            Oracle::Wasmtime => "wasmtime 48.0.8",
        }
    }

    /// Runs `bytes` on this engine; `Err` (its message) if it rejects the module.
    pub fn run(self, bytes: &[u8]) -> Result<Outcome, String> {
        match self {
            Oracle::Wasmi => wasmi::run(bytes).map_err(|e| e.to_string()),
            Oracle::Wasmtime => wasmtime::run(bytes).map_err(|e| format!("{e:#}")),
        }
    }
}

/// Which oracles a run uses (`--oracle wasmi|wasmtime|all`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Oracles {
    pub wasmi: bool,
    pub wasmtime: bool,
}

impl Oracles {
    /// Our two tiers only.
    pub const NONE: Oracles = Oracles { wasmi: false, wasmtime: false };
    pub const ALL: Oracles = Oracles { wasmi: true, wasmtime: true };

    /// Parses an `--oracle` value.
    pub fn parse(s: &str) -> Result<Oracles, String> {
        match s {
            "wasmi" => Ok(Oracles { wasmi: true, wasmtime: false }),
            "wasmtime" => Ok(Oracles { wasmi: false, wasmtime: true }),
            "all" => Ok(Oracles::ALL),
            other => Err(format!("unknown oracle {other} (wasmi, wasmtime or all)")),
        }
    }

    pub fn contains(self, o: Oracle) -> bool {
        match o {
            Oracle::Wasmi => self.wasmi,
            Oracle::Wasmtime => self.wasmtime,
        }
    }

    /// The oracles in use, in report order.
    pub fn list(self) -> Vec<Oracle> {
        Oracle::ALL.into_iter().filter(|o| self.contains(*o)).collect()
    }

    /// The `--oracle` flag that selects these (for reproduce commands), or "".
    pub fn flag(self) -> &'static str {
        match (self.wasmi, self.wasmtime) {
            (true, true) => " --oracle all",
            (true, false) => " --oracle wasmi",
            (false, true) => " --oracle wasmtime",
            (false, false) => "",
        }
    }
}
