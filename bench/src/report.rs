//! The results of a run: the checks (checksums, identical outputs), the medians and ratios,
//! the geometric means (the kernels', the real programs' and the SIMD kernels' apart), as
//! Markdown tables and as JSON.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::cli::{Cli, CliRun};
use crate::engines::{EngineKind, Sample};
use crate::workloads::{Group, Kind, Workload};
use crate::{Options, Parsed};

/// A workload chosen for this run, with its module and its argument at this scale.
pub struct Selected {
    pub workload: &'static Workload,
    pub path: PathBuf,
    pub arg: i32,
    pub module_bytes: u64,
}

/// All repetitions of one (workload, engine).
#[derive(Default)]
pub struct Cell {
    pub samples: Vec<Parsed>,
    pub error: Option<String>,
}

impl Cell {
    fn median(&self, f: impl Fn(&Sample) -> f64) -> f64 {
        let mut v: Vec<f64> = self.samples.iter().map(|p| f(&p.sample)).collect();
        median(&mut v)
    }
    fn peak_mib(&self) -> f64 {
        self.samples.iter().map(|p| p.peak_kib).max().unwrap_or(0) as f64 / 1024.0
    }
}

/// All repetitions of one (program, CLI).
#[derive(Default)]
pub struct CliCell {
    pub runs: Vec<CliRun>,
    pub error: Option<String>,
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn run_ms(s: &Sample) -> f64 {
    ms(s.run)
}
fn compile_ms(s: &Sample) -> f64 {
    ms(s.compile)
}
fn instantiate_ms(s: &Sample) -> f64 {
    ms(s.instantiate)
}
/// Until the first instruction of the program runs: compile + link and instantiate.
fn first_ms(s: &Sample) -> f64 {
    ms(s.compile + s.instantiate)
}
fn total_ms(s: &Sample) -> f64 {
    ms(s.compile + s.instantiate + s.run)
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// (max - min) / median, in percent.
fn spread(v: &[f64]) -> f64 {
    let (lo, hi) = v.iter().fold((f64::MAX, 0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let m = median(&mut v.to_vec());
    if m > 0.0 { (hi - lo) / m * 100.0 } else { 0.0 }
}

fn geomean(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    (v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp()
}

/// The first line where two outputs differ, for a mismatch's message.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (la, lb): (Vec<&[u8]>, Vec<&[u8]>) = (a.split(|&c| c == b'\n').collect(), b.split(|&c| c == b'\n').collect());
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i).copied().unwrap_or(b"<end>"), lb.get(i).copied().unwrap_or(b"<end>"));
        if x != y {
            return format!(
                "line {}: {:?} against {:?}",
                i + 1,
                String::from_utf8_lossy(x),
                String::from_utf8_lossy(y)
            );
        }
    }
    format!("{} bytes against {} bytes", a.len(), b.len())
}

/// A program's output as one engine printed it in process (the reference for the CLIs).
type Output = (EngineKind, Vec<u8>);

/// Whether a failed (workload, engine) is an engine that cannot run the workload yet
/// rather than a failure: only in the SIMD set, and only when the engine's error says so
/// (an engine built without SIMD answers "... not supported ..."). It is reported as not run and does not fail the run; any
/// other error there (a trap, a crash, a checksum mismatch) still does.
pub fn not_supported(group: Group, error: &str) -> bool {
    // SIMD, and (single workloads) exceptions, which wasmi does not have.
    matches!(group, Group::Simd | Group::Single)
        && (error.contains("not supported") || error.contains("unsupported") || error.contains("not enabled"))
}

/// A (workload, engine) reported as not run, and the engine's reason.
struct NotRun {
    workload: &'static str,
    group: Group,
    engine: EngineKind,
    why: String,
}

struct Row {
    workload: &'static str,
    group: Group,
    engine: EngineKind,
    run_ms: f64,
    spread: f64,
    ratio: Option<f64>,
    compile_ms: f64,
    compile_ratio: Option<f64>,
    inst_ms: f64,
    first_ms: f64,
    first_ratio: Option<f64>,
    total_ms: f64,
    total_ratio: Option<f64>,
    peak_mib: f64,
    checksum: Option<i64>,
    runs_ms: Vec<f64>,
}

struct CliRow {
    program: &'static str,
    cli: &'static str,
    wall_ms: f64,
    spread: f64,
    ratio: Option<f64>,
    runs_ms: Vec<f64>,
}

pub struct Report {
    rows: Vec<Row>,
    not_run: Vec<NotRun>,
    cli_rows: Vec<CliRow>,
    pub problems: Vec<String>,
    notes: Vec<String>,
    /// (label, interp / wasmi, jit / wasmtime)
    geomeans: Vec<(String, f64, f64)>,
    /// Time to the first instruction of the largest modules, one line each.
    startup: Vec<String>,
    cli_versions: Vec<(String, String)>,
    baseline_mib: f64,
    reps: usize,
    scale: f64,
}

impl Report {
    pub fn new(
        selected: &[Selected],
        cells: &[Vec<Cell>],
        clis: &[Cli],
        cli_cells: &[Vec<CliCell>],
        notices: Vec<String>,
        baseline_kib: u64,
        options: &Options,
    ) -> Report {
        let mut rows = Vec::new();
        let mut not_run = Vec::new();
        let mut problems = Vec::new();
        let mut notes = notices;
        // Reference outputs of the programs, for the CLI check.
        let mut reference_output: Vec<Option<Output>> = Vec::new();
        for (s, engines) in selected.iter().zip(cells) {
            let w = s.workload;
            let mut checksums: Vec<(EngineKind, i64)> = Vec::new();
            for (engine, cell) in EngineKind::ALL.iter().zip(engines) {
                match &cell.error {
                    Some(e) if not_supported(w.group, e) => {
                        not_run.push(NotRun { workload: w.name, group: w.group, engine: *engine, why: e.clone() });
                    }
                    Some(e) => problems.push(format!("{} on {}: {e}", w.name, engine.name())),
                    None => {}
                }
                for p in &cell.samples {
                    checksums.push((*engine, p.sample.checksum));
                    if let Some(n) = &p.sample.note {
                        let note = format!("{} on {}: {n}", w.name, engine.name());
                        if !notes.contains(&note) {
                            notes.push(note);
                        }
                    }
                }
            }
            if w.kind == Kind::Command {
                // Every engine and repetition must print the same bytes.
                let all = EngineKind::ALL.iter().zip(engines).flat_map(|(e, c)| c.samples.iter().map(move |p| (*e, p)));
                let mut reference: Option<(EngineKind, &[u8])> = None;
                let mut reported = Vec::new();
                for (engine, p) in all {
                    match reference {
                        None => reference = Some((engine, &p.stdout)),
                        Some((first, bytes)) if bytes != p.stdout.as_slice() && !reported.contains(&engine) => {
                            reported.push(engine);
                            problems.push(format!(
                                "{} (argv[1] {}): the output of {} differs from that of {} at {}",
                                w.name,
                                s.arg,
                                engine.name(),
                                first.name(),
                                first_difference(bytes, &p.stdout)
                            ));
                        }
                        Some(_) => {}
                    }
                }
                reference_output.push(reference.map(|(e, b)| (e, b.to_vec())));
            } else if let Some((_, first)) = checksums.first()
                && let Some((engine, other)) = checksums.iter().find(|(_, c)| c != first)
            {
                let all: Vec<String> = checksums.iter().map(|(e, c)| format!("{}={c:#x}", e.name())).collect();
                problems.push(format!(
                    "{} (arg {}): checksum mismatch ({} gave {other:#x}, expected {first:#x}): {}",
                    w.name,
                    s.arg,
                    engine.name(),
                    all.join(" ")
                ));
            }
            let peer_cell = |e: EngineKind| -> Option<&Cell> {
                let cell = &engines[EngineKind::ALL.iter().position(|x| *x == e)?];
                (!cell.samples.is_empty() && cell.error.is_none()).then_some(cell)
            };
            for (engine, cell) in EngineKind::ALL.iter().zip(engines) {
                if cell.samples.is_empty() {
                    continue;
                }
                let peer = engine.peer().and_then(peer_cell);
                let ratio = |f: fn(&Sample) -> f64| peer.map(|p| cell.median(f) / p.median(f));
                rows.push(Row {
                    workload: w.name,
                    group: w.group,
                    engine: *engine,
                    run_ms: cell.median(run_ms),
                    spread: spread(&cell.samples.iter().map(|p| run_ms(&p.sample)).collect::<Vec<_>>()),
                    ratio: ratio(run_ms),
                    compile_ms: cell.median(compile_ms),
                    compile_ratio: ratio(compile_ms),
                    inst_ms: cell.median(instantiate_ms),
                    first_ms: cell.median(first_ms),
                    first_ratio: ratio(first_ms),
                    total_ms: cell.median(total_ms),
                    total_ratio: ratio(total_ms),
                    peak_mib: cell.peak_mib(),
                    checksum: cell.samples.first().map(|p| p.sample.checksum),
                    runs_ms: cell.samples.iter().map(|p| run_ms(&p.sample)).collect(),
                });
            }
        }

        let mut geomeans = Vec::new();
        let ratios = |group: Group, engine: EngineKind, f: fn(&Row) -> Option<f64>| -> Vec<f64> {
            rows.iter().filter(|r| r.group == group && r.engine == engine).filter_map(f).collect()
        };
        let mut mean = |label: &str, group: Group, f: fn(&Row) -> Option<f64>| {
            let (interp, jit) = (ratios(group, EngineKind::Interp, f), ratios(group, EngineKind::Jit, f));
            if !interp.is_empty() || !jit.is_empty() {
                let n = interp.len().max(jit.len());
                geomeans.push((format!("{label} ({n})"), geomean(&interp), geomean(&jit)));
            }
        };
        mean("execution workloads", Group::Kernel, |r| r.ratio);
        mean("real programs, run", Group::Program, |r| r.ratio);
        mean("real programs, compile + instantiate + run", Group::Program, |r| r.total_ratio);
        mean("SIMD workloads", Group::Simd, |r| r.ratio);
        if !geomeans.iter().any(|(label, ..)| label.starts_with("SIMD"))
            && selected.iter().any(|s| s.workload.group == Group::Simd)
        {
            // Said even when no ratio could be formed (wasmscope cannot run SIMD yet).
            geomeans.push(("SIMD workloads (0: no wasmscope tier ran them)".to_string(), f64::NAN, f64::NAN));
        }

        let startup = startup_lines(selected, &rows);
        let (cli_rows, cli_problems, cli_mean) = cli_rows(selected, &reference_output, clis, cli_cells);
        problems.extend(cli_problems);
        if let Some(m) = cli_mean {
            geomeans.push(m);
        }
        Report {
            rows,
            not_run,
            cli_rows,
            problems,
            notes,
            geomeans,
            startup,
            cli_versions: clis.iter().map(|c| (c.name.to_string(), crate::cli::version(c))).collect(),
            baseline_mib: baseline_kib as f64 / 1024.0,
            reps: options.reps,
            scale: options.scale,
        }
    }

