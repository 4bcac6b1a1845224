//! Functions as the embedding sees them: calling wasm or host functions with [`Val`]s
//! (untyped) or Rust types (typed), and defining host functions (spec §4.5.3.1, §4.5.5).

use std::marker::PhantomData;
use std::rc::Rc;

use crate::error::{Error, Trap};
use crate::syntax::{FuncType, ValType};

use super::store::{Func, FuncInst, HostCode, HostFn, Instance, Memory, SlotFn, SlotHost, Store};
use super::{AnyRef, ExternRef, Val};

/// A shared host function.
pub type HostFnRef = Rc<HostFn>;

/// What a host function sees of its caller: the store (and through it memories, globals,
/// and the ability to call back into wasm).
pub struct Caller<'a> {
    store: &'a mut Store,
    instance: Option<Instance>,
}

impl<'a> Caller<'a> {
    pub(crate) fn new(store: &'a mut Store, instance: Option<Instance>) -> Caller<'a> {
        Caller { store, instance }
    }

    /// The wasm instance whose code made this call (`None` when the host called the
    /// function directly through [`Func::call`]).
    pub fn instance(&self) -> Option<Instance> {
        self.instance
    }

    /// An export of the calling instance, e.g. its `"memory"` (WASI's convention).
    pub fn get_export(&self, name: &str) -> Option<super::Extern> {
        self.instance?.export(self.store, name)
    }

    /// The store, for calling functions or reading any object.
    pub fn store(&mut self) -> &mut Store {
        self.store
    }

    /// The bytes of a memory.
    pub fn memory_data(&mut self, memory: Memory) -> Option<&mut [u8]> {
        self.store.memories.get_mut(memory.0 as usize).map(|m| &mut m.data[..])
    }
}

impl Func {
    /// Defines a host function of type `ty` that returns its results in a `Vec` (one
    /// allocation per call; [`Func::new_host_slices`] has none).
    pub fn new_host(
        store: &mut Store,
        ty: FuncType,
        f: impl Fn(&mut Caller<'_>, &[Val]) -> Result<Vec<Val>, Trap> + 'static,
    ) -> Func {
        Func::new_host_slices(store, ty, move |caller, args, results| {
            let values = f(caller, args)?;
            if values.len() != results.len() {
                return Err(Trap::host(format!(
                    "host function returned {} value(s), its type has {}",
                    values.len(),
                    results.len()
                )));
            }
            results.copy_from_slice(&values);
            Ok(())
        })
    }

    /// Defines a host function of type `ty` that writes its results into `results` (as
    /// many as `ty` has, each preset to its type's zero), so that a call from either tier
    /// allocates nothing. A result of the wrong type traps.
    pub fn new_host_slices(
        store: &mut Store,
        ty: FuncType,
        f: impl Fn(&mut Caller<'_>, &[Val], &mut [Val]) -> Result<(), Trap> + 'static,
    ) -> Func {
        let type_id = crate::syntax::canon::of_func(&ty);
        store.push_func(FuncInst::Host { ty: Rc::new(ty), type_id, f: HostCode::Vals(Rc::new(f)) })
    }

    /// Defines a host function from a typed closure: its wasm type comes from `P` and
    /// `R` (a [`WasmTy`] or a tuple of them), e.g.
    /// `Func::wrap(&mut store, |_, x: i64| Ok::<i64, Trap>(x + 1))`. Both tiers call it on
    /// raw value slots, with no conversion or type check per call (JIT code calls it
    /// without going through the store's function table).
    pub fn wrap<P: WasmParams, R: WasmResults>(
        store: &mut Store,
        f: impl Fn(&mut Caller<'_>, P) -> Result<R, Trap> + 'static,
    ) -> Func {
        let ty = FuncType::new(P::types(), R::types());
        let area = ValType::slots_of(&ty.params).max(ValType::slots_of(&ty.results)) as usize;
        // Reference arguments the host may keep are pinned; reference results must be of
        // this store (a `Func` or object of another would be out of its tables).
        let (params, results) = (reference_slots(&ty.params), reference_slots(&ty.results));
        let f: Box<SlotFn> = if params.is_empty() && results.is_empty() {
            // Numbers only: nothing to pin or check.
            Box::new(move |caller: &mut Caller<'_>, slots: &mut [u64]| {
                let r = f(caller, P::from_slots(slots))?;
                r.into_slots(slots);
                Ok(())
            })
        } else {
            Box::new(move |caller: &mut Caller<'_>, slots: &mut [u64]| {
                for &(i, _) in &params {
                    caller.store.gc.pin(slot(slots, i));
                }
                let r = f(caller, P::from_slots(slots))?;
                r.into_slots(slots);
                for &(i, is_func) in &results {
                    let s = slot(slots, i);
                    let ok = if is_func {
                        s.checked_sub(1).is_none_or(|a| (a as usize) < caller.store.funcs.len())
                    } else {
                        caller.store.gc.is_valid_ref(s)
                    };
                    if !ok {
                        return Err(Trap::host(format!(
                            "host function returned a reference that is not live in this store (result slot {i})"
                        )));
                    }
                }
                Ok(())
            })
        };
        let host = SlotHost { area, f };
        let type_id = crate::syntax::canon::of_func(&ty);
        store.push_func(FuncInst::Host { ty: Rc::new(ty), type_id, f: HostCode::Slots(Rc::new(host)) })
    }

    /// The function's type.
    pub fn ty(&self, store: &Store) -> FuncType {
        store.funcs.get(self.0 as usize).map(|f| f.ty().clone()).unwrap_or_default()
    }

    /// Calls the function with dynamically typed arguments.
    pub fn call(&self, store: &mut Store, args: &[Val]) -> Result<Vec<Val>, Error> {
        let ty = match store.funcs.get(self.0 as usize) {
            Some(f) => f.ty().clone(),
            None => return Err(Error::Usage("function does not belong to this store".into())),
        };
        check_args(store, &ty, args)?;
        let slots = Val::to_slot_vec(args);
        let results = crate::interp::call(store, self.0, &slots)?;
        let vals = Val::from_slot_vec(&ty.results, &results);
        store.pin_vals(&vals);
        Ok(vals)
    }

    /// Calls the function on the interpreter with a debugger's hook attached (see
    /// [`crate::debug`]), whatever the engine's tier.
    pub fn call_debug(
        &self,
        store: &mut Store,
        args: &[Val],
        hook: &mut dyn crate::debug::DebugHook,
    ) -> Result<Vec<Val>, Error> {
        let ty = match store.funcs.get(self.0 as usize) {
            Some(f) => f.ty().clone(),
            None => return Err(Error::Usage("function does not belong to this store".into())),
        };
        check_args(store, &ty, args)?;
        let slots = Val::to_slot_vec(args);
        let results = crate::interp::call_debug(store, self.0, &slots, hook)?;
        let vals = Val::from_slot_vec(&ty.results, &results);
        store.pin_vals(&vals);
        Ok(vals)
    }

    /// A statically typed view of the function; fails if the types don't match.
    pub fn typed<P: WasmParams, R: WasmResults>(&self, store: &Store) -> Result<TypedFunc<P, R>, Error> {
        let ty = self.ty(store);
        if *ty.params != *P::types() || *ty.results != *R::types() {
            return Err(Error::Usage(format!("function type {ty} does not match the requested Rust types")));
        }
        Ok(TypedFunc { func: *self, _marker: PhantomData })
    }
}

/// The slots of `types` (each one slot: references never are `v128`s) that hold
/// references: (slot, whether a function reference).
fn reference_slots(types: &[ValType]) -> Vec<(usize, bool)> {
    let mut out = Vec::new();
    let mut at = 0usize;
    for t in types {
        if let ValType::Ref(r) = t {
            match r.heap.canonical_top() {
                crate::syntax::HeapType::Func => out.push((at, true)),
                crate::syntax::HeapType::Any | crate::syntax::HeapType::Extern => out.push((at, false)),
                _ => {}
            }
        }
        at += t.slots() as usize;
    }
    out
}

fn check_args(store: &Store, ty: &FuncType, args: &[Val]) -> Result<(), Error> {
    if args.len() != ty.params.len() {
        return Err(Error::Usage(format!("function {ty} expects {} arguments, got {}", ty.params.len(), args.len())));
    }
    for (i, (a, t)) in args.iter().zip(ty.params.iter()).enumerate() {
        if !a.matches(store, *t) {
            return Err(Error::Usage(format!("argument {i} of function {ty} must be {t}, got {}", a.ty())));
        }
    }
    Ok(())
}

/// A Rust type that is one wasm value.
pub trait WasmTy: Sized {
    const TYPE: ValType;
    fn into_val(self) -> Val;
    fn from_val(v: Val) -> Option<Self>;
    /// The value in a slot (the low bits of a u64, as both tiers keep values).
    fn from_slot(s: u64) -> Self;
    fn into_slot(self) -> u64;
}

macro_rules! wasm_ty {
    ($t:ty, $vt:ident, $to:expr, $from:pat => $out:expr, |$s:ident| $from_slot:expr, |$v:ident| $to_slot:expr) => {
        impl WasmTy for $t {
            const TYPE: ValType = ValType::$vt;
            fn into_val(self) -> Val {
                $to(self)
            }
            fn from_val(v: Val) -> Option<Self> {
                match v {
                    $from => Some($out),
                    _ => None,
                }
            }
            fn from_slot($s: u64) -> Self {
                $from_slot
            }
            fn into_slot(self) -> u64 {
                let $v = self;
                $to_slot
            }
        }
    };
}
wasm_ty!(i32, I32, Val::I32, Val::I32(v) => v, |s| s as u32 as i32, |v| v as u32 as u64);
wasm_ty!(i64, I64, Val::I64, Val::I64(v) => v, |s| s as i64, |v| v as u64);
wasm_ty!(f32, F32, Val::from, Val::F32(v) => f32::from_bits(v), |s| f32::from_bits(s as u32), |v| v.to_bits() as u64);
wasm_ty!(f64, F64, Val::from, Val::F64(v) => f64::from_bits(v), |s| f64::from_bits(s), |v| v.to_bits());
wasm_ty!(Option<AnyRef>, ANYREF, Val::AnyRef, Val::AnyRef(v) => v,
    |s| (s != 0).then(|| AnyRef::from_bits(s)), |v| v.map_or(0, |a| a.bits()));
wasm_ty!(Option<ExternRef>, EXTERNREF, Val::ExternRef, Val::ExternRef(v) => v,
    |s| (s != 0).then(|| ExternRef::from_bits(s)), |v| v.map_or(0, |e| e.internalize().bits()));
wasm_ty!(Option<Func>, FUNCREF, Val::FuncRef, Val::FuncRef(v) => v,
    |s| s.checked_sub(1).map(|a| Func(a as u32)), |v| v.map_or(0, |f| u64::from(f.0) + 1));

/// Parameters of a typed call: `()`, one [`WasmTy`] or a tuple of them.
pub trait WasmParams {
    fn types() -> Vec<ValType>;
    fn into_vals(self) -> Vec<Val>;
    /// The values in the first slots (a missing slot reads as 0).
    fn from_slots(slots: &[u64]) -> Self;
}
/// Results of a typed call: `()`, one [`WasmTy`] or a tuple of them.
pub trait WasmResults: Sized {
    fn types() -> Vec<ValType>;
    fn from_vals(v: &[Val]) -> Option<Self>;
    /// Writes the values into the first slots (as many as there are).
    fn into_slots(self, slots: &mut [u64]);
}

fn slot(slots: &[u64], i: usize) -> u64 {
    slots.get(i).copied().unwrap_or(0)
}

fn set_slot(slots: &mut [u64], i: usize, v: u64) {
    if let Some(s) = slots.get_mut(i) {
        *s = v;
    }
}

impl<T: WasmTy> WasmParams for T {
    fn types() -> Vec<ValType> {
        vec![T::TYPE]
    }
    fn into_vals(self) -> Vec<Val> {
        vec![self.into_val()]
    }
    fn from_slots(slots: &[u64]) -> Self {
        T::from_slot(slot(slots, 0))
    }
}
impl<T: WasmTy> WasmResults for T {
    fn types() -> Vec<ValType> {
        vec![T::TYPE]
    }
    fn from_vals(v: &[Val]) -> Option<Self> {
        match v {
            [x] => T::from_val(*x),
            _ => None,
        }
    }
    fn into_slots(self, slots: &mut [u64]) {
        set_slot(slots, 0, self.into_slot());
    }
}

macro_rules! wasm_tuple {
    ($($n:tt $t:ident),*) => {
        impl<$($t: WasmTy),*> WasmParams for ($($t,)*) {
            fn types() -> Vec<ValType> {
                vec![$($t::TYPE),*]
            }
            #[allow(clippy::unused_unit, reason = "the empty tuple")]
            fn into_vals(self) -> Vec<Val> {
                vec![$(self.$n.into_val()),*]
            }
            #[allow(clippy::unused_unit, unused_variables, reason = "the empty tuple")]
            fn from_slots(slots: &[u64]) -> Self {
                ($($t::from_slot(slot(slots, $n)),)*)
            }
        }
        impl<$($t: WasmTy),*> WasmResults for ($($t,)*) {
            fn types() -> Vec<ValType> {
                vec![$($t::TYPE),*]
            }
            #[allow(unused_mut, unused_variables, reason = "the empty tuple")]
            fn from_vals(v: &[Val]) -> Option<Self> {
                let mut it = v.iter();
                let r = ($($t::from_val(*it.next()?)?,)*);
                if it.next().is_some() { None } else { Some(r) }
            }
            #[allow(unused_variables, reason = "the empty tuple")]
            fn into_slots(self, slots: &mut [u64]) {
                $(set_slot(slots, $n, self.$n.into_slot());)*
            }
        }
    };
}
wasm_tuple!();
wasm_tuple!(0 A, 1 B);
wasm_tuple!(0 A, 1 B, 2 C);
wasm_tuple!(0 A, 1 B, 2 C, 3 D);

/// A function whose type was checked against Rust types `P -> R`.
#[derive(Debug)]
pub struct TypedFunc<P, R> {
    func: Func,
    _marker: PhantomData<fn(P) -> R>,
}

impl<P: WasmParams, R: WasmResults> TypedFunc<P, R> {
    /// Calls the function.
    pub fn call(&self, store: &mut Store, params: P) -> Result<R, Error> {
        let results = self.func.call(store, &params.into_vals())?;
        R::from_vals(&results).ok_or_else(|| Error::Usage("result types changed".into()))
    }
}
