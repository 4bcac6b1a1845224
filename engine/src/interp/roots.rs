//! The interpreter's GC roots (see `runtime::gc`): the slots of every frame of the
//! running activation that hold references which may be heap objects. Locals are typed
//! by the function's parameters and declared locals; operands by the validator's operand
//! types before the frame's instruction (the allocating instruction for the innermost
//! frame, the call for the others), which the translator has put in their own slots
//! (`Op::Gc` of an allocating instruction and calls materialise every operand first).
//!
//! An activation that calls a host function is suspended meanwhile: it registers its
//! parts in the store ([`Suspended`]) so that a collection in wasm the host calls (on
//! either tier) finds its frames. With the JIT's activations (their frames walked by
//! stack maps, `jit::frame_roots`) that is every wasm frame there is, so a collection
//! can run at any allocation ([`collect`]).

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

/// An interpreter activation suspended in a host call: the parts of its [`Activation`]
/// at the call, as raw pointers, registered in the store (`Store::suspended`) while the
/// host runs. Its value stack is given up to the call's arguments only (the host holds
/// those; references among them are pinned when they become `Val`s).
pub(crate) struct Suspended {
    stack: *const u64,
    stack_len: usize,
    frames: *const Frame,
    num_frames: usize,
    code: *const CompiledFunc,
    pc: usize,
    fp: usize,
    inst: u32,
    func: u32,
}

impl Suspended {
    pub(crate) fn new(a: &Activation<'_>) -> Suspended {
        Suspended {
            stack: a.stack.as_ptr(),
            stack_len: a.stack.len(),
            frames: a.frames.as_ptr(),
            num_frames: a.frames.len(),
            code: a.code,
            pc: a.pc,
            fp: a.fp,
            inst: a.inst,
            func: a.func,
        }
    }

    /// The activation again.
    ///
    /// # Safety
    /// The activation must still be suspended in the host call it registered for: its
    /// stack below the call's arguments, its frames and its code are live and unchanged
    /// (the interpreter pops the record before it touches them again).
    // SAFETY (for callers): see `# Safety` above.
    unsafe fn activation(&self) -> Activation<'_> {
        // SAFETY: per the contract, the parts are live and nothing writes them meanwhile.
        unsafe {
            Activation {
                stack: std::slice::from_raw_parts(self.stack, self.stack_len),
                frames: std::slice::from_raw_parts(self.frames, self.num_frames),
                code: &*self.code,
                pc: self.pc,
                fp: self.fp,
                inst: self.inst,
                func: self.func,
            }
        }
    }
}

/// Runs a collection if the heap wants one. Its roots: `extra` (e.g. an allocating
/// instruction's operands), the running interpreter activation `current` (if the
/// interpreter is collecting), every suspended interpreter activation, every JIT
/// activation's frames, and the store's own roots.
pub(crate) fn collect(store: &mut Store, current: Option<&Activation<'_>>, mut extra: Vec<u64>) {
    if !store.gc.wants_collection() {
        return;
    }
    if let Some(a) = current {
        frame_roots(store, a, &mut extra);
    }
    for s in &store.suspended {
        // SAFETY: records are popped before their activation resumes (see `Suspended`).
        let a = unsafe { s.activation() };
        frame_roots(store, &a, &mut extra);
    }
    // SAFETY: wasm code runs only in the running activation, in suspended interpreter
    // activations (above) and in JIT activations; each of these is in a libcall JIT code
    // calls through a recording stub (the only ones that reach the interpreter, a host
    // function or an allocation), or this is the JIT's own allocation libcall.
    unsafe { crate::jit::frame_roots(store, &mut extra) };
    crate::runtime::gc::store_roots(store, &mut extra);
    store.gc.collect(extra);
}
