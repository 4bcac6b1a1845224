/* wordfreq: word frequencies, anagram classes and a grep-and-sort over generated text.
 *
 * A benchmark program of wasmscope's real-program set (bench/programs/, issue 15): the
 * kind of code a text-processing tool is made of. It generates a deterministic text
 * (words built from syllables, drawn with a skewed distribution, with capitals and
 * punctuation) into a growing buffer, then runs its passes through a table of function
 * pointers:
 *   - count: tokenise and lowercase every line, count words in a chained hash table of
 *     malloc'd nodes (rehashed as it grows), qsort them by count and print the top ten;
 *   - anagrams: group the distinct words by their sorted letters in a second hash table,
 *     print the largest classes (members sorted with qsort);
 *   - grep: the lines matching a wildcard pattern, sorted with qsort and strcmp, hashed.
 * Prints a few lines per pass and a checksum of everything.
 *
 * Usage: wordfreq [SCALE]   (SCALE defaults to 100: SCALE thousand lines, in documents of 12,500)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what) {
    fprintf(stderr, "wordfreq: %s\n", what);
    exit(2);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) die("out of memory");
    return p;
}

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (!p) die("out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n);
    if (!p) die("out of memory");
    return p;
}

/* ---- deterministic input ------------------------------------------------------- */

static uint32_t rng_state = 0x2545f491u;

