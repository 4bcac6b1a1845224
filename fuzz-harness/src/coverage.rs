//! Opcode coverage: the instructions (by name) the generated modules contain, found by
//! decoding them with our own decoder.

use std::collections::BTreeMap;

use wasmscope_engine::Features;

/// Counts, per instruction name, how many generated modules contained it.
#[derive(Debug, Default, Clone)]
pub struct Coverage {
    pub modules: BTreeMap<String, u64>,
}

/// The instruction's name without its immediates: `Num(I32Add)` → `I32Add`,
/// `Load(I64Load8S, ..)` → `I64Load8S`, `LocalGet(3)` → `LocalGet`.
pub fn name(debug: &str) -> String {
    let inner = ["Num(", "Load(", "Store("].iter().find_map(|p| debug.strip_prefix(p)).unwrap_or(debug);
    inner.split(|c: char| !c.is_alphanumeric()).next().unwrap_or(inner).to_string()
}

impl Coverage {
    pub fn add_module(&mut self, bytes: &[u8]) {
        let Ok(m) = wasmscope_engine::binary::decode(bytes, &Features::default()) else { return };
        let mut seen = std::collections::BTreeSet::new();
        for body in &m.code {
            let _ = body.for_each_instr(|_, i| {
                seen.insert(name(&format!("{i:?}")));
                Ok::<(), wasmscope_engine::DecodeError>(())
            });
        }
        for s in seen {
            *self.modules.entry(s).or_default() += 1;
        }
    }

    pub fn merge(&mut self, other: &Coverage) {
        for (k, v) in &other.modules {
            *self.modules.entry(k.clone()).or_default() += v;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_drop_immediates() {
        assert_eq!(super::name("Num(I32Add)"), "I32Add");
        assert_eq!(super::name("Load(I64Load8S, MemArg { offset: 0 })"), "I64Load8S");
        assert_eq!(super::name("LocalGet(3)"), "LocalGet");
        assert_eq!(super::name("Drop"), "Drop");
    }
}
