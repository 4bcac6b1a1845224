//! The JIT's GC roots, at compile time: which Cranelift values hold references that may
//! be heap objects (see `runtime::gc`), declared to Cranelift so that at every call it
//! keeps them in stack slots listed in the call's stack map (`user_stack_maps` of the
//! compiled code, kept per code memory in `code::StackMapTable`). At run time the
//! collector walks JIT frames by frame pointer and reads those slots
//! (`libcalls::jit_roots`): the roots are exact, no conservative scan.
//!
//! Locals are typed by their declarations. Operand-stack values get their types from the
//! validator, fed the body instruction by instruction alongside the translation
//! ([`crate::valid::OperandTypes`]): after each instruction the translator's stack and
//! the validator's operand types line up, bottom first, and every value of a type in the
//! `any` or `extern` hierarchy is declared. A value that lives only inside one
//! instruction's translation never spans a call that can collect, except the operands of
//! an allocation, which the allocating libcall roots itself (`gc::operand_roots`).
//!
//! Modules that cannot hold an object anywhere (no struct or array type, no reference of
//! those hierarchies in a function type, table or global) skip all of this.

use super::{JitError, Translator, err};
use crate::runtime::gc::val_holds_objects;
use crate::syntax::{self, CompositeType, ValType};

/// Whether any value of `module` may be a heap object: then its functions need stack maps.
pub(crate) fn may_hold_objects(module: &syntax::Module) -> bool {
    let holds = |t: &ValType| val_holds_objects(module.canon_val(*t));
    module.types.iter().any(|st| match &st.composite {
        CompositeType::Func(f) => f.params.iter().chain(f.results.iter()).any(holds),
        CompositeType::Struct(_) | CompositeType::Array(_) => true,
    }) || module.table_types().iter().any(|t| holds(&ValType::Ref(t.elem)))
        || module.global_types().iter().any(|g| holds(&g.content))
}

impl Translator<'_, '_> {
    /// Whether values of (module) type `t` need to be in stack maps.
    pub(super) fn holds_objects(&self, t: ValType) -> bool {
        self.env.holds_objects && val_holds_objects(self.module.canon_val(t))
    }

    /// After an instruction: declares the operand-stack values whose types (`types`,
    /// the validator's, bottom first) may hold objects. Nothing to do in unreachable
    /// code, whose values never run.
    pub(super) fn declare_operand_roots(&mut self, types: &[Option<ValType>]) -> Result<(), JitError> {
        if !self.reachable {
            return Ok(());
        }
        if types.len() != self.stack.len() {
            return Err(err(format!(
                "internal error: {} operands on the stack where the validator has {}",
                self.stack.len(),
                types.len()
            )));
        }
        for (v, t) in self.stack.iter().zip(types) {
            if let Some(t) = t
                && val_holds_objects(self.module.canon_val(*t))
            {
                self.b.declare_value_needs_stack_map(*v);
            }
        }
        Ok(())
    }
}
