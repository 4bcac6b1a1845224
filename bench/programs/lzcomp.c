/* lzcomp: an LZ77 + Huffman compressor and its decompressor, checked against each other.
 *
 * A benchmark program of wasmscope's real-program set (bench/programs/, issue 15): the
 * kind of code a compressor is made of. It builds a deterministic input from segments of
 * several kinds (text, log-like records made with snprintf, near-copies of earlier data,
 * skewed noise), chosen through a table of generator functions; then, at two effort
 * levels, it compresses the input in blocks (hash-chain match finder over a 32 KiB
 * window with one step of lazy matching, deflate's length and distance codes, a Huffman
 * code per block built from qsorted leaves and limited to 15 bits, an MSB-first bit
 * writer), decompresses it (canonical Huffman decoding bit by bit) and verifies the
 * result byte for byte and by CRC-32. Prints the sizes, the token counts and the CRCs.
 *
 * Usage: lzcomp [SCALE]   (SCALE defaults to 100: SCALE * 16 KiB of input)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what) {
    fprintf(stderr, "lzcomp: %s\n", what);
    exit(2);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) die("out of memory");
    return p;
}

/* ---- CRC-32 (IEEE, reflected) -------------------------------------------------- */

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, size_t n) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

/* ---- deterministic input ------------------------------------------------------- */

static uint32_t rng_state = 0x9e3779b9u;

