//! The interpreter's GC roots (see `runtime::gc`): the slots of every frame of the
//! running activation that hold references which may be heap objects. Locals are typed
//! by the function's parameters and declared locals; operands by the validator's operand
//! types before the frame's instruction (the allocating instruction for the innermost
//! frame, the call for the others), which the translator has put in their own slots
//! (`Op::Gc` of an allocating instruction and calls materialise every operand first).

use std::collections::HashMap;

use super::context::Frame;
use crate::runtime::Store;
use crate::runtime::gc::val_holds_objects;
use crate::translate::CompiledFunc;

/// One frame: its code, the wasm offset of its current instruction, its base, where its
/// operand area ends (`None`: the innermost frame, whose operands are all there), its
/// instance and function.
struct FrameAt<'a> {
    code: &'a CompiledFunc,
    offset: u32,
    fp: usize,
    end: Option<usize>,
    instance: u32,
    func: u32,
}

/// The interpreter's activation at a safepoint: its value stack, its callers' frames
/// (outermost first), and the innermost frame's code, pc, base, instance and function.
pub(crate) struct Activation<'a> {
    pub stack: &'a [u64],
    pub frames: &'a [Frame],
    pub code: &'a CompiledFunc,
    pub pc: usize,
    pub fp: usize,
    pub inst: u32,
    pub func: u32,
}

/// Appends the reference slots of the activation's frames to `out`.
pub(crate) fn frame_roots(store: &Store, a: &Activation<'_>, out: &mut Vec<u64>) {
    let Activation { stack, frames, code, pc, fp, inst, func } = *a;
    let mut all: Vec<FrameAt<'_>> = Vec::with_capacity(frames.len() + 1);
    for (k, f) in frames.iter().enumerate() {
        let end = frames.get(k + 1).map_or(fp, |inner| inner.fp);
        all.push(FrameAt {
            code: f.code(),
            offset: f.code().offset_of(f.pc().saturating_sub(1)),
            fp: f.fp,
            end: Some(end),
            instance: f.instance,
            func: f.func,
        });
    }
    all.push(FrameAt { code, offset: code.offset_of(pc), fp, end: None, instance: inst, func });
    // One validation context per instance.
    let mut contexts: HashMap<u32, crate::valid::Context<'_>> = HashMap::new();
    let features = store.engine.config().features;
    for f in &all {
        let Some(instance) = store.instances.get(f.instance as usize) else { continue };
        let syntax = instance.module.syntax();
        let Some(def) = (f.func as usize).checked_sub(syntax.num_imported_funcs() as usize) else { continue };
        let (Some(body), Some(&type_index)) = (syntax.code.get(def), syntax.funcs.get(def)) else { continue };
        let Some(ft) = syntax.func_type(type_index) else { continue };
        // Locals: parameters, then declared locals, each in its slots.
        let mut at = f.fp;
        for t in ft.params.iter().chain(body.locals.iter()) {
            let t = syntax.canon_val(*t);
            if val_holds_objects(t)
                && let Some(v) = stack.get(at)
            {
                out.push(*v);
            }
            at += t.slots() as usize;
        }
        // Operands, from the first operand slot (after the locals and constants).
        let operands = f.fp + f.code.num_locals as usize + f.code.consts.len();
        let ctx = contexts.entry(f.instance).or_insert_with(|| crate::valid::Context::new(syntax, &features));
        let Some(types) = crate::valid::operand_types_at(ctx, type_index, body, f.offset) else { continue };
        let mut at = operands;
        for t in types {
            let Some(t) = t else { break };
            let t = syntax.canon_val(t);
            if f.end.is_some_and(|end| at + t.slots() as usize > end) {
                break;
            }
            if val_holds_objects(t)
                && let Some(v) = stack.get(at)
            {
                out.push(*v);
            }
            at += t.slots() as usize;
        }
    }
}

/// Runs a collection if the heap wants one and the interpreter's activation is the only
/// one (its frames are then all the frames).
pub(crate) fn maybe_collect(store: &mut Store, a: &Activation<'_>) {
    if !store.gc.wants_collection() || store.reentries != 1 || store.gc.native_depth != 0 {
        return;
    }
    let mut roots = Vec::new();
    frame_roots(store, a, &mut roots);
    crate::runtime::gc::store_roots(store, &mut roots);
    store.gc.collect(roots);
}
