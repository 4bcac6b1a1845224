//! The interpreter's internal instruction form: a register machine over frame slots.
//!
//! A frame is a run of 64-bit slots: the locals (parameters first), then one slot per
//! operand-stack height. Every op names its operands and its destination as slot numbers
//! relative to the frame base, so `local.get` costs nothing (an operand simply names the
//! local's slot), `local.set` usually costs nothing (the producing op writes the local
//! directly) and constants are folded into `...Imm` forms where it pays. Every op is at
//! most 16 bytes, and every branch carries its resolved target, so the dispatch loop never
//! decodes LEB128 or searches for an `end`. Numeric operators are generated from the one
//! instruction table in `syntax::instr` ([`crate::for_each_numeric_op!`]).

use crate::syntax::{LoadOp, NumOp, SimdOp, StoreOp, WideOp};

/// A slot number, relative to the frame base.
pub type Slot = u32;

/// Operands of a unary operator: `d = op(a)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Un {
    pub d: Slot,
    pub a: Slot,
}

/// Operands of a binary operator: `d = op(a, b)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bin {
    pub d: Slot,
    pub a: Slot,
    pub b: Slot,
}

/// A branch that moves values: the `keep` slots from `from` are copied to `height`
/// before jumping to `pc` (all relative to the frame base).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BranchTarget {
    pub pc: u32,
    pub height: u32,
    pub keep: u32,
    pub from: u32,
}

/// The integer comparisons that fuse with a following branch (of i32 or i64 operands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntCmp {
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
    /// `a & b` is not zero (an `and` tested by a branch).
    AndNonZero,
    /// `a & b` is zero.
    AndZero,
}

impl IntCmp {
    /// Every comparison, each at the index of its discriminant (`ALL[c as usize] == c`):
    /// handlers take a comparison as a const parameter of that number.
    pub const ALL: [IntCmp; 12] = {
        use IntCmp::*;
        [Eq, Ne, LtS, LtU, GtS, GtU, LeS, LeU, GeS, GeU, AndNonZero, AndZero]
    };

    /// The comparison with its operands exchanged (`a < b` is `b > a`).
    pub fn swapped(self) -> IntCmp {
        use IntCmp::*;
        match self {
            Eq => Eq,
            Ne => Ne,
            LtS => GtS,
            LtU => GtU,
            GtS => LtS,
            GtU => LtU,
            LeS => GeS,
            LeU => GeU,
            GeS => LeS,
            GeU => LeU,
            AndNonZero => AndNonZero,
            AndZero => AndZero,
        }
    }

    /// The comparison of a numeric operator and whether its operands are i64, if it is
    /// an integer comparison of two operands.
    pub fn of_wide(op: NumOp) -> Option<(IntCmp, bool)> {
        Some(match op {
            NumOp::I64Eq => (IntCmp::Eq, true),
            NumOp::I64Ne => (IntCmp::Ne, true),
            NumOp::I64LtS => (IntCmp::LtS, true),
            NumOp::I64LtU => (IntCmp::LtU, true),
            NumOp::I64GtS => (IntCmp::GtS, true),
            NumOp::I64GtU => (IntCmp::GtU, true),
            NumOp::I64LeS => (IntCmp::LeS, true),
            NumOp::I64LeU => (IntCmp::LeU, true),
            NumOp::I64GeS => (IntCmp::GeS, true),
            NumOp::I64GeU => (IntCmp::GeU, true),
            _ => (IntCmp::of(op)?, false),
        })
    }

    /// The comparison of a numeric operator, if it is an i32 comparison.
    pub fn of(op: NumOp) -> Option<IntCmp> {
        Some(match op {
            NumOp::I32Eq => IntCmp::Eq,
            NumOp::I32Ne => IntCmp::Ne,
            NumOp::I32LtS => IntCmp::LtS,
            NumOp::I32LtU => IntCmp::LtU,
            NumOp::I32GtS => IntCmp::GtS,
            NumOp::I32GtU => IntCmp::GtU,
            NumOp::I32LeS => IntCmp::LeS,
            NumOp::I32LeU => IntCmp::LeU,
            NumOp::I32GeS => IntCmp::GeS,
            NumOp::I32GeU => IntCmp::GeU,
            _ => return None,
        })
    }

