//! `testsuite/expected-failures.txt`: directives known to fail, one per line as
//! `FILE:LINE reason`. Blank lines and lines starting with `#` are ignored.

use std::collections::BTreeMap;
use std::path::Path;

/// The parsed list: (file, line) -> reason.
#[derive(Debug, Clone, Default)]
pub struct ExpectedFailures {
    entries: BTreeMap<(String, usize), String>,
}

impl ExpectedFailures {
    /// No expected failures (for ad-hoc scripts).
    pub fn none() -> ExpectedFailures {
        ExpectedFailures::default()
    }

    /// Parses the file's text. Errors name the offending line.
    pub fn parse(text: &str) -> Result<ExpectedFailures, String> {
        let mut entries = BTreeMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (loc, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let parsed = loc.rsplit_once(':').and_then(|(f, l)| Some((f, l.parse::<usize>().ok()?)));
            let Some((file, lineno)) = parsed else {
                return Err(format!("line {}: expected `FILE:LINE reason`, got `{line}`", i + 1));
            };
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(format!("line {}: `{loc}` needs a reason", i + 1));
            }
            if entries.insert((file.to_string(), lineno), reason.to_string()).is_some() {
                return Err(format!("line {}: `{loc}` is listed twice", i + 1));
            }
        }
        Ok(ExpectedFailures { entries })
    }

    /// Reads and parses the file. A missing file means no expected failures.
    pub fn load(path: &Path) -> Result<ExpectedFailures, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ExpectedFailures::none()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// The reason, if `file:line` is listed.
    pub fn get(&self, file: &str, line: usize) -> Option<&str> {
        self.entries.get(&(file.to_string(), line)).map(String::as_str)
    }

    /// All entries of one file: (line, reason).
    pub fn for_file<'a>(&'a self, file: &'a str) -> impl Iterator<Item = (usize, &'a str)> + 'a {
        self.entries.iter().filter(move |((f, _), _)| f == file).map(|((_, l), r)| (*l, r.as_str()))
    }

    /// All listed files.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        let mut v: Vec<&str> = self.entries.keys().map(|(f, _)| f.as_str()).collect();
        v.dedup();
        v.into_iter()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_and_comments() {
        let e = ExpectedFailures::parse(
            "# header\n\nwasm-v2/i32.wast:12 contradicts final 2.0: x\nproposals/a/b.wast:3 why\n",
        )
        .expect("parses");
        assert_eq!(e.get("wasm-v2/i32.wast", 12), Some("contradicts final 2.0: x"));
        assert_eq!(e.get("wasm-v2/i32.wast", 13), None);
        assert_eq!(e.for_file("proposals/a/b.wast").count(), 1);
    }

    #[test]
    fn rejects_bad_lines() {
        assert!(ExpectedFailures::parse("wasm-v2/i32.wast 12 x").is_err());
        assert!(ExpectedFailures::parse("wasm-v2/i32.wast:12").is_err());
        assert!(ExpectedFailures::parse("a.wast:1 x\na.wast:1 y").is_err());
    }

    #[test]
    fn the_checked_in_file_parses() {
        let path = crate::suite::default_testsuite_dir().join("expected-failures.txt");
        ExpectedFailures::load(&path).expect("expected-failures.txt parses");
    }
}
