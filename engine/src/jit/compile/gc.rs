//! Translation of the GC instructions (the `0xFB` prefix, see `syntax/gc.rs`), with the
//! semantics of `runtime::gc::exec`, which the interpreter runs.
//!
//! References are `i64`s holding the slot encoding of `runtime::gc` (null 0, an `i31`
//! `v << 1 | 1`, an object its address). Field and element accesses, `array.len`, the
//! `i31` instructions and the `any`/`extern` conversions are inline code: a null check
//! (a `trapz` with the instruction's trap code), for arrays a bounds check against the
//! length in the header, and a load or store at the offset of the type's
//! [`crate::syntax::canon::Layout`]. Everything else (allocation, the bulk array
//! operations, `ref.test`, `ref.cast`) goes through [`libcalls::gc`] with the operands in
//! a values area, and `br_on_cast`/`br_on_cast_fail` test through [`libcalls::gc_test`]
//! then branch. Each such instruction's resolved [`GcOp`] is boxed, its address embedded
//! in the code, and the box kept with the code ([`Translator::gc_ops`]).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, BlockArg, InstBuilder, MemFlagsData, Value, types};

use super::{
    JitError, TRAP_ARRAY_OUT_OF_BOUNDS, TRAP_NULL_ARRAY, TRAP_NULL_I31, TRAP_NULL_STRUCT, Translator, err, ir_type,
    load_slots, slot_offsets, store_slots,
};
use crate::jit::libcalls;
use crate::runtime::gc::GcOp;
use crate::syntax::canon::{ARRAY_DATA_OFFSET, ARRAY_LEN_OFFSET, TypeInfo};
use crate::syntax::{CompositeType, Extend, FieldType, GcInstr, StorageType, ValType};

/// Flags of an access to a GC object: never traps (the null and bounds checks come
/// first); aligned except a `v128`, which the layout aligns to 8 bytes only.
fn object_flags(storage: StorageType) -> MemFlagsData {
    if storage == StorageType::Val(ValType::V128) { MemFlagsData::new().with_notrap() } else { MemFlagsData::trusted() }
}

/// The wasm type a Cranelift value of type `t` carries (a reference is an `i64`).
fn val_type(t: ir::Type) -> Result<ValType, JitError> {
    Ok(match t {
        types::I32 => ValType::I32,
        types::I64 => ValType::I64,
        types::F32 => ValType::F32,
        types::F64 => ValType::F64,
        types::I8X16 => ValType::V128,
        _ => return Err(err(format!("unexpected value type {t} for a GC operand"))),
    })
}

fn struct_fields(info: Option<&'static TypeInfo>) -> Result<(&'static TypeInfo, &'static [FieldType]), JitError> {
    match info {
        Some(i) => match &i.ty.composite {
            CompositeType::Struct(f) => Ok((i, f)),
            _ => Err(err("struct instruction on a non-struct type")),
        },
        None => Err(err("GC instruction without its type")),
    }
}

fn array_elem(info: Option<&'static TypeInfo>) -> Result<(&'static TypeInfo, FieldType), JitError> {
    match info {
        Some(i) => match &i.ty.composite {
            CompositeType::Array(f) => Ok((i, *f)),
            _ => Err(err("array instruction on a non-array type")),
        },
        None => Err(err("GC instruction without its type")),
    }
}

fn offset32(x: u64) -> Result<i32, JitError> {
    i32::try_from(x).map_err(|_| err("GC field offset too large"))
}