    /// The comparison that holds exactly when this one does not.
    pub fn inverse(self) -> IntCmp {
        use IntCmp::*;
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
            AndNonZero => AndZero,
            AndZero => AndNonZero,
        }
    }

    /// Evaluates the comparison of i64 operands.
    #[inline(always)]
    pub fn holds_wide(self, a: u64, b: u64) -> bool {
        self.compare((a, b), (a as i64, b as i64), a & b)
    }

    /// Evaluates the comparison of i32 operands.
    #[inline(always)]
    pub fn holds(self, a: u32, b: u32) -> bool {
        self.compare((a, b), (a as i32, b as i32), a as u64 & b as u64)
    }

    /// The comparison of two operands given as unsigned and as signed values, and
    /// their `and`.
    #[inline(always)]
    fn compare<U: Ord, S: Ord>(self, (a, b): (U, U), (sa, sb): (S, S), and: u64) -> bool {
        use IntCmp::*;
        match self {
            Eq => a == b,
            Ne => a != b,
            LtS => sa < sb,
            LtU => a < b,
            GtS => sa > sb,
            GtU => a > b,
            LeS => sa <= sb,
            LeU => a <= b,
            GeS => sa >= sb,
            GeU => a >= b,
            AndNonZero => and != 0,
            AndZero => and == 0,
        }
    }
}

/// The operand form of a numeric operator with these parameters.
macro_rules! operands {
    ([$p:ident]) => {
        Un
    };
    ([$p:ident $q:ident]) => {
        Bin
    };
}