    pub fn markdown(&self) -> String {
        let fmt_ratio = |r: Option<f64>| r.map(|r| format!("{r:.2}x")).unwrap_or_default();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Medians of {} repetitions (scale {}); ratio = wasmscope-interp / wasmi and wasmscope-jit / wasmtime \
             (lower is better); ± = (max - min) / median of the run times; baseline RSS of the bench process \
             before any engine runs: {:.1} MiB.\n",
            self.reps, self.scale, self.baseline_mib
        );
        let kernel_groups: &[(Group, &str)] = &[
            (Group::Kernel, ""),
            (Group::Single, ""),
            (
                Group::Simd,
                "SIMD workloads (`bench/simd/`, C built with `-msimd128`; a mean of their own, not in the \
                 kernels'). A *not run* row is an engine that cannot execute the module (its error is \
                 below).\n",
            ),
        ];
        let mut table_open = false;
        for (group, heading) in kernel_groups {
            let rows: Vec<&Row> = self.rows.iter().filter(|r| r.group == *group).collect();
            let not_run: Vec<&NotRun> = self.not_run.iter().filter(|n| n.group == *group).collect();
            if rows.is_empty() && not_run.is_empty() {
                continue;
            }
            if !heading.is_empty() {
                if table_open {
                    let _ = writeln!(out);
                }
                let _ = writeln!(out, "{heading}");
                table_open = false;
            }
            if !table_open {
                let _ = writeln!(
                    out,
                    "| workload | engine | run ms | ± | ratio | compile ms | compile ratio | instantiate ms | peak RSS MiB |"
                );
                let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
                table_open = true;
            }
            // In the order of the engines, a not-run row where its measurement would be.
            let workloads: Vec<&str> = self
                .rows
                .iter()
                .filter(|r| r.group == *group)
                .map(|r| r.workload)
                .chain(not_run.iter().map(|n| n.workload))
                .fold(Vec::new(), |mut v, w| {
                    if !v.contains(&w) {
                        v.push(w);
                    }
                    v
                });
            for w in workloads {
                for engine in EngineKind::ALL {
                    if let Some(r) = rows.iter().find(|r| r.workload == w && r.engine == engine) {
                        let _ = writeln!(
                            out,
                            "| {} | {} | {:.2} | {:.0}% | {} | {:.2} | {} | {:.3} | {:.1} |",
                            r.workload,
                            r.engine.name(),
                            r.run_ms,
                            r.spread,
                            fmt_ratio(r.ratio),
                            r.compile_ms,
                            fmt_ratio(r.compile_ratio),
                            r.inst_ms,
                            r.peak_mib
                        );
                    } else if not_run.iter().any(|n| n.workload == w && n.engine == engine) {
                        let _ = writeln!(out, "| {w} | {} | *not run* | | | | | | |", engine.name());
                    }
                }
            }
        }
        if table_open {
            let _ = writeln!(out);
        }
        let programs: Vec<&Row> = self.rows.iter().filter(|r| r.group == Group::Program).collect();
        if !programs.is_empty() {
            let _ = writeln!(
                out,
                "Real programs, in process (WASI commands; outputs checked identical). first instr = compile + \
                 WASI linking + instantiation, the time before `_start` runs; total = first instr + run.\n"
            );
            let _ = writeln!(
                out,
                "| program | engine | run ms | ± | ratio | compile ms | instantiate ms | first instr ms | ratio | \
                 total ms | ratio | peak RSS MiB |"
            );
            let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for r in programs {
                let _ = writeln!(
                    out,
                    "| {} | {} | {:.1} | {:.0}% | {} | {:.2} | {:.3} | {:.2} | {} | {:.1} | {} | {:.1} |",
                    r.workload,
                    r.engine.name(),
                    r.run_ms,
                    r.spread,
                    fmt_ratio(r.ratio),
                    r.compile_ms,
                    r.inst_ms,
                    r.first_ms,
                    fmt_ratio(r.first_ratio),
                    r.total_ms,
                    fmt_ratio(r.total_ratio),
                    r.peak_mib
                );
            }
            let _ = writeln!(out);
        }
        if !self.cli_rows.is_empty() {
            let versions: Vec<String> = self.cli_versions.iter().map(|(n, v)| format!("{n}: {v}")).collect();
            let _ = writeln!(
                out,
                "Real programs, whole process (CLI against CLI: spawn to exit, outputs checked identical; {}).\n",
                versions.join("; ")
            );
            let _ = writeln!(out, "| program | CLI | wall ms | ± | ratio |");
            let _ = writeln!(out, "|---|---|---:|---:|---:|");
            for r in &self.cli_rows {
                let _ = writeln!(
                    out,
                    "| {} | {} | {:.1} | {:.0}% | {} |",
                    r.program,
                    r.cli,
                    r.wall_ms,
                    r.spread,
                    fmt_ratio(r.ratio)
                );
            }
            let _ = writeln!(out);
        }
        let mean = |x: f64| if x.is_finite() { format!("{x:.2}x") } else { "n/a".to_string() };
        for (label, interp, jit) in &self.geomeans {
            let _ = writeln!(
                out,
                "Geometric mean over the {label}: wasmscope-interp / wasmi = {}, wasmscope-jit / wasmtime = {}",
                mean(*interp),
                mean(*jit)
            );
        }
        for line in &self.startup {
            let _ = writeln!(out, "\n{line}");
        }
        for n in &self.not_run {
            let _ = writeln!(out, "\nNot run: {} on {}: {}", n.workload, n.engine.name(), n.why);
        }
        for note in &self.notes {
            let _ = writeln!(out, "\nNote: {note}");
        }
        out
    }

