/* A CoreMark-style mixed integer workload (our own code, not CoreMark's): each iteration
 * runs linked-list operations (find, reverse, merge sort), 16-bit matrix arithmetic, a
 * switch-driven state machine over a text buffer, and folds every result into a CRC-16. */
#include "common.h"

/* ---- CRC-16/CCITT, bit at a time ---- */
static u16 crc16_byte(u8 b, u16 crc) {
    crc ^= (u16)b << 8;
    for (int i = 0; i < 8; i++) crc = (crc & 0x8000) ? (u16)((crc << 1) ^ 0x1021) : (u16)(crc << 1);
    return crc;
}
static u16 crc16_u32(u32 v, u16 crc) {
    for (int i = 0; i < 4; i++) crc = crc16_byte((u8)(v >> (8 * i)), crc);
    return crc;
}

/* ---- linked list ---- */
#define LIST_LEN 256
typedef struct Node {
    struct Node *next;
    i16 value;
    i16 index;
} Node;
static Node pool[LIST_LEN];

static Node *list_build(u32 seed) {
    Node *head = 0;
    for (int i = LIST_LEN - 1; i >= 0; i--) {
        seed = seed * 1103515245u + 12345u;
        pool[i].value = (i16)((seed >> 16) & 0x7fff);
        pool[i].index = (i16)i;
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static Node *list_find(Node *n, i16 value) {
    for (; n; n = n->next)
        if ((n->value & 0xff) == value) return n;
    return 0;
}

static Node *list_reverse(Node *n) {
    Node *prev = 0;
    while (n) {
        Node *next = n->next;
        n->next = prev;
        prev = n;
        n = next;
    }
    return prev;
}

static int by_value(const Node *a, const Node *b) { return a->value - b->value; }
static int by_index(const Node *a, const Node *b) { return a->index - b->index; }

/* Bottom-up merge sort of a singly linked list with a comparison function pointer
 * (an indirect call per comparison). */
static Node *list_sort(Node *list, int (*cmp)(const Node *, const Node *)) {
    for (u32 width = 1;; width *= 2) {
        Node *p = list, *head = 0, *tail = 0;
        u32 merges = 0;
        while (p) {
            merges++;
            Node *q = p;
            u32 psize = 0;
            for (u32 i = 0; i < width && q; i++) {
                psize++;
                q = q->next;
            }
            u32 qsize = width;
            while (psize > 0 || (qsize > 0 && q)) {
                Node *e;
                if (psize == 0) {
                    e = q; q = q->next; qsize--;
                } else if (qsize == 0 || !q || cmp(p, q) <= 0) {
                    e = p; p = p->next; psize--;
                } else {
                    e = q; q = q->next; qsize--;
                }
                if (tail) tail->next = e; else head = e;
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        list = head;
        if (merges <= 1) return list;
    }
}

static u16 bench_list(u32 seed, u16 crc) {
    Node *list = list_build(seed);
    i32 found = 0, missing = 0;
    for (i16 v = 0; v < 64; v++) {
        Node *n = list_find(list, (i16)(v * 3 + (i16)(seed & 7)));
        if (n) found += n->index; else missing++;
        if ((v & 15) == 0) list = list_reverse(list);
    }
    list = list_sort(list, by_value);
    for (Node *n = list; n; n = n->next) crc = crc16_u32((u32)(u16)n->value, crc);
    list = list_sort(list, by_index);
    i32 i = 0;
    for (Node *n = list; n && i < 8; n = n->next, i++) crc = crc16_u32((u32)n->index, crc);
    return crc16_u32((u32)(found * 1000 + missing), crc);
}

/* ---- 16-bit matrices ---- */
#define M 24
static i16 ma[M][M], mb[M][M];
static i32 mc[M][M];

static u16 bench_matrix(u32 seed, u16 crc) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            seed = seed * 1664525u + 1013904223u;
            ma[i][j] = (i16)((seed >> 20) - 2048);
            mb[i][j] = (i16)(((seed >> 8) & 0xfff) - 2048);
        }
    i16 k = (i16)(seed & 0xff) | 1;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) ma[i][j] += k;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) mc[i][j] = (i32)ma[i][j] * k;
    i32 acc = 0;
    for (int i = 0; i < M; i++) {
        i32 s = 0;
        for (int j = 0; j < M; j++) s += (i32)ma[i][j] * mb[j][i];
        acc += s;
    }
    crc = crc16_u32((u32)acc, crc);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            i32 s = 0;
            for (int t = 0; t < M; t++) s += (i32)ma[i][t] * mb[t][j];
            mc[i][j] = s;
        }
    u32 bits = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) bits += ((u32)mc[i][j] >> 2) & 0xf;
    for (int i = 0; i < M; i++) crc = crc16_u32((u32)mc[i][(i * 5) % M], crc);
    return crc16_u32(bits, crc);
}

/* ---- state machine: classify comma-separated numbers ---- */
enum State { START, SIGN, INT, DOT, FRAC, EXP, EXP_SIGN, EXP_DIGITS, INVALID, N_STATES };
#define TEXT_LEN 2048
static char text[TEXT_LEN];

static u32 make_text(u32 seed) {
    static const char *pieces[] = {"123", "-4.5", "+0.25e3", "7e-2", "1.2.3", "--9", "42", ".5", "9e", "3.1415"};
    u32 n = 0;
    while (n + 16 < TEXT_LEN) {
        seed = seed * 1103515245u + 12345u;
        const char *p = pieces[(seed >> 16) % 10];
        while (*p) text[n++] = *p++;
        if ((seed >> 8) % 7 == 0) text[n++] = 'x'; /* corrupt some tokens */
        text[n++] = ',';
    }
    text[n] = 0;
    return n;
}

static enum State step(enum State s, char c) {
    int digit = c >= '0' && c <= '9';
    switch (s) {
    case START: return digit ? INT : (c == '+' || c == '-') ? SIGN : c == '.' ? DOT : INVALID;
    case SIGN: return digit ? INT : c == '.' ? DOT : INVALID;
    case INT: return digit ? INT : c == '.' ? DOT : (c == 'e' || c == 'E') ? EXP : INVALID;
    case DOT: return digit ? FRAC : INVALID;
    case FRAC: return digit ? FRAC : (c == 'e' || c == 'E') ? EXP : INVALID;
    case EXP: return digit ? EXP_DIGITS : (c == '+' || c == '-') ? EXP_SIGN : INVALID;
    case EXP_SIGN: return digit ? EXP_DIGITS : INVALID;
    case EXP_DIGITS: return digit ? EXP_DIGITS : INVALID;
    default: return INVALID;
    }
}

static u16 bench_state(u32 seed, u16 crc) {
    u32 len = make_text(seed);
    u32 finals[N_STATES] = {0};
    u32 transitions = 0;
    enum State s = START;
    for (u32 i = 0; i < len; i++) {
        char c = text[i];
        if (c == ',') {
            finals[s]++;
            s = START;
            continue;
        }
        enum State next = step(s, c);
        transitions += next != s;
        s = next;
    }
    for (int i = 0; i < N_STATES; i++) crc = crc16_u32(finals[i], crc);
    return crc16_u32(transitions, crc);
}

/* n is the number of iterations. */
EXPORT("run") i64 run(i32 n) {
    u16 crc = 0;
    u64 check = 0;
    for (i32 it = 0; it < n; it++) {
        u32 seed = (u32)it * 2654435761u + 1;
        crc = bench_list(seed, crc);
        crc = bench_matrix(seed, crc);
        crc = bench_state(seed, crc);
        check = check * 65599 + crc;
    }
    return (i64)check;
}
