// Exceptions thrown and caught across many frames: WebAssembly exception handling (the final
// exnref proposal) in a real program. C can throw a wasm exception (__builtin_wasm_throw)
// but cannot catch one, so the handlers are WebAssembly assembly: throw-runtime/handlers.s
// (try_table with catch, catch_all, catch_ref and catch_all_ref clauses, throw_ref, a
// second tag thrown by `throw`; documented there). Built by `cargo xtask fixtures` as
//   clang-22 --target=wasm32-wasi -O2 -mexception-handling throw.c throw-runtime/handlers.s
// The native build (`cc -O1 throw.c`) has the same handlers written with setjmp/longjmp and
// a stack of handlers, so its output is the wasm build's.
//
// What it exercises: a transaction processor whose errors are heap-allocated error structs
// with messages, thrown several frames below the handler; catch_all; catching with a
// reference and re-throwing it (throw_ref) to an outer handler, through several rethrowing
// layers; an exception through 2000 frames of recursion; nested handlers where the inner
// one is for another tag, so the outer one catches (and the other way round); one
// try_table with three clauses; and a loop of 10,000 throws with a checksum.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*thunk)(void *);

// ---- The handlers: wasm assembly on wasm, setjmp/longjmp natively ----------------------
#ifdef __wasm__
int try_call(thunk fn, void *arg, void **caught);
int try_call_other(thunk fn, void *arg, void **caught);
int try_call_all(thunk fn, void *arg);
int classify(thunk fn, void *arg, void **caught);
void call_rethrow(thunk fn, void *arg, int *seen);
void call_rethrow_ref(thunk fn, void *arg, void **seen);
_Noreturn void throw_other(void *payload);
// Tag index 0: `__cpp_exception`, defined in handlers.s.
static _Noreturn void throw_cpp(void *payload) { __builtin_wasm_throw(0, payload); }
#else
#include <setjmp.h>
enum { TAG_CPP = 1, TAG_OTHER = 2, TAG_ANY = 3 };
struct handler {
    jmp_buf env;
    int tags;
    struct handler *outer;
    int tag;
    void *payload;
};
static struct handler *top;

static _Noreturn void native_throw(int tag, void *payload) {
    while (top && !(top->tags & tag)) top = top->outer;
    if (!top) {
        fprintf(stderr, "uncaught exception\n");
        abort();
    }
    struct handler *h = top;
    top = h->outer;
    h->tag = tag;
    h->payload = payload;
    longjmp(h->env, 1);
}
static _Noreturn void throw_cpp(void *payload) { native_throw(TAG_CPP, payload); }
static _Noreturn void throw_other(void *payload) { native_throw(TAG_OTHER, payload); }

// Runs fn(arg) under a handler for `tags`; returns the caught tag (0: fn returned).
static int guarded(int tags, thunk fn, void *arg, void **payload) {
    struct handler h;
    h.tags = tags;
    h.outer = top;
    top = &h;
    if (setjmp(h.env) == 0) {
        fn(arg);
        top = h.outer;
        return 0;
    }
    *payload = h.payload;
    return h.tag;
}
static int try_call(thunk fn, void *arg, void **caught) { return guarded(TAG_CPP, fn, arg, caught) != 0; }
static int try_call_other(thunk fn, void *arg, void **caught) { return guarded(TAG_OTHER, fn, arg, caught) != 0; }
static int try_call_all(thunk fn, void *arg) {
    void *p;
    return guarded(TAG_ANY, fn, arg, &p) != 0;
}
static int classify(thunk fn, void *arg, void **caught) {
    void *p;
    int tag = guarded(TAG_ANY, fn, arg, &p);
    if (tag == TAG_CPP) *caught = p;
    return tag == TAG_OTHER ? 1 : tag == TAG_CPP ? 2 : 0;
}
static void call_rethrow(thunk fn, void *arg, int *seen) {
    void *p;
    int tag = guarded(TAG_ANY, fn, arg, &p);
    if (tag) {
        ++*seen;
        native_throw(tag, p);
    }
}
static void call_rethrow_ref(thunk fn, void *arg, void **seen) {
    void *p;
    int tag = guarded(TAG_CPP, fn, arg, &p);
    if (tag) {
        *seen = p;
        native_throw(tag, p);
    }
}
#endif

// ---- 1. A transaction processor with heap-allocated errors -----------------------------
struct error {
    int code;
    char message[80];
};

