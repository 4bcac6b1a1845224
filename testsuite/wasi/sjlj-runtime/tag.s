# The `__c_longjmp` exception tag that clang's wasm SjLj lowering catches and
# __wasm_longjmp (rt.c) throws: one i32 parameter, the address of the
# { env, value } payload. A tag can only be defined in assembly; the linker
# makes it the module's tag that both sides refer to.
	.globl	__c_longjmp
	.tagtype	__c_longjmp i32
__c_longjmp:
