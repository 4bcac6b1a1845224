//! Fuel: a deterministic instruction budget (WasmEdge calls it gas), with the same
//! accounting on every tier.
//!
//! With [`crate::Config::consume_fuel`] on, every executed wasm instruction costs one unit
//! of the store's fuel ([`crate::Store::set_fuel`]). It is charged per *segment*, not per
//! instruction: a segment starts at a function's first instruction and after every
//! control instruction (`block`, `loop`, `if`, `else`, `end`, `br`, `br_if`,
//! `br_table`, `return`, `return_call`, `return_call_indirect`, `unreachable`), and runs
//! through the next control instruction (a tail call, like `return`, ends its function).
//! Its whole cost is charged when execution reaches its first instruction; if the store
//! has less fuel than that, the call traps with [`crate::TrapCode::OutOfFuel`] and the
//! fuel is left as it was. Both tiers place the charge immediately before translating the
//! segment's first instruction, and only where that point is reachable, so they charge
//! identically and run out at the same place.

use crate::syntax::Instr;

/// Whether an instruction ends a fuel segment.
pub fn ends_segment(instr: &Instr) -> bool {
    matches!(
        instr,
        Instr::Block(_)
            | Instr::Loop(_)
            | Instr::If(_)
            | Instr::Else
            | Instr::End
            | Instr::Br(_)
            | Instr::BrIf(_)
            | Instr::BrTable { .. }
            | Instr::Return
            | Instr::ReturnCall(_)
            | Instr::ReturnCallIndirect { .. }
            | Instr::Unreachable
    )
}

/// For each instruction of a body, the cost of the segment starting there, or 0 if no
/// segment starts there.
pub fn segment_costs(instrs: &[Instr]) -> Vec<u32> {
    let mut costs = vec![0u32; instrs.len()];
    let mut start = 0usize;
    for (i, instr) in instrs.iter().enumerate() {
        if ends_segment(instr) || i + 1 == instrs.len() {
            costs[start] = (i + 1 - start) as u32;
            start = i + 1;
        }
    }
    costs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::BlockType;

    #[test]
    fn segments_run_through_control_instructions() {
        let body = [
            Instr::I32Const(1),
            Instr::Drop,
            Instr::Loop(BlockType::Empty),
            Instr::Nop,
            Instr::I32Const(0),
            Instr::BrIf(0),
            Instr::End,
            Instr::End,
        ];
        assert_eq!(segment_costs(&body), vec![3, 0, 0, 3, 0, 0, 1, 1]);
    }
}
