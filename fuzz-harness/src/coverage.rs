//! Opcode coverage: the instructions (by name) the generated modules contain, found by
//! decoding them with our own decoder; and how many modules use SIMD at all.

use std::collections::BTreeMap;

use wasmscope_engine::Features;
use wasmscope_engine::syntax::{Instr, SimdFeature, ValType};

/// Counts, per instruction name, how many generated modules contained it.
#[derive(Debug, Default, Clone)]
pub struct Coverage {
    pub modules: BTreeMap<String, u64>,
    /// Modules decoded (all generated ones: they are valid).
    pub decoded: u64,
    /// Modules with at least one SIMD (`0xFD`) instruction or a `v128` anywhere (a function
    /// type, a local, a global).
    pub simd: u64,
    /// Modules with at least one `0xFD` instruction.
    pub simd_instr: u64,
    /// Modules with at least one relaxed SIMD instruction.
    pub relaxed: u64,
}

/// The instruction's name without its immediates: `Num(I32Add)` → `I32Add`,
/// `Load(I64Load8S, ..)` → `I64Load8S`, `LocalGet(3)` → `LocalGet`, `Simd(I32x4Add)` →
/// `I32x4Add`, `SimdLane(I8x16ExtractLaneU, 3)` → `I8x16ExtractLaneU`.
pub fn name(debug: &str) -> String {
    let inner = ["Num(", "Load(", "Store(", "SimdLane(", "SimdMemLane(", "SimdMem(", "Simd("]
        .iter()
        .find_map(|p| debug.strip_prefix(p))
        .unwrap_or(debug);
    inner.split(|c: char| !c.is_alphanumeric()).next().unwrap_or(inner).to_string()
}

/// Whether `i` is a `0xFD` instruction, and of it relaxed SIMD.
fn simd(i: &Instr) -> (bool, bool) {
    let op = match i {
        Instr::V128Const(_) | Instr::I8x16Shuffle(_) => return (true, false),
        Instr::Simd(op) | Instr::SimdLane(op, _) | Instr::SimdMem(op, _) | Instr::SimdMemLane(op, _, _) => op,
        _ => return (false, false),
    };
    (true, op.feature() == SimdFeature::RelaxedSimd)
}

impl Coverage {
    pub fn add_module(&mut self, bytes: &[u8]) {
        let Ok(m) = wasmscope_engine::binary::decode(bytes, &Features::wasm3()) else {
            return;
        };
        let mut seen = std::collections::BTreeSet::new();
        let (mut simd_instr, mut relaxed) = (false, false);
        for body in &m.code {
            let _ = body.for_each_instr(|_, i| {
                let (s, r) = simd(i);
                simd_instr |= s;
                relaxed |= r;
                seen.insert(name(&format!("{i:?}")));
                Ok::<(), wasmscope_engine::DecodeError>(())
            });
        }
        let v128 = |t: &ValType| *t == ValType::V128;
        let v128_type =
            m.types.iter().filter_map(|t| t.as_func()).any(|t| t.params.iter().chain(t.results.iter()).any(v128))
                || m.globals.iter().any(|g| v128(&g.ty.content))
                || m.code.iter().any(|b| b.locals.iter().any(v128));
        self.decoded += 1;
        self.simd += u64::from(simd_instr || v128_type);
        self.simd_instr += u64::from(simd_instr);
        self.relaxed += u64::from(relaxed);
        for s in seen {
            *self.modules.entry(s).or_default() += 1;
        }
    }

    pub fn merge(&mut self, other: &Coverage) {
        for (k, v) in &other.modules {
            *self.modules.entry(k.clone()).or_default() += v;
        }
        self.decoded += other.decoded;
        self.simd += other.simd;
        self.simd_instr += other.simd_instr;
        self.relaxed += other.relaxed;
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
        assert_eq!(super::name("Simd(I32x4Add)"), "I32x4Add");
        assert_eq!(super::name("SimdLane(I8x16ExtractLaneU, 3)"), "I8x16ExtractLaneU");
        assert_eq!(super::name("SimdMem(V128Load, MemArg { offset: 0 })"), "V128Load");
        assert_eq!(super::name("SimdMemLane(V128Load8Lane, MemArg { offset: 0 }, 1)"), "V128Load8Lane");
        assert_eq!(super::name("V128Const([0, 0])"), "V128Const");
    }
}