    pub fn json(&self) -> String {
        let num = |x: f64| if x.is_finite() { format!("{x:.4}") } else { "null".to_string() };
        let opt = |x: Option<f64>| x.map(num).unwrap_or_else(|| "null".to_string());
        let text = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let list = |v: &[f64]| v.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ");
        let mut out = String::new();
        let _ = write!(
            out,
            "{{\n  \"reps\": {},\n  \"scale\": {},\n  \"baseline_rss_mib\": {},\n  \"results\": [",
            self.reps,
            num(self.scale),
            num(self.baseline_mib)
        );
        for (i, r) in self.rows.iter().enumerate() {
            let _ = write!(
                out,
                "{}\n    {{\"workload\": \"{}\", \"set\": \"{}\", \"engine\": \"{}\", \"run_ms\": {}, \
                 \"run_ms_all\": [{}], \"ratio\": {}, \"compile_ms\": {}, \"compile_ratio\": {}, \
                 \"instantiate_ms\": {}, \"first_instruction_ms\": {}, \"first_instruction_ratio\": {}, \
                 \"total_ms\": {}, \"total_ratio\": {}, \"peak_rss_mib\": {}, \"checksum\": {}}}",
                if i == 0 { "" } else { "," },
                r.workload,
                r.group.set_name(),
                r.engine.name(),
                num(r.run_ms),
                list(&r.runs_ms),
                opt(r.ratio),
                num(r.compile_ms),
                opt(r.compile_ratio),
                num(r.inst_ms),
                num(r.first_ms),
                opt(r.first_ratio),
                num(r.total_ms),
                opt(r.total_ratio),
                num(r.peak_mib),
                r.checksum.map(|c| c.to_string()).unwrap_or_else(|| "null".to_string())
            );
        }
        out.push_str("\n  ],\n  \"cli\": [");
        for (i, r) in self.cli_rows.iter().enumerate() {
            let _ = write!(
                out,
                "{}\n    {{\"program\": \"{}\", \"cli\": \"{}\", \"wall_ms\": {}, \"wall_ms_all\": [{}], \"ratio\": {}}}",
                if i == 0 { "" } else { "," },
                r.program,
                r.cli,
                num(r.wall_ms),
                list(&r.runs_ms),
                opt(r.ratio)
            );
        }
        out.push_str("\n  ],\n  \"cli_versions\": {");
        let versions: Vec<String> =
            self.cli_versions.iter().map(|(n, v)| format!("{}: {}", text(n), text(v))).collect();
        out.push_str(&versions.join(", "));
        out.push_str("},\n  \"geomeans\": [");
        for (i, (label, interp, jit)) in self.geomeans.iter().enumerate() {
            let _ = write!(
                out,
                "{}\n    {{\"over\": {}, \"interp_vs_wasmi\": {}, \"jit_vs_wasmtime\": {}}}",
                if i == 0 { "" } else { "," },
                text(label),
                num(*interp),
                num(*jit)
            );
        }
        out.push_str("\n  ],\n  \"not_run\": [");
        for (i, n) in self.not_run.iter().enumerate() {
            let _ = write!(
                out,
                "{}\n    {{\"workload\": \"{}\", \"set\": \"{}\", \"engine\": \"{}\", \"why\": {}}}",
                if i == 0 { "" } else { "," },
                n.workload,
                n.group.set_name(),
                n.engine.name(),
                text(&n.why)
            );
        }
        for (name, lines) in [("startup", &self.startup), ("notes", &self.notes), ("problems", &self.problems)] {
            let _ = write!(out, "\n  ],\n  \"{name}\": [");
            for (i, n) in lines.iter().enumerate() {
                let _ = write!(out, "{}\n    {}", if i == 0 { "" } else { "," }, text(n));
            }
        }
        out.push_str("\n  ]\n}\n");
        out
    }
}

