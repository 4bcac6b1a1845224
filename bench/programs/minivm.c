/* minivm: a compiler for a tiny statement language and the stack VM that runs it.
 *
 * A benchmark program of wasmscope's real-program set (bench/programs/, issue 15): the
 * kind of code a scripting-language interpreter is made of. It builds the source of a
 * script with snprintf (its loop bounds scale with argv[1]), compiles it in one pass
 * (lexer, recursive-descent parser emitting bytecode, local slots resolved at compile
 * time, calls to functions defined later patched at the end) and runs it on a
 * `switch` dispatch loop. Globals live in a chained, string-keyed hash table looked up on
 * every access; builtins (arrays, print) are called through a table of function
 * pointers. Prints each result the script prints and a checksum of them all.
 *
 * Usage: minivm [SCALE]   (SCALE defaults to 100)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, const char *detail) {
    fprintf(stderr, "minivm: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) die("out of memory", NULL);
    return p;
}

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n);
    if (!p) die("out of memory", NULL);
    return p;
}

static char *xstrndup(const char *s, size_t n) {
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* ---- strings and the global variable table ------------------------------------ */

static uint32_t hash_str(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

struct global {
    char *name;
    uint32_t hash;
    int64_t value;
    struct global *next;
};

struct globals {
    struct global **buckets;
    uint32_t nbuckets, count;
};

static void globals_init(struct globals *g) {
    g->nbuckets = 8;
    g->count = 0;
    g->buckets = calloc(g->nbuckets, sizeof *g->buckets);
    if (!g->buckets) die("out of memory", NULL);
}

static void globals_grow(struct globals *g) {
    uint32_t n = g->nbuckets * 2;
    struct global **b = calloc(n, sizeof *b);
    if (!b) die("out of memory", NULL);
    for (uint32_t i = 0; i < g->nbuckets; i++) {
        struct global *e = g->buckets[i];
        while (e) {
            struct global *next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(g->buckets);
    g->buckets = b;
    g->nbuckets = n;
}

/* The slot of `name`, created (as 0) on first use. */
static struct global *globals_lookup(struct globals *g, const char *name, uint32_t hash) {
    for (struct global *e = g->buckets[hash & (g->nbuckets - 1)]; e; e = e->next)
        if (e->hash == hash && strcmp(e->name, name) == 0) return e;
    if (g->count + 1 > g->nbuckets * 3 / 4) globals_grow(g);
    struct global *e = xmalloc(sizeof *e);
    e->name = xstrndup(name, strlen(name));
    e->hash = hash;
    e->value = 0;
    e->next = g->buckets[hash & (g->nbuckets - 1)];
    g->buckets[hash & (g->nbuckets - 1)] = e;
    g->count++;
    return e;
}

static void globals_free(struct globals *g) {
    for (uint32_t i = 0; i < g->nbuckets; i++) {
        for (struct global *e = g->buckets[i], *next; e; e = next) {
            next = e->next;
            free(e->name);
            free(e);
        }
    }
    free(g->buckets);
}

/* ---- lexer --------------------------------------------------------------------- */

enum tok {
    T_EOF, T_NUM, T_IDENT, T_FUNC, T_VAR, T_IF, T_ELSE, T_WHILE, T_RETURN,
    T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_COMMA, T_SEMI, T_ASSIGN,
    T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_LT, T_LE, T_GT, T_GE, T_EQ, T_NE,
    T_AND, T_OR, T_NOT,
};

struct lexer {
    const char *src, *p;
    int line;
    enum tok tok;
    int64_t num;
    const char *start;
    size_t len;
};

static const struct { const char *word; enum tok tok; } keywords[] = {
    {"func", T_FUNC}, {"var", T_VAR}, {"if", T_IF}, {"else", T_ELSE},
    {"while", T_WHILE}, {"return", T_RETURN},
};

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

static void next(struct lexer *lx) {
    for (;;) {
        while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n' || *lx->p == '\r')
            if (*lx->p++ == '\n') lx->line++;
        if (lx->p[0] == '/' && lx->p[1] == '/') {
            while (*lx->p && *lx->p != '\n') lx->p++;
            continue;
        }
        break;
    }
    lx->start = lx->p;
    char c = *lx->p;
    if (!c) { lx->tok = T_EOF; return; }
    if (is_digit(c)) {
        int64_t v = 0;
        while (is_digit(*lx->p)) v = v * 10 + (*lx->p++ - '0');
        lx->tok = T_NUM;
        lx->num = v;
        return;
    }
    if (is_alpha(c)) {
        while (is_alpha(*lx->p) || is_digit(*lx->p)) lx->p++;
        lx->len = (size_t)(lx->p - lx->start);
        lx->tok = T_IDENT;
        for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
            if (strlen(keywords[i].word) == lx->len && memcmp(keywords[i].word, lx->start, lx->len) == 0)
                lx->tok = keywords[i].tok;
        return;
    }
    lx->p++;
    char d = *lx->p;
    switch (c) {
    case '(': lx->tok = T_LPAREN; return;
    case ')': lx->tok = T_RPAREN; return;
    case '{': lx->tok = T_LBRACE; return;
    case '}': lx->tok = T_RBRACE; return;
    case ',': lx->tok = T_COMMA; return;
    case ';': lx->tok = T_SEMI; return;
    case '+': lx->tok = T_PLUS; return;
    case '-': lx->tok = T_MINUS; return;
    case '*': lx->tok = T_STAR; return;
    case '/': lx->tok = T_SLASH; return;
    case '%': lx->tok = T_PERCENT; return;
    case '<': if (d == '=') { lx->p++; lx->tok = T_LE; } else lx->tok = T_LT; return;
    case '>': if (d == '=') { lx->p++; lx->tok = T_GE; } else lx->tok = T_GT; return;
    case '=': if (d == '=') { lx->p++; lx->tok = T_EQ; } else lx->tok = T_ASSIGN; return;
    case '!': if (d == '=') { lx->p++; lx->tok = T_NE; } else lx->tok = T_NOT; return;
    case '&': if (d == '&') { lx->p++; lx->tok = T_AND; return; } break;
    case '|': if (d == '|') { lx->p++; lx->tok = T_OR; return; } break;
    }
    char where[32];
    snprintf(where, sizeof where, "line %d, '%c'", lx->line, c);
    die("unexpected character", where);
}

/* ---- bytecode ------------------------------------------------------------------ */

enum op {
    OP_PUSH, OP_LOADL, OP_STOREL, OP_LOADG, OP_STOREG, OP_POP,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_NEG, OP_NOT,
    OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE,
    OP_JMP, OP_JZ, OP_JZ_OR_POP, OP_JNZ_OR_POP,
    OP_CALL, OP_CALLB, OP_RET, OP_HALT,
};

struct function {
    char *name;
    int entry; /* -1 while only called, not yet defined */
    int nparams, nlocals;
};

struct name {
    char *text;
    uint32_t hash;
};

struct vm;
typedef int64_t (*builtin_fn)(struct vm *, const int64_t *args);

struct builtin {
    const char *name;
    int arity;
    builtin_fn fn;
};

struct program {
    int32_t *code;
    int ncode, capcode;
    struct function *funcs;
    int nfuncs, capfuncs;
    struct name *names; /* global names, by LOADG/STOREG operand */
    int nnames, capnames;
};

static void program_free(struct program *p) {
    for (int i = 0; i < p->nfuncs; i++) free(p->funcs[i].name);
    for (int i = 0; i < p->nnames; i++) free(p->names[i].text);
    free(p->funcs);
    free(p->names);
    free(p->code);
}

static void emit(struct program *p, int32_t word) {
    if (p->ncode == p->capcode) {
        p->capcode = p->capcode ? p->capcode * 2 : 256;
        p->code = xrealloc(p->code, (size_t)p->capcode * sizeof *p->code);
    }
    p->code[p->ncode++] = word;
}

static int name_index(struct program *p, const char *s, size_t len) {
    for (int i = 0; i < p->nnames; i++)
        if (strlen(p->names[i].text) == len && memcmp(p->names[i].text, s, len) == 0) return i;
    if (p->nnames == p->capnames) {
        p->capnames = p->capnames ? p->capnames * 2 : 16;
        p->names = xrealloc(p->names, (size_t)p->capnames * sizeof *p->names);
    }
    p->names[p->nnames].text = xstrndup(s, len);
    p->names[p->nnames].hash = hash_str(p->names[p->nnames].text);
    return p->nnames++;
}

static int func_index(struct program *p, const char *s, size_t len) {
    for (int i = 0; i < p->nfuncs; i++)
        if (strlen(p->funcs[i].name) == len && memcmp(p->funcs[i].name, s, len) == 0) return i;
    if (p->nfuncs == p->capfuncs) {
        p->capfuncs = p->capfuncs ? p->capfuncs * 2 : 16;
        p->funcs = xrealloc(p->funcs, (size_t)p->capfuncs * sizeof *p->funcs);
    }
    struct function *f = &p->funcs[p->nfuncs];
    f->name = xstrndup(s, len);
    f->entry = -1;
    f->nparams = f->nlocals = 0;
    return p->nfuncs++;
}

/* ---- compiler ------------------------------------------------------------------ */

#define MAX_LOCALS 32

struct compiler {
    struct lexer lx;
    struct program *prog;
    const struct builtin *builtins;
    int nbuiltins;
    /* The function being compiled (locals resolve to slots), or none at top level. */
    int in_func;
    char *locals[MAX_LOCALS];
    int nlocals;
};

static void expect(struct compiler *c, enum tok t, const char *what) {
    if (c->lx.tok != t) {
        char where[64];
        snprintf(where, sizeof where, "line %d: expected %s", c->lx.line, what);
        die("syntax error", where);
    }
    next(&c->lx);
}

static int local_slot(struct compiler *c, const char *s, size_t len) {
    if (!c->in_func) return -1;
    for (int i = 0; i < c->nlocals; i++)
        if (strlen(c->locals[i]) == len && memcmp(c->locals[i], s, len) == 0) return i;
    return -1;
}

static int declare_local(struct compiler *c, const char *s, size_t len) {
    int slot = local_slot(c, s, len);
    if (slot >= 0) return slot;
    if (c->nlocals == MAX_LOCALS) die("too many locals", NULL);
    c->locals[c->nlocals] = xstrndup(s, len);
    return c->nlocals++;
}

static void expression(struct compiler *c);

static void call_args(struct compiler *c, int *argc) {
    expect(c, T_LPAREN, "'('");
    *argc = 0;
    if (c->lx.tok != T_RPAREN) {
        for (;;) {
            expression(c);
            (*argc)++;
            if (c->lx.tok != T_COMMA) break;
            next(&c->lx);
        }
    }
    expect(c, T_RPAREN, "')'");
}

static void primary(struct compiler *c) {
    struct lexer *lx = &c->lx;
    if (lx->tok == T_NUM) {
        emit(c->prog, OP_PUSH);
        emit(c->prog, (int32_t)lx->num);
        next(lx);
    } else if (lx->tok == T_LPAREN) {
        next(lx);
        expression(c);
        expect(c, T_RPAREN, "')'");
    } else if (lx->tok == T_MINUS || lx->tok == T_NOT) {
        enum tok t = lx->tok;
        next(lx);
        primary(c);
        emit(c->prog, t == T_MINUS ? OP_NEG : OP_NOT);
    } else if (lx->tok == T_IDENT) {
        const char *s = lx->start;
        size_t len = lx->len;
        next(lx);
        if (lx->tok == T_LPAREN) {
            int argc;
            for (int b = 0; b < c->nbuiltins; b++) {
                if (strlen(c->builtins[b].name) == len && memcmp(c->builtins[b].name, s, len) == 0) {
                    call_args(c, &argc);
                    if (argc != c->builtins[b].arity) die("wrong number of arguments to", c->builtins[b].name);
                    emit(c->prog, OP_CALLB);
                    emit(c->prog, b);
                    return;
                }
            }
            int f = func_index(c->prog, s, len);
            call_args(c, &argc);
            emit(c->prog, OP_CALL);
            emit(c->prog, f);
            emit(c->prog, argc);
            return;
        }
        int slot = local_slot(c, s, len);
        if (slot >= 0) {
            emit(c->prog, OP_LOADL);
            emit(c->prog, slot);
        } else {
            emit(c->prog, OP_LOADG);
            emit(c->prog, name_index(c->prog, s, len));
        }
    } else {
        char where[32];
        snprintf(where, sizeof where, "line %d", lx->line);
        die("expected an expression", where);
    }
}

/* Binary operators by precedence level, lowest first; && and || are handled apart. */
static const struct { enum tok tok; enum op op; int level; } binops[] = {
    {T_EQ, OP_EQ, 0}, {T_NE, OP_NE, 0},
    {T_LT, OP_LT, 1}, {T_LE, OP_LE, 1}, {T_GT, OP_GT, 1}, {T_GE, OP_GE, 1},
    {T_PLUS, OP_ADD, 2}, {T_MINUS, OP_SUB, 2},
    {T_STAR, OP_MUL, 3}, {T_SLASH, OP_DIV, 3}, {T_PERCENT, OP_MOD, 3},
};

static void binary(struct compiler *c, int level) {
    if (level > 3) {
        primary(c);
        return;
    }
    binary(c, level + 1);
    for (;;) {
        int found = -1;
        for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++)
            if (binops[i].level == level && binops[i].tok == c->lx.tok) found = (int)i;
        if (found < 0) return;
        next(&c->lx);
        binary(c, level + 1);
        emit(c->prog, binops[found].op);
    }
}

static void logical(struct compiler *c, enum tok t) {
    if (t == T_OR) logical(c, T_AND);
    else binary(c, 0);
    while (c->lx.tok == t) {
        next(&c->lx);
        emit(c->prog, t == T_AND ? OP_JZ_OR_POP : OP_JNZ_OR_POP);
        int patch = c->prog->ncode;
        emit(c->prog, 0);
        if (t == T_OR) logical(c, T_AND);
        else binary(c, 0);
        c->prog->code[patch] = c->prog->ncode;
    }
}

static void expression(struct compiler *c) { logical(c, T_OR); }

static void statement(struct compiler *c);

static void block(struct compiler *c) {
    expect(c, T_LBRACE, "'{'");
    while (c->lx.tok != T_RBRACE && c->lx.tok != T_EOF) statement(c);
    expect(c, T_RBRACE, "'}'");
}

static void assign_to(struct compiler *c, const char *s, size_t len) {
    int slot = local_slot(c, s, len);
    if (slot >= 0) {
        emit(c->prog, OP_STOREL);
        emit(c->prog, slot);
    } else {
        emit(c->prog, OP_STOREG);
        emit(c->prog, name_index(c->prog, s, len));
    }
}

static void statement(struct compiler *c) {
    struct lexer *lx = &c->lx;
    struct program *p = c->prog;
    switch (lx->tok) {
    case T_LBRACE:
        block(c);
        return;
    case T_VAR: {
        next(lx);
        if (lx->tok != T_IDENT) die("expected a name after var", NULL);
        const char *s = lx->start;
        size_t len = lx->len;
        if (c->in_func) declare_local(c, s, len);
        next(lx);
        if (lx->tok == T_ASSIGN) {
            next(lx);
            expression(c);
        } else {
            emit(p, OP_PUSH);
            emit(p, 0);
        }
        assign_to(c, s, len);
        expect(c, T_SEMI, "';'");
        return;
    }
    case T_IF: {
        next(lx);
        expect(c, T_LPAREN, "'('");
        expression(c);
        expect(c, T_RPAREN, "')'");
        emit(p, OP_JZ);
        int to_else = p->ncode;
        emit(p, 0);
        statement(c);
        if (lx->tok == T_ELSE) {
            next(lx);
            emit(p, OP_JMP);
            int to_end = p->ncode;
            emit(p, 0);
            p->code[to_else] = p->ncode;
            statement(c);
            p->code[to_end] = p->ncode;
        } else {
            p->code[to_else] = p->ncode;
        }
        return;
    }
    case T_WHILE: {
        next(lx);
        int top = p->ncode;
        expect(c, T_LPAREN, "'('");
        expression(c);
        expect(c, T_RPAREN, "')'");
        emit(p, OP_JZ);
        int to_end = p->ncode;
        emit(p, 0);
        statement(c);
        emit(p, OP_JMP);
        emit(p, top);
        p->code[to_end] = p->ncode;
        return;
    }
    case T_RETURN:
        if (!c->in_func) die("return outside a function", NULL);
        next(lx);
        expression(c);
        emit(p, OP_RET);
        expect(c, T_SEMI, "';'");
        return;
    case T_IDENT: {
        const char *s = lx->start;
        size_t len = lx->len;
        struct lexer save = *lx;
        next(lx);
        if (lx->tok == T_ASSIGN) {
            next(lx);
            expression(c);
            assign_to(c, s, len);
            expect(c, T_SEMI, "';'");
            return;
        }
        *lx = save; /* an expression statement starting with a name: parse it again */
        break;
    }
    default:
        break;
    }
    expression(c);
    emit(p, OP_POP);
    expect(c, T_SEMI, "';'");
}

static void function(struct compiler *c) {
    struct lexer *lx = &c->lx;
    struct program *p = c->prog;
    next(lx);
    if (lx->tok != T_IDENT) die("expected a function name", NULL);
    int f = func_index(p, lx->start, lx->len);
    if (p->funcs[f].entry >= 0) die("function defined twice", p->funcs[f].name);
    next(lx);
    /* Top-level code jumps over the body. */
    emit(p, OP_JMP);
    int skip = p->ncode;
    emit(p, 0);
    c->in_func = 1;
    c->nlocals = 0;
    expect(c, T_LPAREN, "'('");
    if (lx->tok != T_RPAREN) {
        for (;;) {
            if (lx->tok != T_IDENT) die("expected a parameter name", NULL);
            declare_local(c, lx->start, lx->len);
            next(lx);
            if (lx->tok != T_COMMA) break;
            next(lx);
        }
    }
    expect(c, T_RPAREN, "')'");
    int nparams = c->nlocals;
    p->funcs[f].entry = p->ncode;
    block(c);
    emit(p, OP_PUSH); /* falling off the end returns 0 */
    emit(p, 0);
    emit(p, OP_RET);
    p->funcs[f].nparams = nparams;
    p->funcs[f].nlocals = c->nlocals;
    for (int i = 0; i < c->nlocals; i++) free(c->locals[i]);
    c->in_func = 0;
    p->code[skip] = p->ncode;
}

static void compile(struct program *p, const char *src, const struct builtin *builtins, int nbuiltins) {
    struct compiler c = {0};
    c.lx.src = c.lx.p = src;
    c.lx.line = 1;
    c.prog = p;
    c.builtins = builtins;
    c.nbuiltins = nbuiltins;
    next(&c.lx);
    while (c.lx.tok != T_EOF) {
        if (c.lx.tok == T_FUNC) function(&c);
        else statement(&c);
    }
    emit(p, OP_HALT);
    for (int i = 0; i < p->nfuncs; i++)
        if (p->funcs[i].entry < 0) die("call of an undefined function", p->funcs[i].name);
}

/* ---- the VM -------------------------------------------------------------------- */

struct frame {
    int ret_pc, base;
};

struct array {
    int64_t *items;
    int64_t len;
};

struct vm {
    const struct program *prog;
    struct globals globals;
    int64_t *stack;
    int sp, stack_cap;
    struct frame *frames;
    int nframes, frames_cap;
    struct array *arrays;
    int narrays, arrays_cap;
    uint64_t checksum;
    int printed;
};

static int64_t b_print(struct vm *vm, const int64_t *a) {
    printf("  %lld\n", (long long)a[0]);
    vm->checksum = (vm->checksum ^ (uint64_t)a[0]) * 0x100000001b3ull;
    vm->printed++;
    return 0;
}

static struct array *array_of(struct vm *vm, int64_t handle) {
    if (handle < 0 || handle >= vm->narrays) die("not an array", NULL);
    return &vm->arrays[handle];
}

static int64_t b_array(struct vm *vm, const int64_t *a) {
    if (a[0] < 0 || a[0] > 1 << 24) die("bad array size", NULL);
    if (vm->narrays == vm->arrays_cap) {
        vm->arrays_cap = vm->arrays_cap ? vm->arrays_cap * 2 : 8;
        vm->arrays = xrealloc(vm->arrays, (size_t)vm->arrays_cap * sizeof *vm->arrays);
    }
    struct array *arr = &vm->arrays[vm->narrays];
    arr->len = a[0];
    arr->items = calloc((size_t)a[0] + 1, sizeof *arr->items);
    if (!arr->items) die("out of memory", NULL);
    return vm->narrays++;
}

static int64_t b_get(struct vm *vm, const int64_t *a) {
    struct array *arr = array_of(vm, a[0]);
    if (a[1] < 0 || a[1] >= arr->len) die("index out of bounds", NULL);
    return arr->items[a[1]];
}

static int64_t b_set(struct vm *vm, const int64_t *a) {
    struct array *arr = array_of(vm, a[0]);
    if (a[1] < 0 || a[1] >= arr->len) die("index out of bounds", NULL);
    arr->items[a[1]] = a[2];
    return a[2];
}

static int64_t b_len(struct vm *vm, const int64_t *a) { return array_of(vm, a[0])->len; }

static int64_t b_free(struct vm *vm, const int64_t *a) {
    struct array *arr = array_of(vm, a[0]);
    free(arr->items);
    arr->items = NULL;
    arr->len = 0;
    return 0;
}

static const struct builtin builtins[] = {
    {"print", 1, b_print}, {"array", 1, b_array}, {"get", 2, b_get},
    {"set", 3, b_set},     {"len", 1, b_len},     {"free", 1, b_free},
};

static void push(struct vm *vm, int64_t v) {
    if (vm->sp == vm->stack_cap) {
        vm->stack_cap *= 2;
        vm->stack = xrealloc(vm->stack, (size_t)vm->stack_cap * sizeof *vm->stack);
    }
    vm->stack[vm->sp++] = v;
}

static struct global *global_slot(struct vm *vm, int name) {
    const struct name *n = &vm->prog->names[name];
    return globals_lookup(&vm->globals, n->text, n->hash);
}

/* Arithmetic wraps, as in the machine the VM runs on (no C undefined behaviour). */
static int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t wrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

static uint64_t run(struct vm *vm) {
    const int32_t *code = vm->prog->code;
    int pc = 0;
    uint64_t steps = 0;
    for (;;) {
        steps++;
        int64_t a, b;
        switch ((enum op)code[pc++]) {
        case OP_PUSH:
            push(vm, code[pc++]);
            break;
        case OP_LOADL:
            push(vm, vm->stack[vm->frames[vm->nframes - 1].base + code[pc++]]);
            break;
        case OP_STOREL:
            vm->stack[vm->frames[vm->nframes - 1].base + code[pc++]] = vm->stack[--vm->sp];
            break;
        case OP_LOADG:
            push(vm, global_slot(vm, code[pc++])->value);
            break;
        case OP_STOREG:
            global_slot(vm, code[pc++])->value = vm->stack[--vm->sp];
            break;
        case OP_POP:
            vm->sp--;
            break;
#define BINARY(OP, EXPR)            \
    case OP:                        \
        b = vm->stack[--vm->sp];    \
        a = vm->stack[vm->sp - 1];  \
        vm->stack[vm->sp - 1] = (EXPR); \
        break;
        BINARY(OP_ADD, wrap_add(a, b))
        BINARY(OP_SUB, wrap_sub(a, b))
        BINARY(OP_MUL, wrap_mul(a, b))
        BINARY(OP_LT, a < b)
        BINARY(OP_LE, a <= b)
        BINARY(OP_GT, a > b)
        BINARY(OP_GE, a >= b)
        BINARY(OP_EQ, a == b)
        BINARY(OP_NE, a != b)
#undef BINARY
        case OP_DIV:
        case OP_MOD:
            b = vm->stack[--vm->sp];
            a = vm->stack[vm->sp - 1];
            if (b == 0 || (b == -1 && a == INT64_MIN)) die("division by zero or overflow", NULL);
            vm->stack[vm->sp - 1] = code[pc - 1] == OP_DIV ? a / b : a % b;
            break;
        case OP_NEG:
            vm->stack[vm->sp - 1] = wrap_sub(0, vm->stack[vm->sp - 1]);
            break;
        case OP_NOT:
            vm->stack[vm->sp - 1] = !vm->stack[vm->sp - 1];
            break;
        case OP_JMP:
            pc = code[pc];
            break;
        case OP_JZ:
            pc = vm->stack[--vm->sp] ? pc + 1 : code[pc];
            break;
        case OP_JZ_OR_POP: /* a && b: a false left as the result, else popped */
            if (vm->stack[vm->sp - 1] == 0) pc = code[pc];
            else { vm->sp--; pc++; }
            break;
        case OP_JNZ_OR_POP:
            if (vm->stack[vm->sp - 1] != 0) pc = code[pc];
            else { vm->sp--; pc++; }
            break;
        case OP_CALL: {
            const struct function *f = &vm->prog->funcs[code[pc]];
            int argc = code[pc + 1];
            if (argc != f->nparams) die("wrong number of arguments to", f->name);
            if (vm->nframes == vm->frames_cap) {
                if (vm->frames_cap >= 100000) die("call stack exhausted", f->name);
                vm->frames_cap *= 2;
                vm->frames = xrealloc(vm->frames, (size_t)vm->frames_cap * sizeof *vm->frames);
            }
            vm->frames[vm->nframes].ret_pc = pc + 2;
            vm->frames[vm->nframes].base = vm->sp - argc;
            vm->nframes++;
            for (int i = f->nparams; i < f->nlocals; i++) push(vm, 0);
            pc = f->entry;
            break;
        }
        case OP_CALLB: {
            const struct builtin *bi = &builtins[code[pc++]];
            vm->sp -= bi->arity;
            int64_t r = bi->fn(vm, &vm->stack[vm->sp]);
            push(vm, r);
            break;
        }
        case OP_RET: {
            int64_t r = vm->stack[--vm->sp];
            struct frame *fr = &vm->frames[--vm->nframes];
            vm->sp = fr->base;
            pc = fr->ret_pc;
            push(vm, r);
            break;
        }
        case OP_HALT:
            return steps;
        default:
            die("bad opcode", NULL);
        }
    }
}

/* ---- the script ---------------------------------------------------------------- */

static const char script_template[] =
    "// A deterministic pseudo-random generator (an LCG), kept in a global.\n"
    "var seed = 20261201;\n"
    "func rand() { seed = (seed * 1103515245 + 12345) %% 2147483648; return seed / 65536; }\n"
    "func fib(n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }\n"
    "func collatz(n) {\n"
    "  var steps = 0;\n"
    "  while (n != 1) { if (n %% 2 == 0) n = n / 2; else n = 3 * n + 1; steps = steps + 1; }\n"
    "  return steps;\n"
    "}\n"
    "func sieve(n) {\n"
    "  var flags = array(n + 1); var count = 0; var i = 2;\n"
    "  while (i <= n) {\n"
    "    if (!get(flags, i)) {\n"
    "      count = count + 1;\n"
    "      var j = i * i;\n"
    "      while (j <= n) { set(flags, j, 1); j = j + i; }\n"
    "    }\n"
    "    i = i + 1;\n"
    "  }\n"
    "  free(flags);\n"
    "  return count;\n"
    "}\n"
    "func gcd(a, b) { while (b != 0) { var t = a %% b; a = b; b = t; } return a; }\n"
    "// Shell sort of n random numbers; returns a checksum of the sorted order.\n"
    "func sorted_sum(n) {\n"
    "  var a = array(n); var i = 0;\n"
    "  while (i < n) { set(a, i, rand() %% 10000); i = i + 1; }\n"
    "  var gap = n / 2;\n"
    "  while (gap > 0) {\n"
    "    i = gap;\n"
    "    while (i < n) {\n"
    "      var v = get(a, i); var j = i;\n"
    "      while (j >= gap && get(a, j - gap) > v) { set(a, j, get(a, j - gap)); j = j - gap; }\n"
    "      set(a, j, v);\n"
    "      i = i + 1;\n"
    "    }\n"
    "    gap = gap / 2;\n"
    "  }\n"
    "  var sum = 0; i = 0;\n"
    "  while (i < n) { sum = (sum * 31 + get(a, i)) %% 1000000007; i = i + 1; }\n"
    "  free(a);\n"
    "  return sum;\n"
    "}\n"
    "// Top-level code: its variables are globals, looked up by name.\n"
    "var total = 0; var k = 1;\n"
    "while (k <= %d) { total = total + collatz(k); k = k + 1; }\n"
    "print(total);\n"
    "print(fib(%d));\n"
    "print(sieve(%d));\n"
    "var g = 0; k = 1;\n"
    "while (k <= %d) { g = g + gcd(k * 7919, 104729 + k * 13); k = k + 1; }\n"
    "print(g);\n"
    "print(sorted_sum(%d));\n"
    "var hits = 0; k = 0;\n"
    "while (k < %d) { if (rand() %% 7 == 3 || (k %% 5 == 1 && rand() %% 3 == 0)) hits = hits + 1; k = k + 1; }\n"
    "print(hits);\n";

int main(int argc, char **argv) {
    int scale = 100;
    if (argc > 1) {
        scale = atoi(argv[1]);
        if (scale < 1 || scale > 100000) die("SCALE must be 1..100000", argv[1]);
    }
    /* Fibonacci grows exponentially: its index follows the scale logarithmically. */
    int fib_n = 14;
    for (int s = scale; s > 1; s /= 2) fib_n++;
    if (fib_n > 30) fib_n = 30;
    char *src = xmalloc(sizeof script_template + 64);
    snprintf(src, sizeof script_template + 64, script_template, scale * 240, fib_n, scale * 2400, scale * 180,
             scale * 36, scale * 600);

    struct program prog = {0};
    compile(&prog, src, builtins, (int)(sizeof builtins / sizeof builtins[0]));
    printf("minivm: scale %d: %d words of bytecode, %d functions, %d global names\n", scale, prog.ncode,
           prog.nfuncs, prog.nnames);

    struct vm vm = {0};
    vm.prog = &prog;
    globals_init(&vm.globals);
    vm.stack_cap = 256;
    vm.stack = xmalloc((size_t)vm.stack_cap * sizeof *vm.stack);
    vm.frames_cap = 64;
    vm.frames = xmalloc((size_t)vm.frames_cap * sizeof *vm.frames);
    vm.frames[0].base = 0; /* top level: a frame for LOADL never used there */
    vm.frames[0].ret_pc = -1;
    vm.nframes = 1;
    vm.checksum = 0xcbf29ce484222325ull;
    uint64_t steps = run(&vm);
    printf("minivm: %d results, %llu instructions, %u globals, checksum %016llx\n", vm.printed,
           (unsigned long long)steps, vm.globals.count, (unsigned long long)vm.checksum);

    for (int i = 0; i < vm.narrays; i++) free(vm.arrays[i].items);
    free(vm.arrays);
    free(vm.stack);
    free(vm.frames);
    globals_free(&vm.globals);
    program_free(&prog);
    free(src);
    return 0;
}
