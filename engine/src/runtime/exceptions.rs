//! Tags and exceptions (WebAssembly 3.0 exception handling, spec §4.2.10 "Tag Instances",
//! §4.2.11 "Exception Instances"): the store's tag and exception objects and their
//! handles, [`Tag`] and [`Exn`].
//!
//! An exception is allocated by `throw` (or by the host, [`Exn::new`]) and named by an
//! `exnref` (slot encoding: address + 1, 0 for null). Both tiers unwind with the
//! exception's address; an exception that leaves every wasm frame reaches the embedder as
//! a [`Trap`] of code [`TrapCode::UncaughtException`] carrying it ([`Trap::exception`]),
//! and a host function throws one by returning such a trap ([`Trap::throw`]).
//!
//! Reclamation: an exception that was never named by an `exnref` (only `catch` and
//! `catch_all` saw it) is freed when such a clause catches it, and its address reused, so
//! a loop of throw and catch runs in constant memory. One that escaped into an `exnref`
//! (`catch_ref`, `catch_all_ref`, the embedder) lives as long as the store: there is no
//! garbage collector yet.

use crate::error::{Error, Trap, TrapCode};
use crate::syntax::FuncType;

use super::Val;
use super::store::Store;

/// A tag address: the identity exceptions are matched by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag(pub(crate) u32);

/// An exception address (what a non-null `exnref` refers to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Exn(pub(crate) u32);

/// A tag instance: its type (parameters = the payload, no results).
pub(crate) struct TagInst {
    /// The type, in canonical form.
    pub ty: FuncType,
    /// The type's canonical id (tag types match exactly, by id).
    pub type_id: crate::syntax::canon::CanonId,
    /// Where the tag was defined: (instance address, tag index), `None` for a host tag.
    pub owner: Option<(u32, u32)>,
}

/// An exception instance: its tag and its payload in the slot encoding.
pub(crate) struct ExnInst {
    pub tag: u32,
    pub payload: Box<[u64]>,
    /// Whether an `exnref` to it may exist (then it is never freed).
    pub escaped: bool,
}

impl Tag {
    /// A new host tag whose exceptions carry values of `params` (the type must have no
    /// results).
    pub fn new(store: &mut Store, ty: FuncType) -> Result<Tag, Error> {
        if !ty.results.is_empty() {
            return Err(Error::Usage(format!("a tag's type has no results, not {ty}")));
        }
        let type_id = crate::syntax::canon::of_func(&ty);
        Ok(store.push_tag(TagInst { ty, type_id, owner: None }))
    }

    /// The tag's type (`None` if the tag is not in this store).
    pub fn ty<'a>(&self, store: &'a Store) -> Option<&'a FuncType> {
        store.tags.get(self.0 as usize).map(|t| &t.ty)
    }
}

impl Exn {
    /// A new exception of `tag` carrying `payload`, which must match the tag's parameters:
    /// what a host function throws with [`Trap::throw`].
    pub fn new(store: &mut Store, tag: Tag, payload: &[Val]) -> Result<Exn, Error> {
        let ty = tag.ty(store).ok_or_else(|| Error::Usage("tag not in this store".into()))?;
        if ty.params.len() != payload.len() || ty.params.iter().zip(payload).any(|(t, v)| v.ty() != *t) {
            return Err(Error::Usage(format!("payload does not match the tag's type {ty}")));
        }
        let slots = Val::to_slot_vec(payload);
        let exn = store.alloc_exn(tag.0, slots.into_boxed_slice());
        store.exns[exn as usize].escaped = true;
        Ok(Exn(exn))
    }

    /// The exception's tag.
    pub fn tag(&self, store: &Store) -> Option<Tag> {
        store.exns.get(self.0 as usize).map(|e| Tag(e.tag))
    }

