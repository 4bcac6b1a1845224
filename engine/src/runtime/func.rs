//! Functions as the embedding sees them: calling wasm or host functions with [`Val`]s
//! (untyped) or Rust types (typed), and defining host functions (spec §4.5.3.1, §4.5.5).

use std::marker::PhantomData;
use std::rc::Rc;

use crate::error::{Error, Trap};
use crate::syntax::{FuncType, ValType};

use super::Val;
use super::store::{Func, FuncInst, HostFn, Instance, Memory, Store};

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
        store.push_func(FuncInst::Host { ty: Rc::new(ty), f: Rc::new(f) })
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
        check_args(&ty, args)?;
        let slots: Vec<u64> = args.iter().map(|a| a.to_slot()).collect();
        let results = crate::interp::call(store, self.0, &slots)?;
        Ok(ty.results.iter().zip(results).map(|(t, s)| Val::from_slot(*t, s)).collect())
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
        check_args(&ty, args)?;
        let slots: Vec<u64> = args.iter().map(|a| a.to_slot()).collect();
        let results = crate::interp::call_debug(store, self.0, &slots, hook)?;
        Ok(ty.results.iter().zip(results).map(|(t, s)| Val::from_slot(*t, s)).collect())
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

fn check_args(ty: &FuncType, args: &[Val]) -> Result<(), Error> {
    if args.len() != ty.params.len() {
        return Err(Error::Usage(format!("function {ty} expects {} arguments, got {}", ty.params.len(), args.len())));
    }
    for (i, (a, t)) in args.iter().zip(ty.params.iter()).enumerate() {
        if a.ty() != *t {
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
}

macro_rules! wasm_ty {
    ($t:ty, $vt:ident, $to:expr, $from:pat => $out:expr) => {
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
        }
    };
}
wasm_ty!(i32, I32, Val::I32, Val::I32(v) => v);
wasm_ty!(i64, I64, Val::I64, Val::I64(v) => v);
wasm_ty!(f32, F32, Val::from, Val::F32(v) => f32::from_bits(v));
wasm_ty!(f64, F64, Val::from, Val::F64(v) => f64::from_bits(v));

/// Parameters of a typed call: `()`, one [`WasmTy`] or a tuple of them.
pub trait WasmParams {
    fn types() -> Vec<ValType>;
    fn into_vals(self) -> Vec<Val>;
}
/// Results of a typed call: `()`, one [`WasmTy`] or a tuple of them.
pub trait WasmResults: Sized {
    fn types() -> Vec<ValType>;
    fn from_vals(v: &[Val]) -> Option<Self>;
}

impl<T: WasmTy> WasmParams for T {
    fn types() -> Vec<ValType> {
        vec![T::TYPE]
    }
    fn into_vals(self) -> Vec<Val> {
        vec![self.into_val()]
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