macro_rules! define_op {
    ($($variant:ident $code:literal $name:literal $feat:ident [$($p:ident)*] $r:ident,)*) => {
        /// One internal instruction.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum Op {
            Unreachable,
            /// Does nothing (stands for `drop` in debug translations, where every wasm
            /// instruction that executes must be an op the debugger can stop at).
            Nop,
            /// Charge this much fuel, trapping if the store has less (see [`crate::fuel`]).
            Fuel(u32),
            /// `d = s`.
            Copy { d: Slot, s: Slot },
            /// `d = value`.
            Const { d: Slot, value: u64 },
            /// Jump to a pc.
            Jump(u32),
            /// Jump if slot `c` (an i32) is non-zero.
            JumpIf { c: Slot, pc: u32 },
            /// Jump if slot `c` (an i32) is zero.
            JumpIfZero { c: Slot, pc: u32 },
            /// Jump if the comparison of slots `a` and `b` holds.
            JumpIfI32 { cmp: IntCmp, a: Slot, b: Slot, pc: u32 },
            /// Jump if the comparison of slot `a` with a constant holds.
            JumpIfI32Imm { cmp: IntCmp, a: Slot, imm: u32, pc: u32 },
            /// Jump if the comparison of slots `a` and `b` (i64 values) holds.
            JumpIfI64 { cmp: IntCmp, a: Slot, b: Slot, pc: u32 },
            /// Branch moving values: `targets[i]` of the function's branch table.
            Branch(u32),
            /// If slot `c` is non-zero, branch moving values: `targets[i]`.
            BranchIf { c: Slot, target: u32 },
            /// `br_on_null` (`on_null`) / `br_on_non_null`: if the reference in slot `s`
            /// is (not) null, branch moving values: `targets[target]`.
            BranchOnNull { s: Slot, target: u32, on_null: bool },
            /// `br_on_cast` (`fail` false) / `br_on_cast_fail`: if the reference in slot
            /// `s` is (not) of the target type of GC instruction `cast`
            /// ([`crate::translate::CompiledFunc::gc`]), branch moving values:
            /// `targets[target]`.
            BranchOnCast { s: Slot, cast: u32, target: u32, fail: bool },
            /// GC instruction `op` ([`crate::translate::CompiledFunc::gc`]): its operands
            /// are the slots from `base`, its result goes there.
            Gc { op: u32, base: Slot },
            /// Index in slot `c` selects one of `targets[start..start + len]`; the last entry
            /// is the default.
            BranchTable { c: Slot, start: u32, len: u32 },
            /// Return the function's results, which are in the slots from `from`.
            Return { from: Slot },
            /// Call function `func` of the module; its arguments are the slots from `base`,
            /// which becomes its frame base (its results land there).
            Call { func: u32, base: Slot },
            /// Call through `table`: the arguments are the slots from `base`, the element
            /// index is the slot after them.
            CallIndirect { type_index: u32, table: u32, base: Slot },
            /// Tail call of function `func` of the module: its arguments are the slots
            /// from `base`, which move down to the current frame's base; the callee then
            /// replaces the current function in that frame (and returns to its caller).
            ReturnCall { func: u32, base: Slot },
            /// Tail call through `table`: the arguments are the slots from `base`, the
            /// element index is the slot after them (as [`Op::CallIndirect`]).
            ReturnCallIndirect { type_index: u32, table: u32, base: Slot },
            /// `call_ref`: the arguments are the slots from `base`, the function reference
            /// the slot after them (traps on null; its type is right by validation).
            CallRef { params: u32, base: Slot },
            /// `return_call_ref`: `call_ref` in place of the current function.
            ReturnCallRef { params: u32, base: Slot },
            /// `throw tag`: throws an exception of the module's tag `tag` whose payload is
            /// the slots from `base`.
            Throw { tag: u32, base: Slot },
            /// `throw_ref`: throws the exception the `exnref` in slot `s` names again
            /// (traps on null).
            ThrowRef { s: Slot },
            /// `d = c != 0 ? a : b`.
            Select { d: Slot, a: Slot, b: Slot, c: Slot },
            GlobalGet { d: Slot, global: u32 },
            GlobalSet { s: Slot, global: u32 },
            RefNull { d: Slot },
            RefIsNull(Un),
            /// `ref.as_non_null`: `d = a`, trapping if it is null.
            RefAsNonNull(Un),
            /// `ref.eq`: `d = a == b`.
            RefEq(Bin),
            RefFunc { d: Slot, func: u32 },
            // Table, bulk and `memory.grow` ops are rare: their operands are always in the
            // consecutive slots from `base` (in wasm operand order); a result goes to `base`.
            TableGet { table: u32, base: Slot },
            TableSet { table: u32, base: Slot },
            TableSize { table: u32, d: Slot },
            TableGrow { table: u32, base: Slot },
            TableFill { table: u32, base: Slot },
            TableCopy { dst: u32, src: u32, base: Slot },
            TableInit { elem: u32, table: u32, base: Slot },
            ElemDrop(u32),
            /// `d = load(addr + offset)`.
            Load { kind: LoadOp, d: Slot, addr: Slot, offset: u32 },
            /// `store(addr + offset, v)`.
            Store { kind: StoreOp, addr: Slot, v: Slot, offset: u32 },
            /// `d = load((a + imm) mod 2^32)`: an `i32.add` of a constant fused with the
            /// load of offset 0 that takes its result as the address.
            LoadAddImm { kind: LoadOp, d: Slot, a: Slot, imm: u32 },
            /// `store((a + imm) mod 2^32, v)`: as [`Op::LoadAddImm`], for a store.
            StoreAddImm { kind: StoreOp, a: Slot, v: Slot, imm: u32 },
            /// `d = load((a + (i << shift) mod 2^32) + offset)`, `shift` at most 3: an
            /// address computed by `i32.add` (of a shifted index: `I32ShlAdd`, or of two
            /// slots, shift 0) fused with the load that takes it.
            LoadIndexed { kind: LoadOp, shift: u8, d: Slot, a: Slot, i: Slot, offset: u32 },
            /// `store((a + (i << shift) mod 2^32) + offset, v)`: as [`Op::LoadIndexed`], for a
            /// store.
            StoreIndexed { kind: StoreOp, shift: u8, a: Slot, i: Slot, v: Slot, offset: u32 },
            MemorySize { mem: u32, d: Slot },
            MemoryGrow { mem: u32, base: Slot },
            MemoryFill { mem: u32, base: Slot },
            MemoryCopy { dst: u32, src: u32, base: Slot },
            MemoryInit { data: u32, mem: u32, base: Slot },
            /// `d = load(addr + offset)` in memory `mem` when that is not a 32-bit memory
            /// 0 (whose accesses are [`Op::Load`]): the address is of the memory's
            /// type, and `addr + offset` may not wrap (an overflow is out of bounds).
            LoadMem { kind: LoadOp, d: Slot, addr: Slot, mem: u32, offset: u64 },
            /// `store(addr + offset, v)` in memory `mem`: as [`Op::LoadMem`].
            StoreMem { kind: StoreOp, addr: Slot, v: Slot, mem: u32, offset: u64 },
            /// A SIMD load or store (lane forms included) in memory `mem` when that is
            /// not a 32-bit memory 0: its operands (the address, then a `v128` if it has
            /// one) in the consecutive slots from `base`, a loaded `v128` to `base`.
            SimdMemAt { op: SimdOp, lane: u8, base: Slot, mem: u32, offset: u64 },
            DataDrop(u32),
            /// `d = a + imm` (also `i32.sub` with the negated constant).
            I32AddImm { d: Slot, a: Slot, imm: u32 },
            /// `d = a + (b << shift) mod 2^32`: an `i32.shl` of a constant whose result only
            /// an `i32.add` reads (array indexing).
            I32ShlAdd { d: Slot, a: Slot, b: Slot, shift: u8 },
            /// `d = a + imm` for i64 (the constant sign-extended from 32 bits).
            I64AddImm { d: Slot, a: Slot, imm: i32 },
            // SIMD (the table is `syntax::simd`). A `v128` operand or result is the two
            // slots from the one named (low half first).
            /// A SIMD operator that does not access memory: `d = op(a, b, c)` with the
            /// operator's signature (unused operands are 0); `c` is the lane index of a
            /// lane operator and the lane-index vector of `i8x16.shuffle`.
            Simd { op: SimdOp, d: Slot, a: Slot, b: Slot, c: Slot },
            /// A `v128` load of any form but the lane loads: `d = load(addr + offset)`.
            SimdLoad { op: SimdOp, d: Slot, addr: Slot, offset: u32 },
            /// `v128.store`: `store(addr + offset, v)`.
            SimdStore { addr: Slot, v: Slot, offset: u32 },
            /// `v128.loadN_lane`: `d = v` with lane `lane` loaded from `addr + offset`.
            SimdLoadLane { op: SimdOp, lane: u8, d: Slot, addr: Slot, v: Slot, offset: u32 },
            /// `v128.storeN_lane`: stores lane `lane` of `v` at `addr + offset`.
            SimdStoreLane { op: SimdOp, lane: u8, addr: Slot, v: Slot, offset: u32 },
            /// `d = s` for a `v128` (both slots, in one access).
            CopyV128 { d: Slot, s: Slot },
            /// `d = c != 0 ? a : b` for `v128` operands.
            SelectV128 { d: Slot, a: Slot, b: Slot, c: Slot },
            /// `global.get` of a `v128` global (two slots from `d`).
            GlobalGetV128 { d: Slot, global: u32 },
            /// `global.set` of a `v128` global (two slots from `s`).
            GlobalSetV128 { s: Slot, global: u32 },
            /// A wide-arithmetic operator: its operands are the consecutive slots from
            /// `base` (wasm order), its result's low and high halves go to `base` and
            /// `base + 1`.
            Wide { op: WideOp, base: Slot },
            $($variant(operands!([$($p)*])),)*
        }

        impl Op {
            /// The op of a unary numeric operator.
            pub fn unary(op: NumOp, un: Un) -> Option<Op> {
                $(define_op!(@un op un $variant [$($p)*]);)*
                None
            }

            /// The op of a binary numeric operator.
            pub fn binary(op: NumOp, bin: Bin) -> Option<Op> {
                $(define_op!(@bin op bin $variant [$($p)*]);)*
                None
            }
        }
    };
    (@un $op:ident $x:ident $variant:ident [$p:ident]) => {
        if $op == NumOp::$variant {
            return Some(Op::$variant($x));
        }
    };
    (@un $op:ident $x:ident $variant:ident [$p:ident $q:ident]) => {};
    (@bin $op:ident $x:ident $variant:ident [$p:ident]) => {};
    (@bin $op:ident $x:ident $variant:ident [$p:ident $q:ident]) => {
        if $op == NumOp::$variant {
            return Some(Op::$variant($x));
        }
    };
}

crate::for_each_numeric_op!(define_op);

#[cfg(test)]
mod tests {
    /// Ops live only while a function is translated (and, for the few the interpreter's
    /// loop executes, in `CompiledFunc::slow`): the threaded instruction is the form kept.
    /// An indexed access with a static offset has six operands, so 24 bytes.
    #[test]
    fn ops_stay_small() {
        assert!(std::mem::size_of::<super::Op>() <= 24, "{}", std::mem::size_of::<super::Op>());
    }
}
