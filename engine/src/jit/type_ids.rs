//! Canonical ids of function types, for `call_indirect`'s signature check in JIT code: two
//! types have the same id exactly when they are equal (WebAssembly 2.0 function types are
//! equal when their parameters and results are; spec §4.4.9 "call_indirect"). One table
//! for the process, so ids agree across modules, engines and stores.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::syntax::FuncType;

/// The id of `ty` (the same for equal types, different for different ones).
pub(crate) fn of(ty: &FuncType) -> u64 {
    static IDS: OnceLock<Mutex<HashMap<FuncType, u64>>> = OnceLock::new();
    let ids = IDS.get_or_init(|| Mutex::new(HashMap::new()));
    // A poisoned lock only means another thread panicked while inserting; the map is
    // still consistent (insertion is the only mutation), so keep using it.
    let mut map = ids.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let next = map.len() as u64;
    *map.entry(ty.clone()).or_insert(next)
}