/// Time to the first instruction of the largest real program and of `large-module`: each
/// tier against its peer.
fn startup_lines(selected: &[Selected], rows: &[Row]) -> Vec<String> {
    let largest_program = selected.iter().filter(|s| s.workload.group == Group::Program).max_by_key(|s| s.module_bytes);
    let large_module = selected.iter().find(|s| s.workload.name == "large-module");
    let mut lines = Vec::new();
    for (what, s) in [("the largest real program", largest_program), ("the generated large module", large_module)] {
        let Some(s) = s else { continue };
        let first = |e: EngineKind| rows.iter().find(|r| r.workload == s.workload.name && r.engine == e);
        let pair = |ours: EngineKind, peer: EngineKind| match (first(ours), first(peer)) {
            (Some(a), Some(b)) => format!(
                "{} {:.2} ms against {} {:.2} ms ({:.2}x)",
                ours.name(),
                a.first_ms,
                peer.name(),
                b.first_ms,
                a.first_ms / b.first_ms
            ),
            _ => format!("{} or {} not measured", ours.name(), peer.name()),
        };
        lines.push(format!(
            "Time to first instruction of {what} ({}, {:.1} KiB): {}; {}.",
            s.workload.name,
            s.module_bytes as f64 / 1024.0,
            pair(EngineKind::Interp, EngineKind::Wasmi),
            pair(EngineKind::Jit, EngineKind::Wasmtime)
        ));
    }
    lines
}