static _Noreturn void fail(int code, const char *fmt, const char *who, long long amount) {
    struct error *e = malloc(sizeof *e);
    e->code = code;
    snprintf(e->message, sizeof e->message, fmt, who, amount);
    throw_cpp(e);
}

struct account {
    const char *name;
    long long balance;
    int frozen;
};
static struct account accounts[] = {
    {"alice", 1000, 0}, {"bob", 250, 0}, {"carol", 0, 1}, {"dave", 5000, 0},
};
#define NACCOUNTS (int)(sizeof accounts / sizeof *accounts)

static struct account *find(const char *name) {
    for (int i = 0; i < NACCOUNTS; i++)
        if (strcmp(accounts[i].name, name) == 0) return &accounts[i];
    fail(404, "no account named %s (amount %lld)", name, 0);
}

static void check(struct account *a, long long amount) {
    if (a->frozen) fail(403, "account %s is frozen (amount %lld)", a->name, amount);
    if (amount <= 0) fail(400, "bad amount for %s: %lld", a->name, amount);
}

static void debit(struct account *a, long long amount) {
    check(a, amount);
    if (a->balance < amount) fail(402, "%s cannot pay %lld", a->name, amount);
    a->balance -= amount;
}

static void credit(struct account *a, long long amount) {
    check(a, amount);
    a->balance += amount;
}

struct transfer {
    const char *from, *to;
    long long amount;
};

// transfer → debit/credit → check → fail: the throw is 3 to 4 frames below try_call.
static void do_transfer(void *arg) {
    struct transfer *t = arg;
    struct account *from = find(t->from), *to = find(t->to);
    debit(from, t->amount);
    credit(to, t->amount);
}

static void transactions(void) {
    printf("-- transactions\n");
    static const struct transfer batch[] = {
        {"alice", "bob", 300}, {"bob", "carol", 10}, {"bob", "dave", 600}, {"dave", "eve", 1},
        {"dave", "alice", -5}, {"dave", "bob", 450},  {"bob", "alice", 1000},
    };
    for (unsigned i = 0; i < sizeof batch / sizeof *batch; i++) {
        void *caught = NULL;
        struct transfer t = batch[i];
        if (try_call(do_transfer, &t, &caught)) {
            struct error *e = caught;
            printf("  %s -> %s %lld: error %d: %s\n", t.from, t.to, t.amount, e->code, e->message);
            free(e);
        } else {
            printf("  %s -> %s %lld: ok\n", t.from, t.to, t.amount);
        }
    }
    for (int i = 0; i < NACCOUNTS; i++) printf("  %s: %lld\n", accounts[i].name, accounts[i].balance);
}

// ---- 2. catch_all, classify ----------------------------------------------------------
static int payload_value = 42;
static void returns(void *arg) { (void)arg; }
static void throws_cpp(void *arg) { throw_cpp(arg); }
static void throws_other(void *arg) { throw_other(arg); }

static void catch_all_and_classify(void) {
    printf("-- catch_all and classify\n");
    printf("  catch_all: returns %d, cpp %d, other %d\n", try_call_all(returns, NULL),
           try_call_all(throws_cpp, &payload_value), try_call_all(throws_other, &payload_value));
    void *caught = NULL;
    int a = classify(returns, NULL, &caught);
    int b = classify(throws_other, &payload_value, &caught);
    int c = classify(throws_cpp, &payload_value, &caught);
    printf("  classify: returns %d, other %d, cpp %d (payload %d)\n", a, b, c, *(int *)caught);
}

// ---- 3. Re-throwing: catch_ref/catch_all_ref then throw_ref ---------------------------
struct layers {
    int n;
    int seen;
    void *seen_payload;
};

// `n` nested rethrowing handlers (alternately catch_all_ref and catch_ref), then a throw.
static void rethrow_layers(void *arg) {
    struct layers *l = arg;
    if (l->n == 0) fail(7, "from the bottom of %s (%lld)", "the layers", 0);
    l->n--;
    if (l->n % 2) call_rethrow(rethrow_layers, l, &l->seen);
    else call_rethrow_ref(rethrow_layers, l, &l->seen_payload);
}