static uint32_t rng(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

struct buffer {
    char *data;
    size_t len, cap;
};

static void buf_append(struct buffer *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap) b->cap = b->cap ? b->cap * 2 : 4096;
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

static const char *const syllables[] = {
    "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "an", "el", "or", "us", "ba", "de",
    "fi", "go", "hu", "ja", "ke", "li", "mo", "nu", "pa", "qi", "re", "so", "tu", "we",
    "xa", "yo", "ze", "st", "tr", "ch", "sh", "th", "on", "en", "is", "at",
};
#define NSYLLABLES (sizeof syllables / sizeof syllables[0])

static char **make_vocabulary(int n) {
    char **words = xmalloc((size_t)n * sizeof *words);
    for (int i = 0; i < n; i++) {
        char w[32];
        int len = 0, parts = 1 + (int)(rng() % 4);
        for (int p = 0; p < parts; p++) {
            const char *s = syllables[rng() % NSYLLABLES];
            size_t sl = strlen(s);
            memcpy(w + len, s, sl);
            len += (int)sl;
        }
        w[len] = 0;
        words[i] = xmalloc((size_t)len + 1);
        memcpy(words[i], w, (size_t)len + 1);
    }
    return words;
}

/* A word index skewed towards small indices (roughly Zipf-like). */
static int pick(int n) {
    uint32_t a = rng() % (uint32_t)n, b = rng() % (uint32_t)n;
    return (int)((uint64_t)a * b / (uint32_t)n);
}

static void make_text(struct buffer *text, char **vocab, int nvocab, int lines) {
    char word[40];
    for (int l = 0; l < lines; l++) {
        int n = 4 + (int)(rng() % 12);
        for (int i = 0; i < n; i++) {
            const char *w = vocab[pick(nvocab)];
            int len = snprintf(word, sizeof word, "%s%s", i ? " " : "", w);
            if (i == 0 || rng() % 16 == 0) word[i ? 1 : 0] -= 'a' - 'A';
            buf_append(text, word, (size_t)len);
            uint32_t r = rng() % 20;
            if (r == 0) buf_append(text, ",", 1);
            else if (r == 1) buf_append(text, ";", 1);
        }
        buf_append(text, rng() % 3 ? ".\n" : "!\n", 2);
    }
}

/* ---- a string-keyed hash table ------------------------------------------------- */

static uint32_t fnv1a(const char *s, size_t n, uint32_t h) {
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

struct entry {
    char *key;
    uint32_t hash;
    uint32_t count;
    void *data; /* the anagram table keeps its member list here */
    struct entry *next;
};

struct table {
    struct entry **buckets;
    uint32_t nbuckets, count;
};

static void table_init(struct table *t) {
    t->nbuckets = 64;
    t->count = 0;
    t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
}

static void table_grow(struct table *t) {
    uint32_t n = t->nbuckets * 2;
    struct entry **b = xcalloc(n, sizeof *b);
    for (uint32_t i = 0; i < t->nbuckets; i++) {
        for (struct entry *e = t->buckets[i], *next; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

/* The entry for key[0..n), created with count 0 if absent. */
static struct entry *table_get(struct table *t, const char *key, size_t n) {
    uint32_t h = fnv1a(key, n, 2166136261u);
    for (struct entry *e = t->buckets[h & (t->nbuckets - 1)]; e; e = e->next)
        if (e->hash == h && strncmp(e->key, key, n) == 0 && e->key[n] == 0) return e;
    if (t->count >= t->nbuckets) table_grow(t);
    struct entry *e = xmalloc(sizeof *e);
    e->key = xmalloc(n + 1);
    memcpy(e->key, key, n);
    e->key[n] = 0;
    e->hash = h;
    e->count = 0;
    e->data = NULL;
    e->next = t->buckets[h & (t->nbuckets - 1)];
    t->buckets[h & (t->nbuckets - 1)] = e;
    t->count++;
    return e;
}

/* Every entry, in an array the caller frees. */
static struct entry **table_entries(const struct table *t) {
    struct entry **all = xmalloc(((size_t)t->count + 1) * sizeof *all);
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->nbuckets; i++)
        for (struct entry *e = t->buckets[i]; e; e = e->next) all[n++] = e;
    return all;
}

static void table_free(struct table *t, void (*free_data)(void *)) {
    for (uint32_t i = 0; i < t->nbuckets; i++) {
        for (struct entry *e = t->buckets[i], *next; e; e = next) {
            next = e->next;
            if (free_data) free_data(e->data);
            free(e->key);
            free(e);
        }
    }
    free(t->buckets);
}

/* ---- the passes ---------------------------------------------------------------- */

struct state {
    const struct buffer *text;
    int verbose; /* print the details (the first document only) */
    struct table words;
    uint64_t tokens, matched;
    uint32_t checksum;
};

static int by_count_then_word(const void *a, const void *b) {
    const struct entry *x = *(const struct entry *const *)a, *y = *(const struct entry *const *)b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void pass_count(struct state *st) {
    table_init(&st->words);
    const char *p = st->text->data, *end = p + st->text->len;
    char word[64];
    while (p < end) {
        while (p < end && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) p++;
        size_t n = 0;
        while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
            char c = *p++;
            if (n < sizeof word - 1) word[n++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
        if (n == 0) continue;
        table_get(&st->words, word, n)->count++;
        st->tokens++;
    }
    struct entry **all = table_entries(&st->words);
    qsort(all, st->words.count, sizeof *all, by_count_then_word);
    if (st->verbose) {
        printf("count: %llu words, %u distinct; top ten:", (unsigned long long)st->tokens, st->words.count);
        for (uint32_t i = 0; i < 10 && i < st->words.count; i++) printf(" %s=%u", all[i]->key, all[i]->count);
        printf("\n");
    }
    for (uint32_t i = 0; i < st->words.count; i++) {
        st->checksum = fnv1a(all[i]->key, strlen(all[i]->key), st->checksum);
        st->checksum = (st->checksum ^ all[i]->count) * 16777619u;
    }
    free(all);
}

struct members {
    const char **items;
    uint32_t n, cap;
};

static void members_free(void *p) {
    struct members *m = p;
    if (!m) return;
    free(m->items);
    free(m);
}

static int by_string(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_class_size(const void *a, const void *b) {
    const struct entry *x = *(const struct entry *const *)a, *y = *(const struct entry *const *)b;
    const struct members *mx = x->data, *my = y->data;
    if (mx->n != my->n) return mx->n > my->n ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void pass_anagrams(struct state *st) {
    struct table classes;
    table_init(&classes);
    struct entry **words = table_entries(&st->words);
    char key[64];
    for (uint32_t i = 0; i < st->words.count; i++) {
        size_t n = strlen(words[i]->key);
        memcpy(key, words[i]->key, n);
        for (size_t a = 1; a < n; a++) { /* insertion sort of the letters */
            char c = key[a];
            size_t b = a;
            while (b > 0 && key[b - 1] > c) {
                key[b] = key[b - 1];
                b--;
            }
            key[b] = c;
        }
        struct entry *cls = table_get(&classes, key, n);
        struct members *m = cls->data;
        if (!m) m = cls->data = xcalloc(1, sizeof *m);
        if (m->n == m->cap) {
            m->cap = m->cap ? m->cap * 2 : 2;
            m->items = xrealloc(m->items, m->cap * sizeof *m->items);
        }
        m->items[m->n++] = words[i]->key;
    }
    struct entry **all = table_entries(&classes);
    qsort(all, classes.count, sizeof *all, by_class_size);
    uint32_t multi = 0;
    for (uint32_t i = 0; i < classes.count; i++) {
        struct members *m = all[i]->data;
        if (m->n > 1) multi++;
        qsort(m->items, m->n, sizeof *m->items, by_string);
        for (uint32_t j = 0; j < m->n; j++) st->checksum = fnv1a(m->items[j], strlen(m->items[j]), st->checksum);
    }
    if (st->verbose) printf("anagrams: %u classes, %u with more than one word\n", classes.count, multi);
    for (uint32_t i = 0; st->verbose && i < 3 && i < classes.count; i++) {
        struct members *m = all[i]->data;
        printf("  %u:", m->n);
        for (uint32_t j = 0; j < m->n && j < 6; j++) printf(" %s", m->items[j]);
        printf("%s\n", m->n > 6 ? " ..." : "");
    }
    free(all);
    free(words);
    table_free(&classes, members_free);
}

/* Does text[0..n) match pattern (`*` any run, `?` any one character) anywhere? */
static int match_here(const char *pat, const char *s, const char *end) {
    for (; *pat; pat++, s++) {
        if (*pat == '*') {
            for (const char *t = s; t <= end; t++)
                if (match_here(pat + 1, t, end)) return 1;
            return 0;
        }
        if (s == end || (*pat != '?' && *pat != *s)) return 0;
    }
    return 1;
}

static int matches(const char *pat, const char *s, const char *end) {
    for (; s < end; s++)
        if (*s == pat[0] && match_here(pat, s, end)) return 1;
    return 0;
}

static void pass_grep(struct state *st) {
    static const char *const patterns[] = {"ka*mo?", "the*st", "zer*on"};
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
        const char **lines = NULL;
        uint32_t n = 0, cap = 0;
        char *copy = xmalloc(st->text->len + 1);
        memcpy(copy, st->text->data, st->text->len + 1);
        for (char *line = copy; line < copy + st->text->len;) {
            char *nl = memchr(line, '\n', (size_t)(copy + st->text->len - line));
            if (!nl) nl = copy + st->text->len;
            *nl = 0;
            if (matches(patterns[p], line, nl)) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 64;
                    lines = xrealloc(lines, cap * sizeof *lines);
                }
                lines[n++] = line;
            }
            line = nl + 1;
        }
        qsort(lines, n, sizeof *lines, by_string);
        uint32_t h = 2166136261u;
        for (uint32_t i = 0; i < n; i++) h = fnv1a(lines[i], strlen(lines[i]), h);
        st->checksum ^= h;
        st->matched += n;
        if (st->verbose) {
            printf("grep '%s': %u lines, hash %08x", patterns[p], n, h);
            if (n) printf(", first \"%.32s\"", lines[0]);
            printf("\n");
        }
        free(lines);
        free(copy);
    }
}

static const struct {
    const char *name;
    void (*run)(struct state *);
} passes[] = {
    {"count", pass_count},
    {"anagrams", pass_anagrams},
    {"grep", pass_grep},
};

/* Lines per document: each is counted, grouped and searched on its own. */
#define DOC_LINES 12500

int main(int argc, char **argv) {
    int scale = 100;
    if (argc > 1) {
        scale = atoi(argv[1]);
        if (scale < 1 || scale > 100000) die("SCALE must be 1..100000");
    }
    int nvocab = 2000 + 40 * scale;
    if (nvocab > 20000) nvocab = 20000;
    char **vocab = make_vocabulary(nvocab);
    int total = 1000 * scale, docs = 0;
    uint64_t bytes = 0, tokens = 0, distinct = 0, matched = 0;
    uint32_t checksum = 2166136261u;
    printf("wordfreq: scale %d: %d lines, vocabulary of %d\n", scale, total, nvocab);
    for (int done = 0; done < total; done += DOC_LINES, docs++) {
        struct buffer text = {0};
        make_text(&text, vocab, nvocab, total - done < DOC_LINES ? total - done : DOC_LINES);
        struct state st = {.text = &text, .verbose = docs == 0, .checksum = checksum};
        if (st.verbose) printf("document 1: %zu bytes\n", text.len);
        for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++) passes[i].run(&st);
        bytes += text.len;
        tokens += st.tokens;
        distinct += st.words.count;
        matched += st.matched;
        checksum = st.checksum;
        table_free(&st.words, NULL);
        free(text.data);
    }
    printf("wordfreq: %d documents, %llu bytes, %llu words, %llu distinct per document summed, %llu lines matched\n",
           docs, (unsigned long long)bytes, (unsigned long long)tokens, (unsigned long long)distinct,
           (unsigned long long)matched);
    printf("wordfreq: checksum %08x\n", checksum);
    for (int i = 0; i < nvocab; i++) free(vocab[i]);
    free(vocab);
    return 0;
}