static uint32_t rng(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

struct input {
    uint8_t *data;
    size_t len, cap;
};

static void put(struct input *in, const void *p, size_t n) {
    if (in->len + n > in->cap) n = in->cap - in->len;
    memcpy(in->data + in->len, p, n);
    in->len += n;
}

static const char *const words[] = {
    "the", "of", "and", "compress", "window", "match", "literal", "length", "distance",
    "block", "code", "tree", "symbol", "frequency", "buffer", "stream", "header", "bits",
    "a", "to", "in", "is", "that", "for", "with", "as", "on", "by", "huffman", "table",
};
#define NWORDS (sizeof words / sizeof words[0])

static void gen_text(struct input *in, size_t n) {
    size_t end = in->len + n, col = 0;
    while (in->len < end && in->len < in->cap) {
        const char *w = words[(rng() % NWORDS) * (rng() % NWORDS) / NWORDS];
        size_t len = strlen(w);
        put(in, w, len);
        col += len + 1;
        if (col > 72) {
            put(in, ".\n", 2);
            col = 0;
        } else {
            put(in, " ", 1);
        }
    }
}

static void gen_records(struct input *in, size_t n) {
    static const char *const users[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace"};
    static const char *const levels[] = {"INFO", "WARN", "DEBUG", "ERROR"};
    static uint32_t id = 1000, ts = 1700000000u;
    size_t end = in->len + n;
    char line[128];
    while (in->len < end && in->len < in->cap) {
        /* One draw per statement: the order of a call's arguments is unspecified. */
        ts += rng() % 5;
        const char *level = levels[rng() % 4 ? 0 : 1 + rng() % 3];
        const char *user = users[rng() % 7];
        uint32_t latency = rng() % 900;
        uint32_t bytes = (rng() % 64) * 512;
        int len = snprintf(line, sizeof line, "%u [%s] id=%06u user=%s latency=%ums bytes=%u\n", ts, level, id++,
                           user, latency, bytes);
        put(in, line, (size_t)len);
    }
}

/* Earlier input again, with a few bytes changed. */
static void gen_copies(struct input *in, size_t n) {
    if (in->len < 4096) {
        gen_text(in, n);
        return;
    }
    size_t end = in->len + n;
    while (in->len < end && in->len < in->cap) {
        size_t len = 16 + rng() % 400, from = rng() % (in->len - len);
        uint8_t piece[416];
        memcpy(piece, in->data + from, len);
        piece[rng() % len] ^= (uint8_t)(1 + rng() % 255);
        put(in, piece, len);
    }
}

/* Bytes of a skewed distribution: Huffman coding helps, matches rarely do. */
static void gen_noise(struct input *in, size_t n) {
    size_t end = in->len + n;
    while (in->len < end && in->len < in->cap) {
        uint8_t b = (uint8_t)((rng() % 64) * (rng() % 64) / 16);
        put(in, &b, 1);
    }
}

static const struct {
    const char *name;
    void (*generate)(struct input *, size_t);
    unsigned weight;
} generators[] = {
    {"text", gen_text, 4},
    {"records", gen_records, 3},
    {"copies", gen_copies, 2},
    {"noise", gen_noise, 1},
};
#define NGENERATORS (sizeof generators / sizeof generators[0])

static void make_input(struct input *in, size_t size) {
    in->data = xmalloc(size);
    in->len = 0;
    in->cap = size;
    unsigned total = 0;
    for (size_t g = 0; g < NGENERATORS; g++) total += generators[g].weight;
    while (in->len < in->cap) {
        unsigned r = rng() % total;
        size_t g = 0;
        while (r >= generators[g].weight) r -= generators[g++].weight;
        generators[g].generate(in, 1024 + rng() % 8192);
    }
}

/* ---- deflate's length and distance codes --------------------------------------- */

#define NLITLEN 286 /* 0-255 literals, 256 end of block, 257-285 lengths */
#define NDIST 30
#define END_OF_BLOCK 256
#define MAX_BITS 15

static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
                                       193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

static int length_code(unsigned len) {
    int c = 28;
    while (len_base[c] > len) c--;
    return c;
}

static int distance_code(unsigned dist) {
    int lo = 0, hi = NDIST - 1; /* the last code whose base is <= dist */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (dist_base[mid] <= dist) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* ---- Huffman codes --------------------------------------------------------------- */

struct node {
    uint32_t freq;
    int symbol; /* -1 for an inner node */
    int left, right;
};

static int by_freq_then_symbol(const void *a, const void *b) {
    const struct node *x = a, *y = b;
    if (x->freq != y->freq) return x->freq < y->freq ? -1 : 1;
    return x->symbol < y->symbol ? -1 : x->symbol > y->symbol;
}

static void depths(const struct node *nodes, int n, int depth, uint8_t *lengths) {
    if (nodes[n].symbol >= 0) {
        lengths[nodes[n].symbol] = (uint8_t)(depth ? depth : 1);
        return;
    }
    depths(nodes, nodes[n].left, depth + 1, lengths);
    depths(nodes, nodes[n].right, depth + 1, lengths);
}

/* Code lengths for `freq[0..n)`, at most MAX_BITS: the sorted leaves and the inner
 * nodes form two queues merged in order (Huffman's algorithm in linear time); if the
 * tree is too deep, the frequencies are flattened and it is built again. */
static void build_lengths(const uint32_t *freq, int n, uint8_t *lengths) {
    if (n <= 0) return;
    struct node *nodes = xmalloc(sizeof *nodes * (size_t)(2 * n));
    uint32_t *f = xmalloc(sizeof *f * (size_t)n);
    memcpy(f, freq, sizeof *f * (size_t)n);
    for (;;) {
        int leaves = 0;
        for (int s = 0; s < n; s++)
            if (f[s]) nodes[leaves++] = (struct node){f[s], s, -1, -1};
        memset(lengths, 0, (size_t)n);
        if (leaves == 0) break;
        qsort(nodes, (size_t)leaves, sizeof *nodes, by_freq_then_symbol);
        int leaf = 0, inner = leaves, count = leaves;
        while ((leaves - leaf) + (count - inner) > 1) {
            int pick[2];
            for (int k = 0; k < 2; k++) {
                if (leaf < leaves && (inner == count || nodes[leaf].freq <= nodes[inner].freq)) pick[k] = leaf++;
                else pick[k] = inner++;
            }
            nodes[count++] = (struct node){nodes[pick[0]].freq + nodes[pick[1]].freq, -1, pick[0], pick[1]};
        }
        depths(nodes, count - 1, 0, lengths);
        int max = 0;
        for (int s = 0; s < n; s++)
            if (lengths[s] > max) max = lengths[s];
        if (max <= MAX_BITS) break;
        for (int s = 0; s < n; s++)
            if (f[s]) f[s] = (f[s] >> 1) | 1;
    }
    free(f);
    free(nodes);
}

/* Canonical codes from lengths (shorter codes first, then by symbol). */
static void assign_codes(const uint8_t *lengths, int n, uint16_t *codes) {
    uint16_t count[MAX_BITS + 1] = {0}, next[MAX_BITS + 2] = {0};
    for (int s = 0; s < n; s++) count[lengths[s]]++;
    count[0] = 0;
    for (int b = 1; b <= MAX_BITS; b++) next[b + 1] = (uint16_t)((next[b] + count[b]) << 1);
    for (int s = 0; s < n; s++)
        if (lengths[s]) codes[s] = next[lengths[s]]++;
}

/* ---- bit I/O ------------------------------------------------------------------- */

struct bitwriter {
    uint8_t *out;
    size_t len, cap;
    uint32_t acc;
    int nacc;
};

static void put_bits(struct bitwriter *w, uint32_t value, int n) {
    for (int i = n - 1; i >= 0; i--) {
        w->acc = (w->acc << 1) | ((value >> i) & 1);
        if (++w->nacc == 8) {
            if (w->len == w->cap) die("output buffer full");
            w->out[w->len++] = (uint8_t)w->acc;
            w->acc = 0;
            w->nacc = 0;
        }
    }
}

static void flush_bits(struct bitwriter *w) {
    while (w->nacc) put_bits(w, 0, 1);
}

struct bitreader {
    const uint8_t *in;
    size_t len, pos;
    int bit;
};

static unsigned get_bit(struct bitreader *r) {
    if (r->pos >= r->len) die("compressed data truncated");
    unsigned b = (r->in[r->pos] >> (7 - r->bit)) & 1;
    if (++r->bit == 8) {
        r->bit = 0;
        r->pos++;
    }
    return b;
}

static uint32_t get_bits(struct bitreader *r, int n) {
    uint32_t v = 0;
    while (n--) v = (v << 1) | get_bit(r);
    return v;
}

/* ---- compressor ---------------------------------------------------------------- */

#define WINDOW 32768
#define HASH_BITS 15
#define MIN_MATCH 3
#define MAX_MATCH 258
#define BLOCK (64 * 1024)

struct level {
    const char *name;
    int max_chain; /* positions tried per match search */
    int lazy;      /* try one position later before taking a match */
};

static const struct level levels[] = {
    {"fast", 8, 0},
    {"best", 96, 1},
};

struct token {
    uint16_t length; /* 0 for a literal */
    uint16_t value;  /* the literal byte, or the distance */
};

struct matcher {
    const uint8_t *data;
    size_t len;
    int32_t head[1 << HASH_BITS];
    int32_t *prev; /* by position modulo WINDOW */
    const struct level *level;
};

static uint32_t hash3(const uint8_t *p) {
    return ((uint32_t)p[0] << 10 ^ (uint32_t)p[1] << 5 ^ p[2]) & ((1u << HASH_BITS) - 1);
}

static void insert(struct matcher *m, size_t pos) {
    if (pos + MIN_MATCH > m->len) return;
    uint32_t h = hash3(m->data + pos);
    m->prev[pos % WINDOW] = m->head[h];
    m->head[h] = (int32_t)pos;
}

/* The longest match for `pos` among earlier positions with the same hash. */
static unsigned longest_match(const struct matcher *m, size_t pos, unsigned *dist) {
    if (pos + MIN_MATCH > m->len) return 0;
    unsigned best = 0, limit = m->len - pos < MAX_MATCH ? (unsigned)(m->len - pos) : MAX_MATCH;
    int32_t cand = m->head[hash3(m->data + pos)];
    for (int chain = m->level->max_chain; cand >= 0 && chain > 0; chain--) {
        size_t c = (size_t)cand;
        if (pos - c > WINDOW - 1) break;
        const uint8_t *a = m->data + pos, *b = m->data + c;
        if (b[best] == a[best]) {
            unsigned n = 0;
            while (n < limit && a[n] == b[n]) n++;
            if (n > best) {
                best = n;
                *dist = (unsigned)(pos - c);
                if (n == limit) break;
            }
        }
        int32_t next = m->prev[c % WINDOW];
        if (next >= cand) break; /* the slot was reused by a later position */
        cand = next;
    }
    return best >= MIN_MATCH ? best : 0;
}

struct stats {
    size_t literals, matches, blocks;
};

static void write_block(struct bitwriter *w, const struct token *tokens, size_t ntokens) {
    uint32_t litfreq[NLITLEN] = {0}, distfreq[NDIST] = {0};
    for (size_t i = 0; i < ntokens; i++) {
        if (tokens[i].length == 0) {
            litfreq[tokens[i].value]++;
        } else {
            litfreq[257 + length_code(tokens[i].length)]++;
            distfreq[distance_code(tokens[i].value)]++;
        }
    }
    litfreq[END_OF_BLOCK] = 1;
    uint8_t litlen[NLITLEN], distlen[NDIST];
    uint16_t litcode[NLITLEN], distcode[NDIST];
    build_lengths(litfreq, NLITLEN, litlen);
    build_lengths(distfreq, NDIST, distlen);
    assign_codes(litlen, NLITLEN, litcode);
    assign_codes(distlen, NDIST, distcode);
    for (int s = 0; s < NLITLEN; s++) put_bits(w, litlen[s], 4);
    for (int s = 0; s < NDIST; s++) put_bits(w, distlen[s], 4);
    for (size_t i = 0; i < ntokens; i++) {
        const struct token *t = &tokens[i];
        if (t->length == 0) {
            put_bits(w, litcode[t->value], litlen[t->value]);
            continue;
        }
        int lc = length_code(t->length), dc = distance_code(t->value);
        put_bits(w, litcode[257 + lc], litlen[257 + lc]);
        put_bits(w, t->length - len_base[lc], len_extra[lc]);
        put_bits(w, distcode[dc], distlen[dc]);
        put_bits(w, t->value - dist_base[dc], dist_extra[dc]);
    }
    put_bits(w, litcode[END_OF_BLOCK], litlen[END_OF_BLOCK]);
}

static size_t compress(const uint8_t *data, size_t len, const struct level *level, uint8_t *out, size_t cap,
                       struct stats *stats) {
    struct matcher *m = xmalloc(sizeof *m);
    m->data = data;
    m->len = len;
    m->level = level;
    m->prev = xmalloc(sizeof *m->prev * WINDOW);
    for (size_t i = 0; i < (1u << HASH_BITS); i++) m->head[i] = -1;
    for (size_t i = 0; i < WINDOW; i++) m->prev[i] = -1;
    struct bitwriter w = {out, 0, cap, 0, 0};
    struct token *tokens = xmalloc(sizeof *tokens * BLOCK);
    put_bits(&w, (uint32_t)len, 32);
    size_t pos = 0;
    while (pos < len) {
        size_t ntokens = 0, block_end = pos + BLOCK < len ? pos + BLOCK : len;
        while (pos < block_end && ntokens < BLOCK) {
            unsigned dist = 0, n = longest_match(m, pos, &dist);
            if (n && level->lazy && n < 32 && pos + 1 < len) {
                unsigned dist2 = 0;
                insert(m, pos);
                unsigned n2 = longest_match(m, pos + 1, &dist2);
                if (n2 > n) { /* better one later: emit a literal and take it */
                    tokens[ntokens++] = (struct token){0, data[pos]};
                    stats->literals++;
                    pos++;
                    n = n2;
                    dist = dist2;
                } else {
                    /* pos is in the chains already: insert the rest of the match */
                    tokens[ntokens++] = (struct token){(uint16_t)n, (uint16_t)dist};
                    stats->matches++;
                    for (size_t i = 1; i < n; i++) insert(m, pos + i);
                    pos += n;
                    continue;
                }
            }
            if (n) {
                tokens[ntokens++] = (struct token){(uint16_t)n, (uint16_t)dist};
                stats->matches++;
                for (size_t i = 0; i < n; i++) insert(m, pos + i);
                pos += n;
            } else {
                tokens[ntokens++] = (struct token){0, data[pos]};
                stats->literals++;
                insert(m, pos);
                pos++;
            }
        }
        write_block(&w, tokens, ntokens);
        stats->blocks++;
    }
    flush_bits(&w);
    free(tokens);
    free(m->prev);
    free(m);
    return w.len;
}

/* ---- decompressor -------------------------------------------------------------- */

struct decoder {
    uint16_t count[MAX_BITS + 1];
    uint16_t symbol[NLITLEN];
};

static void build_decoder(struct decoder *d, const uint8_t *lengths, int n) {
    uint16_t offs[MAX_BITS + 2];
    memset(d->count, 0, sizeof d->count);
    for (int s = 0; s < n; s++) d->count[lengths[s]]++;
    d->count[0] = 0;
    offs[1] = 0;
    for (int b = 1; b <= MAX_BITS; b++) offs[b + 1] = offs[b] + d->count[b];
    for (int s = 0; s < n; s++)
        if (lengths[s]) d->symbol[offs[lengths[s]]++] = (uint16_t)s;
}

/* One symbol: canonical codes of each length are consecutive, so walking the lengths
 * with the code read so far finds it without a table of all codes. */
static int decode(struct bitreader *r, const struct decoder *d) {
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= MAX_BITS; len++) {
        code |= (int)get_bit(r);
        int count = d->count[len];
        if (code - count < first) return d->symbol[index + (code - first)];
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    die("bad Huffman code");
    return -1;
}

static size_t decompress(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
    struct bitreader r = {in, len, 0, 0};
    size_t total = get_bits(&r, 32), n = 0;
    if (total > cap) die("output too large");
    struct decoder *lit = xmalloc(sizeof *lit), *dist = xmalloc(sizeof *dist);
    while (n < total) {
        uint8_t litlen[NLITLEN], distlen[NDIST];
        for (int s = 0; s < NLITLEN; s++) litlen[s] = (uint8_t)get_bits(&r, 4);
        for (int s = 0; s < NDIST; s++) distlen[s] = (uint8_t)get_bits(&r, 4);
        build_decoder(lit, litlen, NLITLEN);
        build_decoder(dist, distlen, NDIST);
        for (;;) {
            int sym = decode(&r, lit);
            if (sym < 256) {
                if (n == total) die("output overrun");
                out[n++] = (uint8_t)sym;
                continue;
            }
            if (sym == END_OF_BLOCK) break;
            int lc = sym - 257;
            if (lc >= 29) die("bad length code");
            size_t length = len_base[lc] + get_bits(&r, len_extra[lc]);
            int dc = decode(&r, dist);
            size_t d = dist_base[dc] + get_bits(&r, dist_extra[dc]);
            if (d > n || length > total - n) die("bad match");
            for (size_t i = 0; i < length; i++, n++) out[n] = out[n - d];
        }
    }
    free(lit);
    free(dist);
    return n;
}

/* ---- main ---------------------------------------------------------------------- */

int main(int argc, char **argv) {
    int scale = 100;
    if (argc > 1) {
        scale = atoi(argv[1]);
        if (scale < 1 || scale > 100000) die("SCALE must be 1..100000");
    }
    crc_init();
    struct input in;
    make_input(&in, (size_t)scale * 16 * 1024);
    uint32_t crc_in = crc32(in.data, in.len);
    printf("lzcomp: scale %d: %zu bytes of input, crc %08x\n", scale, in.len, crc_in);

    size_t cap = in.len + in.len / 2 + 4096;
    uint8_t *packed = xmalloc(cap), *unpacked = xmalloc(in.len);
    uint32_t checksum = crc_in;
    for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
        struct stats stats = {0};
        size_t plen = compress(in.data, in.len, &levels[l], packed, cap, &stats);
        size_t ulen = decompress(packed, plen, unpacked, in.len);
        if (ulen != in.len || memcmp(unpacked, in.data, in.len) != 0) die("round trip failed");
        uint32_t crc_packed = crc32(packed, plen), crc_out = crc32(unpacked, ulen);
        /* In 64 bits: size_t is 32 bits on wasm32, and plen * 100000 would wrap. */
        unsigned long long permille = (unsigned long long)plen * 100000 / in.len;
        printf("%s: %zu -> %zu bytes (%llu.%03llu%%), %zu blocks, %zu literals, %zu matches, crc %08x, round trip %s\n",
               levels[l].name, in.len, plen, permille / 1000, permille % 1000, stats.blocks, stats.literals,
               stats.matches, crc_packed, crc_out == crc_in ? "ok" : "BAD");
        checksum = (checksum ^ crc_packed) * 16777619u;
    }
    printf("lzcomp: checksum %08x\n", checksum);
    free(packed);
    free(unpacked);
    free(in.data);
    return 0;
}