static void rethrowing(void) {
    printf("-- rethrow with throw_ref\n");
    for (int n = 1; n <= 9; n += 4) {
        struct layers l = {n, 0, NULL};
        void *caught = NULL;
        int got = try_call(rethrow_layers, &l, &caught);
        struct error *e = caught;
        printf("  %d layers: caught %d, %d catch_all_ref rethrows, same payload at catch_ref %d: %d %s\n", n, got,
               l.seen, l.seen_payload == caught, e->code, e->message);
        free(e);
    }
}

// ---- 4. Through deep recursion ----------------------------------------------------------
static int deepest;

static long long recurse(int n, int limit) {
    if (n > deepest) deepest = n;
    if (n == limit) {
        struct error *e = malloc(sizeof *e);
        e->code = n;
        snprintf(e->message, sizeof e->message, "thrown at depth %d", n);
        throw_cpp(e);
    }
    return recurse(n + 1, limit) * 2 + n;  // not a tail call
}

static void deep(void *arg) { recurse(0, *(int *)arg); }

static void deep_unwind(void) {
    printf("-- deep recursion\n");
    static const int limits[] = {10, 100, 1000, 2000};
    for (int i = 0; i < 4; i++) {
        int l = limits[i];
        void *caught = NULL;
        deepest = 0;
        int got = try_call(deep, &l, &caught);
        struct error *e = caught;
        printf("  limit %d: caught %d, deepest %d, code %d, %s\n", l, got, deepest, e->code, e->message);
        free(e);
    }
}

// ---- 5. Nested handlers for different tags ---------------------------------------------
struct nest {
    int which;  // 0: throw cpp, 1: throw other
    int inner_caught;
};

static void inner_other(void *arg) {
    struct nest *n = arg;
    void *caught = NULL;
    // A handler for throw_other_tag only: a __cpp_exception passes through it.
    n->inner_caught = try_call_other(n->which ? throws_other : throws_cpp, &payload_value, &caught);
}

static void nested(void) {
    printf("-- nested handlers\n");
    for (int which = 0; which < 2; which++) {
        struct nest n = {which, -1};
        void *caught = NULL;
        int outer = try_call(inner_other, &n, &caught);
        printf("  throw %s: inner (other-tag) handler %s, outer (cpp) handler %s\n", which ? "other" : "cpp",
               n.inner_caught == 1 ? "caught it" : n.inner_caught == -1 ? "was unwound" : "saw a return",
               outer ? "caught it" : "saw a return");
    }
}

// ---- 6. Many throws --------------------------------------------------------------------
static unsigned long long seed = 2024;
static unsigned next_rand(void) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(seed >> 33);
}

struct job {
    int depth;
    int value;
};

static int compute(int depth, int value) {
    if (depth == 0) {
        if (value % 7 == 0) throw_cpp((void *)(long)value);  // the payload is just a number
        if (value % 11 == 0) throw_other((void *)(long)value);
        return value;
    }
    return compute(depth - 1, value + depth) + 1;
}

static void run_job(void *arg) {
    struct job *j = arg;
    j->value = compute(j->depth, j->value);
}

static void many(void) {
    printf("-- many throws\n");
    int returned = 0, cpp = 0, other = 0;
    unsigned long long checksum = 0;
    for (int i = 0; i < 30000; i++) {
        struct job j = {(int)(next_rand() % 16), (int)(next_rand() % 1000)};
        void *caught = NULL;
        switch (classify(run_job, &j, &caught)) {
        case 0:
            returned++;
            checksum = checksum * 31 + (unsigned)j.value;
            break;
        case 1:
            other++;
            checksum = checksum * 31 + 1;
            break;
        case 2:
            cpp++;
            checksum = checksum * 31 + (unsigned)(long)caught;
            break;
        }
    }
    printf("  30000 jobs: %d returned, %d threw cpp, %d threw other, checksum %llu\n", returned, cpp, other,
           checksum);
    // 10,000 throws in a row, each through 5 frames and caught by try_call.
    long long sum = 0;
    for (int i = 0; i < 10000; i++) {
        struct job j = {4, 7 * i - 10};  // compute adds 4+3+2+1 = 10: the bottom value is 7 * i
        void *caught = NULL;
        if (try_call(run_job, &j, &caught)) sum += (long)caught;
    }
    printf("  10000 throws: sum of payloads %lld\n", sum);
}

int main(void) {
    transactions();
    catch_all_and_classify();
    rethrowing();
    deep_unwind();
    nested();
    many();
    return 0;
}