    /// The exception for messages: `tag "e" with payload [i32:42]` (the tag by an export
    /// name of it, else by the instance and index that define it).
    pub fn describe(&self, store: &Store) -> String {
        let Some(tag) = self.tag(store) else { return "an exception not in this store".to_string() };
        let payload: Vec<String> = self.payload(store).iter().map(|v| format!("{}:{v}", v.ty())).collect();
        format!("{} with payload [{}]", store.describe_tag(tag.0), payload.join(", "))
    }

    /// The exception's payload values (empty if it is not in this store).
    pub fn payload(&self, store: &Store) -> Vec<Val> {
        let Some(e) = store.exns.get(self.0 as usize) else { return Vec::new() };
        match store.tags.get(e.tag as usize) {
            Some(t) => Val::from_slot_vec(&t.ty.params, &e.payload),
            None => Vec::new(),
        }
    }
}

impl Trap {
    /// The trap that throws `exn`: returned by a host function, it unwinds to the nearest
    /// wasm handler of the exception's tag (or on to the embedder).
    pub fn throw(exn: Exn) -> Trap {
        let mut t = Trap::new(TrapCode::UncaughtException);
        t.exception = Some(exn);
        t
    }
}

impl Store {
    pub(crate) fn push_tag(&mut self, tag: TagInst) -> Tag {
        self.tags.push(tag);
        Tag(self.tags.len() as u32 - 1)
    }

    /// Allocates an exception (reusing a freed address if there is one).
    pub(crate) fn alloc_exn(&mut self, tag: u32, payload: Box<[u64]>) -> u32 {
        let inst = ExnInst { tag, payload, escaped: false };
        match self.free_exns.pop() {
            Some(a) => {
                self.exns[a as usize] = inst;
                a
            }
            None => {
                self.exns.push(inst);
                self.exns.len() as u32 - 1
            }
        }
    }

    /// How many exceptions are allocated and not freed (for tests: a loop of throw and
    /// `catch` must not grow it).
    #[doc(hidden)]
    pub fn live_exceptions(&self) -> usize {
        self.exns.len() - self.free_exns.len()
    }

    /// Marks exception `exn` as named by an `exnref` (it will never be freed).
    pub(crate) fn escape_exn(&mut self, exn: u32) {
        if let Some(e) = self.exns.get_mut(exn as usize) {
            e.escaped = true;
        }
    }

    /// Frees exception `exn` if no `exnref` can name it (a `catch`/`catch_all` caught it).
    pub(crate) fn release_exn(&mut self, exn: u32) {
        if let Some(e) = self.exns.get_mut(exn as usize)
            && !e.escaped
        {
            e.payload = Box::new([]);
            self.free_exns.push(exn);
        }
    }

    /// The store tag address of tag `index` of instance `inst`.
    pub(crate) fn instance_tag(&self, inst: u32, index: u32) -> Option<u32> {
        self.instances.get(inst as usize)?.tags.get(index as usize).copied()
    }

    /// A description of tag `tag` for messages: an export name of it if some instance
    /// exports it, else the instance and index defining it.
    pub(crate) fn describe_tag(&self, tag: u32) -> String {
        for inst in &self.instances {
            for e in inst.module.exports() {
                if e.kind == crate::syntax::ExternKind::Tag
                    && inst.exports.get(&e.name) == Some(&super::Extern::Tag(Tag(tag)))
                {
                    return format!("tag \"{}\"", e.name);
                }
            }
        }
        match self.tags.get(tag as usize).and_then(|t| t.owner) {
            Some((inst, index)) => format!("tag {index} of instance {inst}"),
            None => format!("host tag {tag}"),
        }
    }

    /// Fills in the message of a trap carrying an uncaught exception: the tag and the
    /// payload, which the store knows and the trap's `Display` cannot reach.
    pub(crate) fn describe_uncaught(&mut self, trap: &mut Trap) {
        let Some(exn) = trap.exception else { return };
        self.escape_exn(exn.0);
        trap.message = Some(exn.describe(self));
    }
}
