// Tail calls in a real program (issue 17): built with -O2 -mtail-call, every `TAIL return`
// below becomes a `return_call` (direct) or `return_call_indirect` (through a function
// pointer). A lexer written as a state machine of tail-calling functions, a bytecode
// interpreter whose handlers tail-call the next one, and tail recursion far deeper than
// any wasm call stack allows. Native builds without `musttail` (gcc) get plain returns.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_attribute)
#if __has_attribute(musttail)
#define TAIL __attribute__((musttail))
#endif
#endif
#ifndef TAIL
#define TAIL
#endif

// ---- A lexer: one function per state -------------------------------------------------
struct counts {
    int words, numbers, symbols;
    long sum;
};

// Every state has the same signature (clang's musttail requires it); `value` is the
// number being read.
static int lex_space(const char *p, long value, struct counts *c);
static int lex_word(const char *p, long value, struct counts *c);
static int lex_number(const char *p, long value, struct counts *c);

static int is_alpha(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_'; }
static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static int lex_space(const char *p, long value, struct counts *c) {
    char ch = *p;
    if (ch == 0) return c->words + c->numbers + c->symbols;
    if (is_alpha(ch)) {
        c->words++;
        TAIL return lex_word(p + 1, 0, c);
    }
    if (is_digit(ch)) {
        c->numbers++;
        TAIL return lex_number(p + 1, ch - '0', c);
    }
    if (ch != ' ' && ch != '\n') c->symbols++;
    TAIL return lex_space(p + 1, value, c);
}

static int lex_word(const char *p, long value, struct counts *c) {
    (void)value;
    if (is_alpha(*p) || is_digit(*p)) TAIL return lex_word(p + 1, 0, c);
    TAIL return lex_space(p, 0, c);
}

static int lex_number(const char *p, long value, struct counts *c) {
    if (is_digit(*p)) TAIL return lex_number(p + 1, value * 10 + (*p - '0'), c);
    c->sum += value;
    TAIL return lex_space(p, 0, c);
}

// ---- A bytecode interpreter: handlers tail-call through a table ----------------------
enum { PUSH, ADD, MUL, DUP, SWAP, DEC_JNZ, PRINT, HALT };
struct vm {
    long long stack[16];
    int sp;
    long long counter;
};
typedef long long (*handler)(const unsigned char *pc, struct vm *m);
static const handler table[8];
#define NEXT(n) TAIL return table[pc[n]](pc + (n), m)

static long long op_push(const unsigned char *pc, struct vm *m) {
    m->stack[m->sp++] = pc[1];
    NEXT(2);
}
static long long op_add(const unsigned char *pc, struct vm *m) {
    m->sp--;
    m->stack[m->sp - 1] += m->stack[m->sp];
    NEXT(1);
}
static long long op_mul(const unsigned char *pc, struct vm *m) {
    m->sp--;
    m->stack[m->sp - 1] = (m->stack[m->sp - 1] * m->stack[m->sp]) % 1000003;
    NEXT(1);
}
static long long op_dup(const unsigned char *pc, struct vm *m) {
    m->stack[m->sp] = m->stack[m->sp - 1];
    m->sp++;
    NEXT(1);
}
static long long op_swap(const unsigned char *pc, struct vm *m) {
    long long t = m->stack[m->sp - 1];
    m->stack[m->sp - 1] = m->stack[m->sp - 2];
    m->stack[m->sp - 2] = t;
    NEXT(1);
}
static long long op_dec_jnz(const unsigned char *pc, struct vm *m) {
    if (--m->counter != 0) {
        const unsigned char *to = pc - pc[1];
        TAIL return table[*to](to, m);
    }
    NEXT(2);
}
static long long op_print(const unsigned char *pc, struct vm *m) {
    printf("vm: top=%lld depth=%d\n", m->stack[m->sp - 1], m->sp);
    NEXT(1);
}
static long long op_halt(const unsigned char *pc, struct vm *m) {
    (void)pc;
    return m->stack[m->sp - 1];
}
static const handler table[8] = {op_push, op_add, op_mul, op_dup, op_swap, op_dec_jnz, op_print, op_halt};

// ---- Deep tail recursion ---------------------------------------------------------------
static long collatz_steps(unsigned long long n, long steps) {
    if (n == 1) return steps;
    if (n % 2 == 0) TAIL return collatz_steps(n / 2, steps + 1);
    TAIL return collatz_steps(3 * n + 1, steps + 1);
}

static int is_even(long n);
static int is_odd(long n) {
    if (n == 0) return 0;
    TAIL return is_even(n - 1);
}
static int is_even(long n) {
    if (n == 0) return 1;
    TAIL return is_odd(n - 1);
}

int main(void) {
    const char *text = "let x1 = 42 + y * (7 - 300);\nprint(x1, 12345) // done 9\n";
    struct counts c = {0, 0, 0, 0};
    int tokens = lex_space(text, 0, &c);
    printf("lexer: tokens=%d words=%d numbers=%d symbols=%d sum=%ld\n", tokens, c.words, c.numbers, c.symbols,
           c.sum);

    // Loop body (7 bytes from `DUP`): x = (x * x + 3) mod 1000003, 100000 times.
    const unsigned char code[] = {PUSH, 2, DUP, MUL, PUSH, 3, ADD, DEC_JNZ, 5, PRINT, HALT};
    struct vm m;
    memset(&m, 0, sizeof m);
    m.counter = 100000;
    long long r = table[code[0]](code, &m);
    printf("vm: result=%lld\n", r);

    long most = 0;
    unsigned long arg = 0;
    for (unsigned long n = 1; n < 30000; n++) {
        long s = collatz_steps(n, 0);
        if (s > most) {
            most = s;
            arg = n;
        }
    }
    printf("collatz: longest below 30000 starts at %lu (%ld steps)\n", arg, most);
    // 100000 mutually recursive tail calls: five times the interpreter's call-depth limit.
    printf("parity: even(100000)=%d odd(100001)=%d\n", is_even(100000), is_odd(100001));
    return 0;
}
