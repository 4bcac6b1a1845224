//! Reports over many script runs: the per-file table, totals, failure details, the JSON
//! document and the compact snapshot text.

use std::fmt::Write as _;

use crate::script::{FileReport, Outcome};

/// One invoke whose outcome differs between tiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    pub file: String,
    pub line: usize,
    /// (tier name, outcome) for every tier.
    pub outcomes: Vec<(String, String)>,
}

/// Directive counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub expected_failures: usize,
    pub message_mismatches: usize,
    pub unexpected_passes: usize,
}

impl Counts {
    pub fn of(r: &FileReport) -> Counts {
        Counts {
            passed: r.passed(),
            failed: r.failed(),
            skipped: r.skipped(),
            expected_failures: r.expected_failures(),
            message_mismatches: r.message_mismatches(),
            unexpected_passes: r.unexpected_passes(),
        }
    }

    fn add(&mut self, o: Counts) {
        self.passed += o.passed;
        self.failed += o.failed;
        self.skipped += o.skipped;
        self.expected_failures += o.expected_failures;
        self.message_mismatches += o.message_mismatches;
        self.unexpected_passes += o.unexpected_passes;
    }
}

/// The result of a whole run.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Name of the suite for the JSON report.
    pub suite: String,
    /// One report per file and tier, files in suite order, tiers in the given order.
    pub files: Vec<FileReport>,
    pub divergences: Vec<Divergence>,
}

impl Summary {
    pub fn totals(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.files {
            c.add(Counts::of(f));
        }
        c
    }

    /// No unexpected failure, no unexpectedly passing listed directive, no divergence.
    pub fn is_success(&self) -> bool {
        let t = self.totals();
        t.failed == 0 && t.unexpected_passes == 0 && self.divergences.is_empty()
    }

    /// The per-file table with a totals row.
    pub fn table(&self) -> String {
        let width = self.files.iter().map(|f| f.name.len()).max().unwrap_or(4).max(5);
        let mut s = String::new();
        let header = ["tier", "passed", "failed", "skipped", "xfail", "msg-mismatch"];
        let _ = writeln!(
            s,
            "{:<width$}  {:<6} {:>7} {:>7} {:>7} {:>6} {:>12}",
            "file", header[0], header[1], header[2], header[3], header[4], header[5]
        );
        for f in &self.files {
            let c = Counts::of(f);
            let _ = writeln!(
                s,
                "{:<width$}  {:<6} {:>7} {:>7} {:>7} {:>6} {:>12}",
                f.name,
                f.tier.name(),
                c.passed,
                c.failed,
                c.skipped,
                c.expected_failures,
                c.message_mismatches
            );
        }
        let t = self.totals();
        let _ = writeln!(
            s,
            "{:<width$}  {:<6} {:>7} {:>7} {:>7} {:>6} {:>12}",
            "TOTAL", "", t.passed, t.failed, t.skipped, t.expected_failures, t.message_mismatches
        );
        s
    }

    /// One closing line: `N passed, N failed, N skipped` plus the rest.
    pub fn totals_line(&self) -> String {
        let t = self.totals();
        format!(
            "{} passed, {} failed, {} skipped; {} expected failures, {} unexpectedly passing, {} message mismatches, {} divergences",
            t.passed,
            t.failed,
            t.skipped,
            t.expected_failures,
            t.unexpected_passes,
            t.message_mismatches,
            self.divergences.len()
        )
    }

    /// Failures, unexpected passes, divergences and stale list entries, one per line as
    /// `file:line [tier] kind: detail`. With `verbose`, also skips, expected failures and
    /// message mismatches.
    pub fn details(&self, verbose: bool) -> String {
        let mut s = String::new();
        for f in &self.files {
            let tier = f.tier.name();
            for d in &f.directives {
                let loc = format!("{}:{} [{tier}] {}", f.name, d.line, d.kind);
                match &d.outcome {
                    Outcome::Fail(why) => {
                        let _ = writeln!(s, "FAIL {loc}: {why}");
                    }
                    Outcome::Skip(why) if verbose => {
                        let _ = writeln!(s, "skip {loc}: {why}");
                    }
                    Outcome::ExpectedFailure { listed, got } if verbose => {
                        let _ = writeln!(s, "xfail {loc}: {got} (listed: {listed})");
                    }
                    _ => {}
                }
                if let Some(reason) = &d.unexpected_pass {
                    let _ = writeln!(
                        s,
                        "UNEXPECTED PASS {loc}: listed in expected-failures.txt ({reason}); remove the entry"
                    );
                }
                if let (true, Some(m)) = (verbose, &d.message_mismatch) {
                    let _ = writeln!(s, "message {loc}: spec says \"{}\", engine says \"{}\"", m.expected, m.got);
                }
            }
            for line in &f.stale_expected {
                let _ = writeln!(s, "warning: expected-failures.txt lists {}:{line}, which is no directive", f.name);
            }
        }
        for d in &self.divergences {
            let outs: Vec<String> = d.outcomes.iter().map(|(t, o)| format!("{t}: {o}")).collect();
            let _ = writeln!(s, "DIVERGENCE {}:{}: {}", d.file, d.line, outs.join(" vs "));
        }
        s
    }

    /// The JSON report: `{"suite", "files": [{name, tier, passed, failed, skipped,
    /// expected_failures, message_mismatches}], "divergences"}`.
    pub fn json(&self) -> String {
        let mut s = String::new();
        let _ = write!(s, "{{\"suite\": {}, \"files\": [", json_str(&self.suite));
        for (i, f) in self.files.iter().enumerate() {
            let c = Counts::of(f);
            if i > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                "\n  {{\"name\": {}, \"tier\": {}, \"passed\": {}, \"failed\": {}, \"skipped\": {}, \"expected_failures\": {}, \"message_mismatches\": {}}}",
                json_str(&f.name),
                json_str(f.tier.name()),
                c.passed,
                c.failed,
                c.skipped,
                c.expected_failures,
                c.message_mismatches
            );
        }
        let _ = writeln!(s, "\n], \"divergences\": {}}}", self.divergences.len());
        s
    }

    /// The compact text checked by the insta snapshot: one line per file and tier with
    /// its counts, then the totals. Message mismatches are left out on purpose (wording
    /// is not conformance).
    pub fn snapshot(&self) -> String {
        let mut s = String::new();
        for f in &self.files {
            let _ = writeln!(s, "{}", snapshot_line(f));
        }
        let t = self.totals();
        let _ = writeln!(
            s,
            "TOTAL passed={} failed={} skipped={} xfail={} divergences={}",
            t.passed,
            t.failed,
            t.skipped,
            t.expected_failures,
            self.divergences.len()
        );
        s
    }
}

/// One file's line of [`Summary::snapshot`]: `NAME [TIER] passed=.. failed=.. ...`.
pub fn snapshot_line(f: &FileReport) -> String {
    let c = Counts::of(f);
    format!(
        "{} [{}] passed={} failed={} skipped={} xfail={}",
        f.name,
        f.tier.name(),
        c.passed,
        c.failed,
        c.skipped,
        c.expected_failures
    )
}

/// The key of a snapshot line (`NAME [TIER]`), for looking one file up.
pub fn snapshot_key(line: &str) -> Option<&str> {
    line.find("] ").map(|i| &line[..=i])
}

/// A JSON string literal.
pub fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape() {
        assert_eq!(json_str("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
    }
}