type CliSummary = (Vec<CliRow>, Vec<String>, Option<(String, f64, f64)>);

/// The CLI table's rows, the output mismatches, and the geometric mean of the wall-time
/// ratios. `reference[i]` is the in-process output of the i-th selected WASI command.
fn cli_rows(selected: &[Selected], reference: &[Option<Output>], clis: &[Cli], cells: &[Vec<CliCell>]) -> CliSummary {
    let programs: Vec<(&Selected, Option<&Output>)> = selected
        .iter()
        .filter(|s| s.workload.kind == Kind::Command)
        .zip(reference.iter().map(Option::as_ref))
        .filter(|(s, _)| s.workload.group == Group::Program)
        .collect();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let (mut interp, mut jit) = (Vec::new(), Vec::new());
    for ((s, reference), cells) in programs.iter().zip(cells) {
        let name = s.workload.name;
        let wall = |cell: &CliCell| -> Vec<f64> { cell.runs.iter().map(|r| r.wall_ms).collect() };
        // In-process output first; without one, the first CLI's.
        let reference: Option<(String, &[u8])> =
            reference.map(|(e, b)| (format!("{} in process", e.name()), &b[..])).or_else(|| {
                clis.iter()
                    .zip(cells)
                    .find_map(|(c, cell)| cell.runs.first().map(|r| (format!("the {} CLI", c.name), &r.stdout[..])))
            });
        for (c, cell) in clis.iter().zip(cells) {
            if let Some(e) = &cell.error {
                problems.push(format!("{name} on the {} CLI: {e}", c.name));
            }
            if let Some((ref_name, ref_bytes)) = &reference
                && let Some(bad) = cell.runs.iter().find(|r| r.stdout.as_slice() != *ref_bytes)
            {
                problems.push(format!(
                    "{name} (argv[1] {}): the output of the {} CLI differs from that of {ref_name} at {}",
                    s.arg,
                    c.name,
                    first_difference(ref_bytes, &bad.stdout)
                ));
            }
            if cell.runs.is_empty() {
                continue;
            }
            let wall_ms = median(&mut wall(cell));
            let peer = c.peer().and_then(|p| {
                clis.iter()
                    .zip(cells)
                    .find(|(pc, pcell)| pc.name == p && !pcell.runs.is_empty() && pcell.error.is_none())
            });
            let ratio = peer.map(|(_, pcell)| wall_ms / median(&mut wall(pcell)));
            match (c.name, ratio) {
                ("wasmscope-interp", Some(r)) => interp.push(r),
                ("wasmscope-jit", Some(r)) => jit.push(r),
                _ => {}
            }
            rows.push(CliRow {
                program: name,
                cli: c.name,
                wall_ms,
                spread: spread(&wall(cell)),
                ratio,
                runs_ms: wall(cell),
            });
        }
    }
    let mean = (!interp.is_empty() || !jit.is_empty()).then(|| {
        (
            format!("real programs, whole process (CLI) ({})", interp.len().max(jit.len())),
            geomean(&interp),
            geomean(&jit),
        )
    });
    (rows, problems, mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_difference_names_the_line() {
        assert_eq!(first_difference(b"a\nb\nc\n", b"a\nB\nc\n"), "line 2: \"b\" against \"B\"");
        assert_eq!(first_difference(b"a\n", b"a\nmore"), "line 2: \"\" against \"more\"");
    }

    #[test]
    fn medians_spreads_and_means() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(spread(&[1.0, 2.0, 3.0]), 100.0);
        assert!((geomean(&[2.0, 8.0]) - 4.0).abs() < 1e-12);
        assert!(geomean(&[]).is_nan());
    }

    fn options() -> Options {
        Options {
            filter: Vec::new(),
            set: None,
            json: None,
            reps: 1,
            scale: 1.0,
            engines: EngineKind::ALL.to_vec(),
            no_cli: true,
        }
    }

    fn measured(run_ms: u64, checksum: i64) -> Cell {
        let sample = Sample { run: std::time::Duration::from_millis(run_ms), checksum, ..Sample::default() };
        Cell { samples: vec![Parsed { sample, peak_kib: 1024, stdout: Vec::new() }], error: None }
    }

    fn failed(why: &str) -> Cell {
        Cell { samples: Vec::new(), error: Some(why.to_string()) }
    }

    fn simd_report(interp: Cell, jit: Cell) -> Report {
        let workload = crate::workloads::WORKLOADS.iter().find(|w| w.name == "simd-matmul").expect("simd-matmul");
        let selected = [Selected { workload, path: PathBuf::from("simd-matmul.wasm"), arg: 1, module_bytes: 1 }];
        let cells = [vec![interp, jit, measured(40, 7), measured(10, 7)]];
        Report::new(&selected, &cells, &[], &[], Vec::new(), 1024, &options())
    }

    #[test]
    fn an_engine_without_simd_is_not_run_not_failed() {
        let why = "trap: internal error: SIMD is not supported on the interpreter yet (child exited with 1)";
        let report = simd_report(failed(why), failed(why));
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let md = report.markdown();
        assert!(md.contains("| simd-matmul | wasmscope-interp | *not run* |"), "{md}");
        assert!(md.contains("| simd-matmul | wasmscope-jit | *not run* |"), "{md}");
        assert!(md.contains("| simd-matmul | wasmi | 40.00 |"), "{md}");
        assert!(md.contains(&format!("Not run: simd-matmul on wasmscope-interp: {why}")), "{md}");
        assert!(md.contains("SIMD workloads (0: no wasmscope tier ran them): wasmscope-interp / wasmi = n/a"), "{md}");
        let json = report.json();
        assert!(json.contains("\"not_run\": [\n    {\"workload\": \"simd-matmul\", \"set\": \"simd\""), "{json}");
    }

    #[test]
    fn simd_ratios_have_a_mean_of_their_own_and_other_errors_still_fail() {
        let report = simd_report(measured(20, 7), failed("trap: out of bounds memory access (child exited with 1)"));
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        let md = report.markdown();
        assert!(md.contains("| simd-matmul | wasmscope-interp | 20.00 | 0% | 0.50x |"), "{md}");
        assert!(md.contains("Geometric mean over the SIMD workloads (1): wasmscope-interp / wasmi = 0.50x"), "{md}");
        assert!(!md.contains("execution workloads"), "{md}");
        // A checksum that differs is a failure in the SIMD set too.
        let report = simd_report(measured(20, 8), measured(10, 7));
        assert!(report.problems.iter().any(|p| p.contains("checksum mismatch")), "{:?}", report.problems);
        assert!(!not_supported(Group::Kernel, "SIMD is not supported on the interpreter yet"));
    }
}
