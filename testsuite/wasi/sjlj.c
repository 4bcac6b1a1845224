// setjmp/longjmp in a real program, for WebAssembly exception handling. On wasm, clang's
// SjLj lowering turns every setjmp into a registration plus an exception handler in the
// calling function and every longjmp into a throw of the `__c_longjmp` tag, so this runs
// only with exceptions: built by `cargo xtask fixtures` with clang-22 as
//   clang-22 --target=wasm32-wasi -O2 -mexception-handling -mllvm -wasm-enable-sjlj
//            -mllvm -wasm-use-legacy-eh=false  sjlj.c sjlj-runtime/rt.c sjlj-runtime/tag.s
// (sjlj.wasm: try_table/catch, the final exnref proposal) and, through sjlj-legacy.c, with
// -mllvm -wasm-use-legacy-eh=true (sjlj-legacy.wasm: the legacy try/catch). Debian's
// wasi-libc has neither <setjmp.h> nor the runtime the lowering calls: we provide both in
// sjlj-runtime/ (setjmp.h, rt.c: __wasm_setjmp, __wasm_setjmp_test, __wasm_longjmp; tag.s:
// the __c_longjmp tag). The native build (`cc -O1 sjlj.c`) uses the system's setjmp.
//
// What it exercises: an expression interpreter whose errors longjmp out of deep recursion
// to the statement loop, which recovers and goes on; nested handlers (a stack of jmp_bufs)
// where an inner one passes errors it does not handle to the outer one; longjmp through
// frames that have setjmp buffers of their own; longjmp(env, 0) returning 1; volatile
// locals keeping values changed after setjmp; setjmp in a loop; and thousands of longjmps
// (a mini-benchmark of the unwinding path).
#ifdef __wasm__
#include "sjlj-runtime/setjmp.h"
#else
#include <setjmp.h>
#endif
#include <stdio.h>
#include <string.h>

// ---- 1. An interpreter for integer expressions with error recovery -------------------
// statement := NAME '=' expr | expr ;  expr := term (('+'|'-') term)* ; term := factor
// (('*'|'/'|'%') factor)* ; factor := NUMBER | NAME | '(' expr ')' | '-' factor | NAME '(' expr ')'
// Errors (syntax, division by zero, unknown variable, too deep) longjmp to the statement.
enum { ERR_SYNTAX = 1, ERR_DIV0, ERR_UNKNOWN, ERR_DEPTH, ERR_RANGE };
static const char *const err_names[] = {"ok", "syntax error", "division by zero", "unknown variable",
                                        "nesting too deep", "out of range"};

static jmp_buf stmt_env;
static const char *pos;
static int depth, max_depth_seen;
static char err_detail[64];

static struct { char name[8]; long long value; } vars[16];
static int nvars;

static _Noreturn void fail(int code, const char *detail) {
    snprintf(err_detail, sizeof err_detail, "%s", detail);
    longjmp(stmt_env, code);
}

static void skip(void) {
    while (*pos == ' ') pos++;
}

static long long *lookup(const char *name, int create) {
    for (int i = 0; i < nvars; i++)
        if (strcmp(vars[i].name, name) == 0) return &vars[i].value;
    if (!create) fail(ERR_UNKNOWN, name);
    snprintf(vars[nvars].name, sizeof vars[nvars].name, "%s", name);
    vars[nvars].value = 0;
    return &vars[nvars++].value;
}

static long long expr(void);

static long long factor(void) {
    if (++depth > 200) fail(ERR_DEPTH, "limit 200");
    if (depth > max_depth_seen) max_depth_seen = depth;
    skip();
    long long v;
    if (*pos == '(') {
        pos++;
        v = expr();
        skip();
        if (*pos != ')') fail(ERR_SYNTAX, "missing )");
        pos++;
    } else if (*pos == '-') {
        pos++;
        v = -factor();
    } else if (*pos >= '0' && *pos <= '9') {
        v = 0;
        while (*pos >= '0' && *pos <= '9') {
            v = v * 10 + (*pos++ - '0');
            if (v > 1000000000LL) fail(ERR_RANGE, "literal");
        }
    } else if (*pos >= 'a' && *pos <= 'z') {
        char name[8];
        int n = 0;
        while (*pos >= 'a' && *pos <= 'z') {
            if (n < 7) name[n++] = *pos;
            pos++;
        }
        name[n] = 0;
        skip();
        if (*pos == '(') {  // sq(x), abs(x)
            pos++;
            long long a = expr();
            skip();
            if (*pos != ')') fail(ERR_SYNTAX, "missing ) after call");
            pos++;
            if (strcmp(name, "sq") == 0) v = a * a;
            else if (strcmp(name, "abs") == 0) v = a < 0 ? -a : a;
            else fail(ERR_UNKNOWN, name);
        } else {
            v = *lookup(name, 0);
        }
    } else {
        fail(ERR_SYNTAX, *pos ? "unexpected character" : "unexpected end");
    }
    depth--;
    return v;
}

