# The catching half of throw.c, in LLVM's WebAssembly assembly (C cannot catch a wasm
# exception; clang builds this file with -mexception-handling, final exnref encoding).
#
# Tags (defined here; a tag can only be defined in assembly):
#   __cpp_exception (i32)  the tag clang's __builtin_wasm_throw(0, ptr) throws (tag index
#                          0 is C++'s), so throw.c throws it from C; payload: a pointer.
#   throw_other_tag (i32)  a second tag, thrown only by throw_other below, which no
#                          __cpp_exception handler matches.
#
# Every handler saves the shadow stack pointer (__stack_pointer) on entry and restores it
# when it catches: the C frames that were unwound never popped their stack frames.
#
# C signatures (typedef void (*thunk)(void *)):
#   int  try_call(thunk fn, void *arg, void **caught)
#        catch __cpp_exception: 0 if fn returned, else 1 with the payload in *caught.
#   int  try_call_other(thunk fn, void *arg, void **caught)
#        the same for throw_other_tag only (a __cpp_exception passes through).
#   int  try_call_all(thunk fn, void *arg)
#        catch_all: 0 if fn returned, 1 if it threw anything.
#   int  classify(thunk fn, void *arg, void **caught)
#        one try_table, three clauses: 0 returned, 1 throw_other_tag, 2 __cpp_exception
#        (payload in *caught), 3 anything else (catch_all).
#   void call_rethrow(thunk fn, void *arg, int *seen)
#        catch_all_ref: ++*seen, then throw_ref the same exception to an outer handler.
#   void call_rethrow_ref(thunk fn, void *arg, void **seen)
#        catch_ref __cpp_exception: *seen = payload, then throw_ref it onwards.
#   _Noreturn void throw_other(void *payload)
#        throw throw_other_tag.

	.globaltype	__stack_pointer, i32

	.globl	__cpp_exception
	.tagtype	__cpp_exception i32
__cpp_exception:

	.globl	throw_other_tag
	.tagtype	throw_other_tag i32
throw_other_tag:

	.section	.text.try_call,"",@
	.globl	try_call
	.type	try_call,@function
try_call:
	.functype	try_call (i32, i32, i32) -> (i32)
	.local	i32, i32
	global.get	__stack_pointer
	local.set	3
	block	i32
	try_table	(catch __cpp_exception 0)
	local.get	1
	local.get	0
	call_indirect	(i32) -> ()
	end_try_table
	i32.const	0
	return
	end_block
	local.set	4
	local.get	3
	global.set	__stack_pointer
	local.get	2
	local.get	4
	i32.store	0
	i32.const	1
	end_function

	.section	.text.try_call_other,"",@
	.globl	try_call_other
	.type	try_call_other,@function
try_call_other:
	.functype	try_call_other (i32, i32, i32) -> (i32)
	.local	i32, i32
	global.get	__stack_pointer
	local.set	3
	block	i32
	try_table	(catch throw_other_tag 0)
	local.get	1
	local.get	0
	call_indirect	(i32) -> ()
	end_try_table
	i32.const	0
	return
	end_block
	local.set	4
	local.get	3
	global.set	__stack_pointer
	local.get	2
	local.get	4
	i32.store	0
	i32.const	1
	end_function

	.section	.text.try_call_all,"",@
	.globl	try_call_all
	.type	try_call_all,@function
try_call_all:
	.functype	try_call_all (i32, i32) -> (i32)
	.local	i32
	global.get	__stack_pointer
	local.set	2
	block
	try_table	(catch_all 0)
	local.get	1
	local.get	0
	call_indirect	(i32) -> ()
	end_try_table
	i32.const	0
	return
	end_block
	local.get	2
	global.set	__stack_pointer
	i32.const	1
	end_function

	.section	.text.classify,"",@
	.globl	classify
	.type	classify,@function
classify:
	.functype	classify (i32, i32, i32) -> (i32)
	.local	i32, i32
	global.get	__stack_pointer
	local.set	3
	block
	block	i32
	block	i32
	try_table	(catch throw_other_tag 0) (catch __cpp_exception 1) (catch_all 2)
	local.get	1
	local.get	0
	call_indirect	(i32) -> ()
	end_try_table
	i32.const	0
	return
	end_block
	# throw_other_tag: its payload is dropped
	drop
	local.get	3
	global.set	__stack_pointer
	i32.const	1
	return
	end_block
	# __cpp_exception: the payload goes to *caught
	local.set	4
	local.get	3
	global.set	__stack_pointer
	local.get	2
	local.get	4
	i32.store	0
	i32.const	2
	return
	end_block
	# anything else
	local.get	3
	global.set	__stack_pointer
	i32.const	3
	end_function

	.section	.text.call_rethrow,"",@
	.globl	call_rethrow
	.type	call_rethrow,@function
call_rethrow:
	.functype	call_rethrow (i32, i32, i32) -> ()
	.local	i32
	global.get	__stack_pointer
	local.set	3
	block	exnref
	try_table	(catch_all_ref 0)
	local.get	1
	local.get	0
	call_indirect	(i32) -> ()
	end_try_table
	return
	end_block
	local.get	3
	global.set	__stack_pointer
	local.get	2
	local.get	2
	i32.load	0
	i32.const	1
	i32.add
	i32.store	0
	throw_ref
	end_function

	.section	.text.call_rethrow_ref,"",@
	.globl	call_rethrow_ref
	.type	call_rethrow_ref,@function
call_rethrow_ref:
	.functype	call_rethrow_ref (i32, i32, i32) -> ()
	.local	i32, exnref, i32
	global.get	__stack_pointer
	local.set	3
	block	() -> (i32, exnref)
	try_table	(catch_ref __cpp_exception 0)
	local.get	1
	local.get	0
	call_indirect	(i32) -> ()
	end_try_table
	return
	end_block
	local.set	4
	local.set	5
	local.get	3
	global.set	__stack_pointer
	local.get	2
	local.get	5
	i32.store	0
	local.get	4
	throw_ref
	end_function

	.section	.text.throw_other,"",@
	.globl	throw_other
	.type	throw_other,@function
throw_other:
	.functype	throw_other (i32) -> ()
	local.get	0
	throw	throw_other_tag
	end_function
