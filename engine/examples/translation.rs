//! Prints the interpreter's translation (the register-form ops that become threaded
//! code) of the functions of a module whose name-section name matches, or lists the
//! names: a tool for finding fusion opportunities when profiling real programs.
//!
//! `cargo run --release -p wasmscope-engine --example translation -- MODULE.wasm [NAME|INDEX]`

use std::io::Write;

use wasmscope_engine::{Config, Engine, Module, translate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, rest @ ..] = args.as_slice() else {
        return Err("usage: translation MODULE.wasm [FUNCTION-NAME]".into());
    };
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let module = Module::new(&Engine::new(Config::default()), &bytes)?;
    let syntax = module.syntax();
    let func_types = syntax.func_type_indices();
    let imported = func_types.len() - syntax.code.len();
    let mut out = std::io::stdout().lock();
    for index in 0..func_types.len() as u32 {
        let name = module.func_name(index).unwrap_or("");
        match rest.first() {
            None => writeln!(out, "{index} {name}")?,
            Some(want) if (want == name || *want == index.to_string()) && index as usize >= imported => {
                let global_types: Vec<_> = syntax.global_types().iter().map(|g| g.content).collect();
                let (memories, tables) = (syntax.memory_types(), syntax.table_types());
                let tags = syntax.tag_type_indices();
                let ctx = translate::ModuleContext {
                    types: &syntax.types,
                    canonical: &syntax.canonical,
                    func_types: &func_types,
                    consume_fuel: false,
                    global_types: &global_types,
                    memories: &memories,
                    tables: &tables,
                    tags: &tags,
                };
                let ty = module.func_type(index).ok_or("no type")?;
                let body = &syntax.code[index as usize - imported];
                let ops = translate::translate_ops(&ctx, ty, body, true)?;
                writeln!(out, "func {index} {name}: {} ops", ops.len())?;
                for (pc, op) in ops.iter().enumerate() {
                    writeln!(out, "{pc:6} {op:?}")?;
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}