static long long term(void) {
    long long v = factor();
    for (;;) {
        skip();
        char op = *pos;
        if (op != '*' && op != '/' && op != '%') return v;
        pos++;
        long long r = factor();
        if (op == '*') v *= r;
        else if (r == 0) fail(ERR_DIV0, op == '/' ? "/" : "%");
        else v = op == '/' ? v / r : v % r;
        if (v > 1000000000000LL || v < -1000000000000LL) fail(ERR_RANGE, "result");
    }
}

static long long expr(void) {
    long long v = term();
    for (;;) {
        skip();
        char op = *pos;
        if (op != '+' && op != '-') return v;
        pos++;
        long long r = term();
        v = op == '+' ? v + r : v - r;
    }
}

// Runs one statement; returns 0 and sets *out, or the error code. `volatile` because
// they are changed between setjmp and longjmp and read after it.
static int run_statement(const char *src, long long *out) {
    volatile int attempts = 0;
    int code = setjmp(stmt_env);
    attempts++;
    if (code != 0) {
        depth = 0;
        return attempts == 2 ? code : -1;  // attempts survives the longjmp: 2
    }
    pos = src;
    depth = 0;
    skip();
    const char *eq = strchr(pos, '=');
    if (eq && pos[0] >= 'a' && pos[0] <= 'z') {
        char name[8];
        int n = 0;
        while (*pos >= 'a' && *pos <= 'z' && n < 7) name[n++] = *pos++;
        name[n] = 0;
        skip();
        if (*pos == '=') {
            pos++;
            long long v = expr();
            skip();
            if (*pos) fail(ERR_SYNTAX, "trailing input");
            *lookup(name, 1) = v;
            *out = v;
            return 0;
        }
        pos = src;
    }
    long long v = expr();
    skip();
    if (*pos) fail(ERR_SYNTAX, "trailing input");
    *out = v;
    return 0;
}

static void interpreter(void) {
    static const char *const program[] = {
        "x = 6 * 7",
        "y = x - 2 * (3 + 4)",
        "x / (y - 28)",
        "z + 1",
        "sq(x) + abs(-y) % 5",
        "(((((1 + 2) * 3) - 4) * 5) / 6",
        "7 +",
        "w = sq(sq(sq(9)))",
        "w * w * w",
        "q = 1 + 2) ",
        "frob(3)",
        "y = y % 0",
        "x + y",
    };
    printf("-- interpreter\n");
    for (unsigned i = 0; i < sizeof program / sizeof *program; i++) {
        long long v = 0;
        int code = run_statement(program[i], &v);
        if (code == 0) printf("  %-34s => %lld\n", program[i], v);
        else printf("  %-34s => error: %s (%s)\n", program[i], err_names[code], err_detail);
    }
    // A deeply nested expression: 150 levels recover fine, 300 levels hit the limit and
    // the longjmp leaves 200 frames of factor/term/expr at once.
    static char deep[1024];
    for (int n = 150; n <= 300; n += 150) {
        int k = 0;
        for (int j = 0; j < n; j++) deep[k++] = '(';
        deep[k++] = '1';
        for (int j = 0; j < n; j++) deep[k++] = ')';
        deep[k] = 0;
        long long v = 0;
        max_depth_seen = 0;
        int code = run_statement(deep, &v);
        if (code == 0) printf("  %d parentheses => %lld (depth %d)\n", n, v, max_depth_seen);
        else printf("  %d parentheses => error: %s (%s; depth %d)\n", n, err_names[code], err_detail, max_depth_seen);
    }
}

// ---- 2. Nested handlers: a stack of jmp_bufs ------------------------------------------
struct handler {
    jmp_buf env;
    struct handler *outer;
};
static struct handler *handlers;
static int trace[64], ntrace;

static _Noreturn void raise_error(int code) {
    struct handler *h = handlers;
    handlers = h->outer;  // the handler is used up
    longjmp(h->env, code);
}

// Recurses `n` frames, then raises `code`.
static int descend(int n, int code) {
    if (n == 0) raise_error(code);
    trace[ntrace < 63 ? ntrace++ : 63] = n;
    return descend(n - 1, code) + 1;
}

// An inner handler that handles only code 7 and passes everything else outwards.
static int inner(int code) {
    struct handler h;
    h.outer = handlers;
    handlers = &h;
    int got = setjmp(h.env);
    if (got == 0) {
        int r = descend(10, code);
        handlers = h.outer;
        return r;
    }
    if (got == 7) return 1000 + got;  // handled here
    raise_error(got);  // not ours: to the outer handler (h is already popped)
}

