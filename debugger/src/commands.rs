//! The command table (gdb names, abbreviations, help text) and parsing of command words,
//! `x/NFU` formats and locations (`FUNC`, `FILE:LINE`, `LINE`, `*ADDR`).

use crate::error::{DebugError, Result};
use crate::expr::parse_int;

/// (name, aliases, help).
pub const COMMANDS: &[(&str, &[&str], &str)] = &[
    ("break", &["b", "br"], "break LOCATION [if EXPR]: stop before LOCATION (FUNC, FILE:LINE, LINE, *OFFSET)"),
    ("tbreak", &["tb"], "tbreak LOCATION [if EXPR]: like break, deleted when hit"),
    ("delete", &["d"], "delete [N...]: delete breakpoints/watchpoints (all without N)"),
    ("disable", &["dis"], "disable [N...]: disable breakpoints/watchpoints"),
    ("enable", &["en"], "enable [N...]: enable breakpoints/watchpoints"),
    ("condition", &["cond"], "condition N [EXPR]: stop at breakpoint N only when EXPR is non-zero"),
    ("watch", &["wa"], "watch EXPR | watch ADDR[,LEN]: stop after a write changes the memory"),
    ("catch", &[], "catch throw: stop where an exception is thrown (before it unwinds)"),
    ("run", &["r"], "run: start the program (again)"),
    ("start", &[], "start: run to the beginning of main"),
    ("continue", &["c", "cont"], "continue: resume until the next stop"),
    ("step", &["s"], "step [N]: next source line, into calls"),
    ("next", &["n"], "next [N]: next source line in this function, over calls"),
    ("stepi", &["si"], "stepi [N]: one wasm instruction, into calls"),
    ("nexti", &["ni"], "nexti [N]: one wasm instruction, over calls"),
    ("finish", &["fin"], "finish: run until the selected function returns; print its value"),
    ("until", &["u"], "until [LOCATION]: next line without going back (leave loops), or run to LOCATION"),
    ("advance", &[], "advance LOCATION: run to LOCATION (or until the current function returns)"),
    (
        "backtrace",
        &["bt", "where"],
        "backtrace [N | -N]: the call stack, innermost first (N innermost / N outermost frames)",
    ),
    ("frame", &["f"], "frame [N]: select frame N / describe the selected frame"),
    ("up", &[], "up [N]: select the caller's frame"),
    ("down", &[], "down [N]: select the callee's frame"),
    (
        "info",
        &["i"],
        "info locals|args|frame|breakpoints|watchpoints|globals|functions [TEXT]|operands|line|source|memories",
    ),
    (
        "print",
        &["p", "inspect"],
        "print[/r|/x|/d] EXPR: variables, *p, &x, p->f, s.f, a[i], a[0]@N, (TYPE) x, sizeof, + - * / == < && ...; in Rust frames also x as T, v[i] on Vec/slices, auto-deref on `.`; /r: raw form of standard types, /x: hex, /d: decimal; a v128 prints as i32x4 [..], V.i8x16 .i16x8 .i64x2 .f32x4 .f64x2 for the other lane views",
    ),
    ("whatis", &[], "whatis EXPR|TYPE: the type's name"),
    ("ptype", &[], "ptype EXPR|TYPE: the type spelled out (members, enum variants)"),
    ("x", &[], "x/NFU [-m MEM] ADDR: examine memory (MEM: memory index, default 0); F = x d u o t c s i, U = b h w g"),
    ("list", &["l"], "list [LINE | FUNC | FILE:LINE | A,B]: show source lines (A,B: from A to B)"),
    ("disassemble", &["disas"], "disassemble [FUNC]: WAT instructions around the pc (or of FUNC) with offsets"),
    ("kill", &["k"], "kill: stop the program"),
    ("quit", &["q", "exit"], "quit: leave the debugger"),
    ("help", &["h"], "help [COMMAND]: list commands or explain one"),
];

/// Resolves a command word (full name, alias or unique prefix) to its full name.
pub fn resolve(word: &str) -> Result<&'static str> {
    if let Some((name, _, _)) = COMMANDS.iter().find(|(n, a, _)| *n == word || a.contains(&word)) {
        return Ok(name);
    }
    let matches: Vec<&str> = COMMANDS.iter().map(|c| c.0).filter(|n| n.starts_with(word)).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(DebugError::Syntax(format!("Undefined command: \"{word}\".  Try \"help\"."))),
        many => Err(DebugError::Syntax(format!("Ambiguous command \"{word}\": {}.", many.join(", ")))),
    }
}

