/* Word counting with a string-keyed hash map: formatting numbers into strings, FNV-1a
 * hashing, open addressing with linear probing, string compares, a bump allocator. */
#include "common.h"

#define CAP (1u << 16) /* slots; at most CAP/2 distinct keys */
#define ARENA (1u << 20)

typedef struct {
    const char *key;
    u32 len;
    u32 hash;
    i64 count;
} Slot;

static Slot table[CAP];
static char arena[ARENA];
static u32 arena_used;
static u32 entries;

static u32 fnv1a(const char *s, u32 len) {
    u32 h = 2166136261u;
    for (u32 i = 0; i < len; i++) h = (h ^ (u8)s[i]) * 16777619u;
    return h;
}

static int str_eq(const char *a, const char *b, u32 len) {
    for (u32 i = 0; i < len; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

/* "w" + base-26 letters of x + "-" + decimal digits of x % 1000. */
static u32 make_key(char *out, u32 x) {
    u32 n = 0;
    out[n++] = 'w';
    u32 v = x;
    do {
        out[n++] = (char)('a' + v % 26);
        v /= 26;
    } while (v);
    out[n++] = '-';
    char digits[4];
    u32 d = 0, m = x % 1000;
    do {
        digits[d++] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    while (d) out[n++] = digits[--d];
    return n;
}

static Slot *lookup(const char *key, u32 len, int insert) {
    u32 h = fnv1a(key, len);
    u32 i = h & (CAP - 1);
    for (;;) {
        Slot *s = &table[i];
        if (!s->key) {
            if (!insert) return 0;
            char *copy = &arena[arena_used];
            for (u32 k = 0; k < len; k++) copy[k] = key[k];
            arena_used += len;
            s->key = copy;
            s->len = len;
            s->hash = h;
            s->count = 0;
            entries++;
            return s;
        }
        if (s->hash == h && s->len == len && str_eq(s->key, key, len)) return s;
        i = (i + 1) & (CAP - 1);
    }
}

static void reset(void) {
    for (u32 i = 0; i < CAP; i++) table[i].key = 0;
    arena_used = 0;
    entries = 0;
}

/* n is the number of thousands of map operations. */
EXPORT("run") i64 run(i32 n) {
    rng_seed(42);
    reset();
    char key[32];
    u64 check = 0;
    u32 ops = (u32)n * 1000;
    for (u32 op = 0; op < ops; op++) {
        u32 r = (u32)rng_next();
        /* skewed key distribution: small keys are common */
        u32 x = (r & 1) ? (r >> 1) % 512 : (r >> 1) % 20000;
        u32 len = make_key(key, x);
        if (op % 4 == 3) {
            Slot *s = lookup(key, len, 0);
            check += s ? (u64)s->count : 7;
        } else {
            lookup(key, len, 1)->count += (i64)(op & 7) + 1;
        }
        if (entries >= CAP / 2 || arena_used + 64 > ARENA) {
            check = check * 31 + entries;
            reset();
        }
    }
    for (u32 i = 0; i < CAP; i++)
        if (table[i].key) check = check * 1099511628211ull + (u64)table[i].count * table[i].hash;
    return (i64)(check ^ entries);
}