impl Translator<'_, '_> {
    /// Translates GC instruction `g`.
    pub(super) fn gc(&mut self, g: &GcInstr) -> Result<(), JitError> {
        use GcInstr as G;
        let op = GcOp::resolve(g, &self.module.canonical);
        match *g {
            G::StructGet { field, extend, .. } => {
                let (info, fields) = struct_fields(op.ty)?;
                let f = fields.get(field as usize).ok_or_else(|| err("unknown field"))?;
                let off = *info.layout.fields.get(field as usize).ok_or_else(|| err("unknown field"))?;
                let r = self.pop()?;
                self.b.ins().trapz(r, TRAP_NULL_STRUCT);
                let v = self.load_field(r, offset32(u64::from(off))?, f.storage, extend)?;
                self.stack.push(v);
            }
            G::StructSet { field, .. } => {
                let (info, fields) = struct_fields(op.ty)?;
                let f = fields.get(field as usize).ok_or_else(|| err("unknown field"))?;
                let off = *info.layout.fields.get(field as usize).ok_or_else(|| err("unknown field"))?;
                let v = self.pop()?;
                let r = self.pop()?;
                self.b.ins().trapz(r, TRAP_NULL_STRUCT);
                self.store_field(r, offset32(u64::from(off))?, f.storage, v);
            }
            G::ArrayGet { extend, .. } => {
                let (info, e) = array_elem(op.ty)?;
                let i = self.pop()?;
                let r = self.pop()?;
                let at = self.element_address(r, i, info.layout.elem_size);
                let v = self.load_field(at, offset32(u64::from(ARRAY_DATA_OFFSET))?, e.storage, extend)?;
                self.stack.push(v);
            }
            G::ArraySet(_) => {
                let (info, e) = array_elem(op.ty)?;
                let v = self.pop()?;
                let i = self.pop()?;
                let r = self.pop()?;
                let at = self.element_address(r, i, info.layout.elem_size);
                self.store_field(at, offset32(u64::from(ARRAY_DATA_OFFSET))?, e.storage, v);
            }
            G::ArrayLen => {
                let r = self.pop()?;
                self.b.ins().trapz(r, TRAP_NULL_ARRAY);
                let len = self.b.ins().load(types::I32, MemFlagsData::trusted(), r, ARRAY_LEN_OFFSET as i32);
                self.stack.push(len);
            }
            G::RefI31 => {
                let x = self.pop()?;
                let low = self.b.ins().band_imm_u(x, 0x7fff_ffff);
                let wide = self.b.ins().uextend(types::I64, low);
                let shifted = self.b.ins().ishl_imm_u(wide, 1);
                let r = self.b.ins().bor_imm_u(shifted, 1);
                self.stack.push(r);
            }
            G::I31Get(extend) => {
                let r = self.pop()?;
                self.b.ins().trapz(r, TRAP_NULL_I31);
                // The low 32 bits are `v << 1 | 1` for the 31-bit value `v`.
                let low = self.b.ins().ireduce(types::I32, r);
                let v = if extend == Extend::Signed {
                    self.b.ins().sshr_imm_u(low, 1)
                } else {
                    self.b.ins().ushr_imm_u(low, 1)
                };
                self.stack.push(v);
            }
            G::AnyConvertExtern | G::ExternConvertAny => {}
            G::BrOnCast { label, .. } | G::BrOnCastFail { label, .. } => {
                if op.cast.is_none() {
                    return Err(err("a cast without its type"));
                }
                // The reference stays on the stack, for the branch and for the way on.
                let r = *self.stack.last().ok_or_else(|| err("value stack underflow"))?;
                let (dest, args) = self.branch_target(label)?;
                let op = self.gc_op_address(op);
                let sig = match self.sig_gc_test {
                    Some(s) => s,
                    None => {
                        let s = self.libcall_sig(&[types::I64, types::I64, types::I64]);
                        self.sig_gc_test = Some(s);
                        s
                    }
                };
                let f = self.b.ins().iconst(self.env.ptr, libcalls::gc_test as *const () as usize as i64);
                let call = self.b.ins().call_indirect(sig, f, &[self.vmctx, op, r]);
                let passed = self.b.inst_results(call)[0];
                let next = self.b.create_block();
                let args: Vec<BlockArg> = args.iter().map(|v| BlockArg::from(*v)).collect();
                if matches!(g, G::BrOnCast { .. }) {
                    self.b.ins().brif(passed, dest, &args, next, &[]);
                } else {
                    self.b.ins().brif(passed, next, &[], dest, &args);
                }
                self.b.seal_block(next);
                self.b.switch_to_block(next);
            }
            _ => self.gc_libcall(op)?,
        }
        Ok(())
    }

