/* Our <setjmp.h> for the wasm builds of sjlj.c (Debian's wasi-libc ships none).
 *
 * With `-mllvm -wasm-enable-sjlj`, clang's WebAssemblyLowerEmscriptenEHSjLj pass rewrites
 * every direct call of `setjmp` and `longjmp`: the functions declared here are never
 * defined or called. `setjmp(env)` becomes `__wasm_setjmp(env, label, id)` plus a
 * handler (try_table/catch or try/catch) around the calls that may longjmp; `longjmp(env,
 * v)` becomes `__wasm_longjmp(env, v)`. Those, and the `__c_longjmp` tag, are ours:
 * rt.c and tag.s beside this file, which also fix the layout of `jmp_buf` below. */
#ifndef WASMSCOPE_SJLJ_SETJMP_H
#define WASMSCOPE_SJLJ_SETJMP_H

/* What __wasm_longjmp throws (the __c_longjmp tag's i32 payload points at it): the
 * target buffer and setjmp's return value, in this order. The lowered catch code
 * reads the buffer at offset 0 and the value at offset 4. */
struct wasmscope_longjmp_payload {
    void *env;
    int value;
};

/* One setjmp's registration: which function invocation called it (`id`, an address
 * unique to that live frame, chosen by the compiler), which of its setjmp calls
 * (`label`, nonzero), and room for the payload so a longjmp needs no other memory. */
struct wasmscope_jmp_buf {
    void *id;
    unsigned label;
    struct wasmscope_longjmp_payload payload;
};

typedef struct wasmscope_jmp_buf jmp_buf[1];

int setjmp(jmp_buf env) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf env, int value);

#endif