/// Help for one command or the list.
pub fn help(word: Option<&str>) -> Result<String> {
    match word {
        None => {
            let mut s = String::from("Commands (gdb names; abbreviations in brackets):\n");
            for (n, a, h) in COMMANDS {
                let short = h.split(':').next().unwrap_or(n);
                let _ = short;
                let ab = if a.is_empty() { String::new() } else { format!(" [{}]", a.join(", ")) };
                s.push_str(&format!("  {n}{ab}\n"));
            }
            s.push_str("Type \"help COMMAND\" for details.");
            Ok(s)
        }
        Some(w) => {
            let name = resolve(w)?;
            let (n, a, h) = COMMANDS.iter().find(|c| c.0 == name).ok_or_else(|| DebugError::NotFound(w.into()))?;
            let ab = if a.is_empty() { String::new() } else { format!("\nAliases: {}", a.join(", ")) };
            Ok(format!("{h}{ab}").replacen(n, n, 1))
        }
    }
}

/// A breakpoint location as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocSpec {
    Func(String),
    Line(Option<String>, u32),
    Offset(u32),
}

pub fn parse_location(s: &str) -> Result<LocSpec> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DebugError::Syntax("Argument required (location).".into()));
    }
    if let Some(a) = s.strip_prefix('*') {
        let v = parse_int(a.trim()).ok_or_else(|| DebugError::Syntax(format!("Invalid address \"{a}\".")))?;
        return u32::try_from(v)
            .map(LocSpec::Offset)
            .map_err(|_| DebugError::Syntax(format!("Invalid address \"{a}\".")));
    }
    if let Some((file, line)) = s.rsplit_once(':')
        && let Ok(n) = line.trim().parse::<u32>()
    {
        return Ok(LocSpec::Line(Some(file.trim().to_string()), n));
    }
    if let Ok(n) = s.parse::<u32>() {
        return Ok(LocSpec::Line(None, n));
    }
    Ok(LocSpec::Func(s.to_string()))
}

/// `/NFU` of `x`: (count, format, unit bytes).
/// `x`'s memory option before the address: `-m N` or `--memory N` (memory index `N`
/// of the paused instance). Returns the index, if given, and the rest of the line.
pub fn parse_memory_option(s: &str) -> Result<(Option<u32>, &str)> {
    let Some(rest) = s.strip_prefix("--memory").or_else(|| s.strip_prefix("-m")) else { return Ok((None, s)) };
    let rest = rest.trim_start_matches([' ', '=']);
    let (n, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let index = crate::expr::parse_int(n)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| DebugError::Syntax(format!("`-m` takes a memory index, not `{n}`")))?;
    Ok((Some(index), rest.trim()))
}

pub fn parse_x_format(s: &str) -> Result<(u32, char, u32)> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    let count =
        if digits.is_empty() { 1 } else { digits.parse().map_err(|_| DebugError::Syntax("bad count".into()))? };
    let mut fmt = 'x';
    let mut unit = 0;
    for c in s[digits.len()..].chars() {
        match c {
            'b' => unit = 1,
            'h' => unit = 2,
            'w' => unit = 4,
            'g' => unit = 8,
            'x' | 'd' | 'u' | 'o' | 't' | 'c' | 's' | 'i' => fmt = c,
            _ => return Err(DebugError::Syntax(format!("Invalid format letter '{c}' in \"/{s}\"."))),
        }
    }
    if unit == 0 {
        unit = if fmt == 'c' { 1 } else { 4 };
    }
    Ok((count, fmt, unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aliases_prefixes() {
        assert_eq!(resolve("b").ok(), Some("break"));
        assert_eq!(resolve("bt").ok(), Some("backtrace"));
        assert_eq!(resolve("disas").ok(), Some("disassemble"));
        assert_eq!(resolve("fini").ok(), Some("finish"));
        assert!(resolve("zzz").is_err());
        assert!(resolve("d").is_ok(), "alias beats prefix");
        assert!(resolve("co").is_err(), "ambiguous: condition, continue");
        assert!(help(Some("x")).is_ok_and(|h| h.contains("examine")));
    }

    #[test]
    fn locations_and_formats() {
        assert_eq!(parse_location("prog.c:24").ok(), Some(LocSpec::Line(Some("prog.c".into()), 24)));
        assert_eq!(parse_location("24").ok(), Some(LocSpec::Line(None, 24)));
        assert_eq!(parse_location("*0x1f").ok(), Some(LocSpec::Offset(0x1f)));
        assert_eq!(parse_location("fact").ok(), Some(LocSpec::Func("fact".into())));
        assert!(parse_location("*zz").is_err());
        assert_eq!(parse_x_format("8xb").ok(), Some((8, 'x', 1)));
        assert_eq!(parse_x_format("s").ok(), Some((1, 's', 4)));
        assert_eq!(parse_x_format("4dw").ok(), Some((4, 'd', 4)));
        assert!(parse_x_format("8q").is_err());
    }
}
