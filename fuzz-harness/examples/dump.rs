//! Prints a module's functions as our decoder sees them (types, imports, bodies), for
//! reading shrunk findings: `cargo run --release --example dump -- FILE.wasm`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE.wasm");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    match wasmscope_engine::binary::decode(&bytes, &wasmscope_engine::Features::default()) {
        Ok(m) => {
            println!("types: {:?}\nimports: {:?}\nfuncs: {:?}\nexports: {:?}", m.types, m.imports, m.funcs, m.exports);
            println!("globals: {:?}\nstart: {:?}", m.globals, m.start);
            for (i, body) in m.code.iter().enumerate() {
                println!("func {} locals {:?}:", i + m.num_imported_funcs() as usize, body.locals);
                match body.instructions() {
                    Ok(code) => code.instrs.iter().for_each(|ins| println!("    {ins:?}")),
                    Err(e) => println!("    malformed: {e}"),
                }
            }
        }
        Err(e) => println!("malformed: {e}"),
    }
}
