//! `wasmscope debug`: the debugger's front ends (the full-screen TUI on a terminal, the
//! line REPL, or a `--batch` transcript) over one [`wasmscope_debugger::Session`].

use std::cell::RefCell;
use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::{Context as _, anyhow};
use wasmscope_debugger::repl::{Input, Output, ProgramWriter, Repl};
use wasmscope_debugger::{Outcome, Session, SessionConfig};

use crate::TRAP_STATUS;
use crate::cli::DebugArgs;

fn exit_status(outcome: Option<Outcome>) -> ExitCode {
    match outcome {
        Some(Outcome::Exited(c)) => ExitCode::from(c as u8),
        Some(Outcome::Trapped(_)) => ExitCode::from(TRAP_STATUS),
        _ => ExitCode::SUCCESS,
    }
}

/// `--gdb-port PORT`: one LLDB client, then the program's exit status.
fn gdb_remote(session: &mut Session, port: u16) -> anyhow::Result<ExitCode> {
    session.entry().map_err(|e| anyhow!("{}: {e}", session.path().display()))?;
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    let addr = listener.local_addr().context("cannot read the listening address")?;
    eprintln!("wasmscope: waiting for LLDB on {addr} (process connect --plugin wasm connect://{addr})");
    let outcome = wasmscope_debugger::remote::serve(session, &listener, &mut |note| eprintln!("wasmscope: {note}"))
        .map_err(|e| anyhow!("{e}"))?;
    Ok(exit_status(Some(outcome)))
}

/// `--dap` (stdin/stdout) or `--dap-port PORT` (one TCP client): the program's exit status.
fn dap(defaults: wasmscope_debugger::dap::Defaults, port: Option<u16>) -> anyhow::Result<ExitCode> {
    let mut note = |n: &str| eprintln!("wasmscope: {n}");
    let outcome = match port {
        None => {
            wasmscope_debugger::dap::serve(Box::new(std::io::stdin()), Box::new(std::io::stdout()), defaults, &mut note)
        }
        Some(port) => {
            let listener = std::net::TcpListener::bind(("127.0.0.1", port))
                .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
            let addr = listener.local_addr().context("cannot read the listening address")?;
            eprintln!("wasmscope: waiting for a DAP client on {addr}");
            let (stream, peer) = listener.accept().context("accepting a DAP client")?;
            eprintln!("wasmscope: dap: client {peer} connected");
            let input = stream.try_clone().context("socket")?;
            wasmscope_debugger::dap::serve(Box::new(input), Box::new(stream), defaults, &mut note)
        }
    }
    .map_err(|e| anyhow!("{e}"))?;
    Ok(exit_status(outcome))
}

pub fn debug(args: DebugArgs) -> anyhow::Result<ExitCode> {
    let opts = &args.program;
    let engine = crate::run::engine_config(opts);
    let config = SessionConfig {
        tier: opts.tier,
        args: opts.args().to_vec(),
        env: opts.env(),
        dirs: opts.dirs(),
        invoke: opts.invoke.clone(),
        stdout: None,
        stderr: None,
        stdin: None,
        features: engine.features,
        fuel: opts.fuel,
    };
    if args.dap || args.dap_port.is_some() {
        let program = opts.file_and_args.first().map(std::path::PathBuf::from);
        return dap(wasmscope_debugger::dap::Defaults { program, config }, args.dap_port);
    }
    let mut session = Session::load(&opts.file(), config).map_err(|e| anyhow!("{e}"))?;
    if let Some(port) = args.gdb_port {
        return gdb_remote(&mut session, port);
    }
    let batch = args.batch;
    let force_lines = args.repl;
    if batch.is_none() && !force_lines && std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        // The full-screen debugger; it restores the terminal however it ends.
        let outcome = wasmscope_tui::run(&mut session).map_err(|e| anyhow!("{e}"))?;
        return Ok(exit_status(outcome));
    }
    let (out, input) = match &batch {
        Some(f) => {
            let text = std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
            let out = Output::new(Box::new(std::io::stdout()), true);
            (out, Input::Batch(text.lines().map(str::to_string).collect::<Vec<_>>().into_iter()))
        }
        None if force_lines || !std::io::stdin().is_terminal() => {
            (Output::new(Box::new(std::io::stdout()), false), Input::Lines)
        }
        None => {
            let mut words: Vec<String> =
                (0..session.core.program.num_funcs()).map(|f| session.core.program.func_name(f)).collect();
            words.extend(session.core.program.files().iter().map(|f| f.rsplit('/').next().unwrap_or(f).to_string()));
            words.sort();
            words.dedup();
            (Output::new(Box::new(std::io::stdout()), false), Repl::editor(words).map_err(|e| anyhow!("{e}"))?)
        }
    };
    if batch.is_some() {
        session.config.stdout = Some(Rc::new(RefCell::new(ProgramWriter { out: out.clone(), tag: "stdout" })));
        session.config.stderr = Some(Rc::new(RefCell::new(ProgramWriter { out: out.clone(), tag: "stderr" })));
    }
    let mut repl = Repl::new(out, input);
    repl.main_loop(&mut session);
    Ok(exit_status(repl.last_outcome))
}