    /// The address of element `i` (an `i32`) of array `r` minus [`ARRAY_DATA_OFFSET`],
    /// after trapping if `r` is null or `i` is not below its length.
    fn element_address(&mut self, r: Value, i: Value, elem_size: u32) -> Value {
        self.b.ins().trapz(r, TRAP_NULL_ARRAY);
        let len = self.b.ins().load(types::I32, MemFlagsData::trusted(), r, ARRAY_LEN_OFFSET as i32);
        let out = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, i, len);
        self.b.ins().trapnz(out, TRAP_ARRAY_OUT_OF_BOUNDS);
        let wide = self.b.ins().uextend(types::I64, i);
        let scaled = self.b.ins().imul_imm_u(wide, i64::from(elem_size));
        self.b.ins().iadd(r, scaled)
    }

    /// Loads a field of `storage` at `addr + offset`, a packed one extended to an `i32`
    /// as `extend` says (zero-extended unless signed, as `runtime::gc::read`).
    fn load_field(
        &mut self,
        addr: Value,
        offset: i32,
        storage: StorageType,
        extend: Extend,
    ) -> Result<Value, JitError> {
        let flags = object_flags(storage);
        let signed = extend == Extend::Signed;
        Ok(match storage {
            StorageType::I8 if signed => self.b.ins().sload8(types::I32, flags, addr, offset),
            StorageType::I8 => self.b.ins().uload8(types::I32, flags, addr, offset),
            StorageType::I16 if signed => self.b.ins().sload16(types::I32, flags, addr, offset),
            StorageType::I16 => self.b.ins().uload16(types::I32, flags, addr, offset),
            StorageType::Val(t) => self.b.ins().load(ir_type(t)?, flags, addr, offset),
        })
    }

    /// Stores `v` to a field of `storage` at `addr + offset` (a packed one truncated).
    fn store_field(&mut self, addr: Value, offset: i32, storage: StorageType, v: Value) {
        let flags = object_flags(storage);
        match storage {
            StorageType::I8 => self.b.ins().istore8(flags, v, addr, offset),
            StorageType::I16 => self.b.ins().istore16(flags, v, addr, offset),
            StorageType::Val(_) => self.b.ins().store(flags, v, addr, offset),
        };
    }

    /// Keeps `op` with the code and returns its address, as a constant.
    fn gc_op_address(&mut self, op: GcOp) -> Value {
        let boxed = Box::new(op);
        let addr = &*boxed as *const GcOp as usize as i64;
        self.gc_ops.push(boxed);
        self.b.ins().iconst(types::I64, addr)
    }

    /// `op` through [`libcalls::gc`]: its operands (how many, the instruction says) stored
    /// in a values area, its result (if any) loaded from the area's start.
    fn gc_libcall(&mut self, op: GcOp) -> Result<(), JitError> {
        let (operands, result) = self.gc_arity(&op)?;
        let args = self.popn(operands)?;
        let types: Vec<ValType> =
            args.iter().map(|a| val_type(self.b.func.dfg.value_type(*a))).collect::<Result<_, _>>()?;
        let slots = (ValType::slots_of(&types) as usize).max(result.map_or(0, |t| t.slots() as usize)).max(1);
        let area = self.values_slot(slots);
        for ((a, t), at) in args.iter().zip(&types).zip(slot_offsets(&types)) {
            store_slots(&mut self.b, *a, *t, area, at);
        }
        let op = self.gc_op_address(op);
        let sig = match self.sig_gc {
            Some(s) => s,
            None => {
                let s = self.libcall_sig(&[types::I64, types::I64, types::I64, types::I64]);
                self.sig_gc = Some(s);
                s
            }
        };
        let f = self.b.ins().iconst(self.env.ptr, libcalls::gc_stub as *const () as usize as i64);
        let len = self.b.ins().iconst(types::I64, slots as i64);
        self.call_libcall(sig, f, &[self.vmctx, op, area, len]);
        if let Some(t) = result {
            let v = load_slots(&mut self.b, t, area, 0);
            self.stack.push(v);
        }
        Ok(())
    }

    /// How many operands an instruction of the libcall path takes (values, not slots),
    /// and its result type.
    fn gc_arity(&self, op: &GcOp) -> Result<(usize, Option<ValType>), JitError> {
        use GcInstr as G;
        let any = Some(ValType::I64);
        Ok(match op.instr {
            G::StructNew(_) => (struct_fields(op.ty)?.1.len(), any),
            G::StructNewDefault(_) => (0, any),
            G::ArrayNew(_) => (2, any),
            G::ArrayNewDefault(_) => (1, any),
            G::ArrayNewFixed { len, .. } => (len as usize, any),
            G::ArrayNewData { .. } | G::ArrayNewElem { .. } => (2, any),
            G::ArrayFill(_) => (4, None),
            G::ArrayCopy { .. } => (5, None),
            G::ArrayInitData { .. } | G::ArrayInitElem { .. } => (4, None),
            G::RefTest(_) => (1, Some(ValType::I32)),
            G::RefCast(_) => (1, any),
            G::StructGet { .. }
            | G::StructSet { .. }
            | G::ArrayGet { .. }
            | G::ArraySet(_)
            | G::ArrayLen
            | G::RefI31
            | G::I31Get(_)
            | G::AnyConvertExtern
            | G::ExternConvertAny
            | G::BrOnCast { .. }
            | G::BrOnCastFail { .. } => return Err(err("a GC instruction compiled inline reached the libcall path")),
        })
    }
}
