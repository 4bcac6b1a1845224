/* The setjmp/longjmp runtime that clang's wasm SjLj lowering (-mllvm -wasm-enable-sjlj)
 * calls, written for wasmscope's fixtures because Debian's wasi-libc does not have it.
 *
 * What the lowered code expects (read off clang 22's output for sjlj.c):
 *
 *   void __wasm_setjmp(void *env, unsigned label, void *id)
 *       at each `setjmp(env)`: record that setjmp number `label` (1, 2, ... within the
 *       calling function) of the function invocation `id` (the address of a stack slot
 *       of that invocation) owns `env`. setjmp's first return of 0 is the compiler's.
 *
 *   unsigned __wasm_setjmp_test(void *env, void *id)
 *       in a function's __c_longjmp handler: the `label` to resume at if `env` was
 *       registered by this very invocation, else 0 (the handler then passes the longjmp
 *       on by calling __wasm_longjmp again).
 *
 *   _Noreturn void __wasm_longjmp(void *env, int value)
 *       at each `longjmp(env, value)`: throw the `__c_longjmp` tag (tag.s) with one i32,
 *       a pointer to { env, value } (the handler loads env at +0, value at +4 and makes
 *       setjmp return that value, so value 0 is turned into 1 here, as C requires).
 *
 * The payload lives inside the jmp_buf (setjmp.h), so a longjmp allocates nothing and
 * the pointer stays valid while the frames between are unwound. */
#include "setjmp.h"

void __wasm_setjmp(void *env, unsigned label, void *id) {
    struct wasmscope_jmp_buf *buf = env;
    buf->id = id;
    buf->label = label;
}

unsigned __wasm_setjmp_test(void *env, void *id) {
    struct wasmscope_jmp_buf *buf = env;
    return buf->id == id ? buf->label : 0;
}

_Noreturn void __wasm_longjmp(void *env, int value) {
    struct wasmscope_jmp_buf *buf = env;
    buf->payload.env = env;
    buf->payload.value = value == 0 ? 1 : value;
    /* Tag index 1 is clang's `__c_longjmp` (0 would be C++'s `__cpp_exception`). */
    __builtin_wasm_throw(1, &buf->payload);
}
