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

macro_rules! define_op {
    ($($variant:ident $code:literal $name:literal $feat:ident [$($p:ident)*] $r:ident,)*) => {
        /// One internal instruction.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum Op {
            Unreachable,
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