static void nested(void) {
    printf("-- nested handlers\n");
    for (int code = 5; code <= 9; code++) {
        struct handler h;
        h.outer = handlers;
        handlers = &h;
        ntrace = 0;
        volatile int stage = 1;
        int got = setjmp(h.env);
        if (got == 0) {
            stage = 2;
            int r = inner(code);
            handlers = h.outer;
            printf("  raise %d: inner handled it, returned %d (stage %d)\n", code, r, stage);
        } else {
            printf("  raise %d: outer caught %d after %d frames (stage %d)\n", code, got, ntrace, stage);
        }
    }
}

// ---- 3. longjmp through frames with setjmp buffers of their own ----------------------
static jmp_buf far_env;

static int middle(int n) {
    jmp_buf mine;  // never the target: its handler sees the longjmp and passes it on
    volatile int local = n * 3;
    if (setjmp(mine) != 0) return -999;  // unreachable
    if (n == 0) longjmp(far_env, 77);
    return middle(n - 1) + local;
}

static void through(void) {
    printf("-- through frames with their own setjmp\n");
    volatile int before = 5;
    int got = setjmp(far_env);
    if (got == 0) {
        before = 6;
        middle(20);
        printf("  not reached\n");
    } else {
        printf("  caught %d through 21 frames with jmp_bufs, before = %d\n", got, before);
    }
}

// ---- 4. longjmp(env, 0) makes setjmp return 1; setjmp in a loop -----------------------
static jmp_buf loop_env;

static void jump_zero(void) { longjmp(loop_env, 0); }
static void jump_value(int v) { longjmp(loop_env, v); }

static void values_and_loops(void) {
    printf("-- values and loops\n");
    volatile int round = 0;
    int r = setjmp(loop_env);
    if (r == 0) jump_zero();
    printf("  longjmp(env, 0) -> setjmp returned %d\n", r);
    // Re-arming the same buffer in a loop, each time jumping back with a different value.
    volatile long long sum = 0;
    for (volatile int i = 1; i <= 10; i++) {
        int v = setjmp(loop_env);
        if (v == 0) jump_value(i * i);
        sum += v;
        round++;
    }
    printf("  10 setjmps in a loop: sum of returns %lld, rounds %d\n", sum, round);
    // A loop driven by longjmp alone: the counter is volatile.
    volatile int count = 0;
    int v = setjmp(loop_env);
    if (count < 100) {
        count++;
        jump_value(v + 2);
    }
    printf("  100 jumps back to one setjmp: count %d, last value %d\n", count, v);
}

// ---- 5. Many longjmps: a mini-benchmark ---------------------------------------------
static jmp_buf bench_env;
static unsigned long long seed = 12345;

static unsigned next_rand(void) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(seed >> 33);
}

static long long work(int n, unsigned fail_at) {
    if (n == (int)fail_at) longjmp(bench_env, n + 1);
    if (n == 0) return 1;
    return work(n - 1, fail_at) * 3 % 1000003 + n;
}

static void many(void) {
    printf("-- many longjmps\n");
    volatile long long checksum = 0;
    volatile int jumps = 0, returns = 0;
    for (int i = 0; i < 20000; i++) {
        int depth_now = 20 + (int)(next_rand() % 40);
        // One call in three longjmps from somewhere in the recursion.
        volatile unsigned fail_at = next_rand() % 3 == 0 ? next_rand() % depth_now : 0xffffffffu;
        int r = setjmp(bench_env);
        if (r == 0) {
            checksum = (checksum * 31 + work(depth_now, fail_at)) % 1000000007LL;
            returns++;
        } else {
            checksum = (checksum * 31 + r * 7) % 1000000007LL;
            jumps++;
        }
    }
    printf("  %d calls: %d returned, %d longjmped, checksum %lld\n", jumps + returns, returns, jumps, checksum);
    // And via the interpreter: statements with errors at varying depths.
    char src[128];
    int errors = 0;
    long long total = 0;
    for (int i = 0; i < 3000; i++) {
        int a = (int)(next_rand() % 50), b = (int)(next_rand() % 7);
        snprintf(src, sizeof src, "((%d + 1) * (%d - 3)) / (%d %% %d) + sq(%d)", a, b, a, b + 1, b);
        long long v = 0;
        if (run_statement(src, &v) != 0) errors++;
        else total += v;
    }
    printf("  3000 statements: %d errors, total %lld\n", errors, total);
}

int main(void) {
    interpreter();
    nested();
    through();
    values_and_loops();
    many();
    return 0;
}
