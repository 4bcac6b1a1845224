//! The interpreter's internal instruction form.
//!
//! Every op is at most 16 bytes, carries its immediates decoded, and every branch carries
//! its resolved target pc and the stack height to unwind to, so the dispatch loop never
//! decodes LEB128 or searches for an `end`. Numeric operators are generated from the one
//! instruction table in `syntax::instr` ([`crate::for_each_numeric_op!`]).

use crate::syntax::{LoadOp, NumOp, StoreOp};

/// Where a branch goes and what it keeps: the top `keep` operands are moved down to
/// `height` (relative to the frame base) before jumping to `pc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BranchTarget {
    pub pc: u32,
    pub height: u32,
    pub keep: u32,
}

/// The i32 comparisons that fuse with a following branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum I32Cmp {
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
}

impl I32Cmp {
    /// The comparison of a numeric operator, if it is an i32 comparison.
    pub fn of(op: NumOp) -> Option<I32Cmp> {
        Some(match op {
            NumOp::I32Eq => I32Cmp::Eq,
            NumOp::I32Ne => I32Cmp::Ne,
            NumOp::I32LtS => I32Cmp::LtS,
            NumOp::I32LtU => I32Cmp::LtU,
            NumOp::I32GtS => I32Cmp::GtS,
            NumOp::I32GtU => I32Cmp::GtU,
            NumOp::I32LeS => I32Cmp::LeS,
            NumOp::I32LeU => I32Cmp::LeU,
            NumOp::I32GeS => I32Cmp::GeS,
            NumOp::I32GeU => I32Cmp::GeU,
            _ => return None,
        })
    }

    /// The comparison that holds exactly when this one does not.
    pub fn inverse(self) -> I32Cmp {
        use I32Cmp::*;
        match self {
            Eq => Ne,
            Ne => Eq,
            LtS => GeS,
            LtU => GeU,
            GtS => LeS,
            GtU => LeU,
            LeS => GtS,
            LeU => GtU,
            GeS => LtS,
            GeU => LtU,
        }
    }

    /// Evaluates the comparison.
    #[inline(always)]
    pub fn holds(self, a: u32, b: u32) -> bool {
        use I32Cmp::*;
        match self {
            Eq => a == b,
            Ne => a != b,
            LtS => (a as i32) < (b as i32),
            LtU => a < b,
            GtS => (a as i32) > (b as i32),
            GtU => a > b,
            LeS => (a as i32) <= (b as i32),
            LeU => a <= b,
            GeS => (a as i32) >= (b as i32),
            GeU => a >= b,
        }
    }
}

macro_rules! define_op {
    ($($variant:ident $code:literal $name:literal $feat:ident [$($p:ident)*] $r:ident,)*) => {
        /// One internal instruction.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum Op {
            Unreachable,
            /// Charge this much fuel, trapping if the store has less (see [`crate::fuel`]).
            Fuel(u32),
            /// Jump to a pc; the stack is already at the target's height.
            Jump(u32),
            /// Branch that moves the kept operands (see [`BranchTarget`]).
            Branch(BranchTarget),
            /// Pop an i32; jump if it is non-zero (no operands to move).
            JumpIf(u32),
            /// Pop an i32; if non-zero, branch moving operands.
            BranchIf(BranchTarget),
            /// Pop an i32; jump if it is zero (the `if` of an if/else).
            JumpIfZero(u32),
            /// Pop an i32 index into the function's branch table `targets[start..start+len]`;
            /// the last entry is the default.
            BranchTable { start: u32, len: u32 },
            /// Return from the function with its results on top of the stack.
            Return,
            /// Call a function by index in the module's function space.
            Call(u32),
            /// Call through a table, checking the signature against a type index.
            CallIndirect { type_index: u32, table: u32 },
            Drop,
            Select,
            LocalGet(u32),
            LocalSet(u32),
            LocalTee(u32),
            GlobalGet(u32),
            GlobalSet(u32),
            Const(u64),
            RefNull,
            RefIsNull,
            RefFunc(u32),
            TableGet(u32),
            TableSet(u32),
            TableSize(u32),
            TableGrow(u32),
            TableFill(u32),
            TableCopy { dst: u32, src: u32 },
            TableInit { elem: u32, table: u32 },
            ElemDrop(u32),
            Load(LoadOp, u32),
            Store(StoreOp, u32),
            MemorySize,
            MemoryGrow,
            MemoryFill,
            MemoryCopy,
            MemoryInit(u32),
            DataDrop(u32),
            // Superinstructions made by the translator's peephole pass (see `fuse.rs`);
            // never emitted for debugged code, where every wasm instruction is its own op.
            /// `local.get a; local.get b`.
            LocalGet2(u32, u32),
            /// `local.get a; local.set b`.
            LocalCopy { from: u32, to: u32 },
            /// `t.const c; local.set x`.
            LocalSetConst { local: u32, value: u64 },
            /// `local.get x; i32.const c; i32.add; local.set x` (also with `i32.sub`).
            LocalI32AddImm { local: u32, imm: u32 },
            /// `local.get x; t.load offset`.
            LoadLocal(LoadOp, u32, u32),
            /// `i32.const c; i32.add` (and `i32.sub` with `-c`).
            I32AddImm(u32),
            I32AndImm(u32),
            I32ShlImm(u32),
            I32ShrUImm(u32),
            I32ShrSImm(u32),
            I32MulImm(u32),
            /// `i64.const c; i64.add` (and `i64.sub` with `-c`).
            I64AddImm(u64),
            /// Compare the top two i32s and jump if the comparison holds (`i32.lt_s; br_if`,
            /// or the inverted comparison of an `if`), popping both.
            JumpIfI32(I32Cmp, u32),
            /// Compare the top i32 with a constant and jump if it holds, popping it.
            JumpIfI32Imm(I32Cmp, u32, u32),
            $($variant,)*
        }

        impl Op {
            /// The op for a numeric operator.
            pub fn numeric(op: NumOp) -> Op {
                match op {
                    $(NumOp::$variant => Op::$variant,)*
                }
            }
        }
    };
}

crate::for_each_numeric_op!(define_op);

#[cfg(test)]
mod tests {
    #[test]
    fn ops_stay_small() {
        assert!(std::mem::size_of::<super::Op>() <= 16);
    }
}
