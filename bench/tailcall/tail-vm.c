// Tail-call workload (issue 17): a bytecode interpreter whose handlers end by tail-calling
// the next instruction's handler through a table, as fast C interpreters and parsers are
// written (`musttail` dispatch), plus a state machine of mutually tail-calling functions.
// Built with -mtail-call: every dispatch is a `return_call_indirect`, every state change
// a `return_call`; without tail calls the wasm stack would grow with each instruction.
// `run(n)` executes about 60 * n bytecode instructions and 3 * n state transitions and
// returns a checksum of both.

typedef long long i64;
typedef unsigned long long u64;
typedef unsigned char u8;

#define TAIL __attribute__((musttail))

// ---- The bytecode interpreter ----------------------------------------------------------
// Eight registers; an instruction is an opcode byte and up to three operand bytes.
enum { OP_IMM, OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_SHR, OP_DEC_JNZ, OP_HALT, OP_COUNT };

typedef i64 (*Handler)(const u8 *pc, i64 *r, i64 steps);

static i64 op_imm(const u8 *pc, i64 *r, i64 steps);
static i64 op_add(const u8 *pc, i64 *r, i64 steps);
static i64 op_sub(const u8 *pc, i64 *r, i64 steps);
static i64 op_mul(const u8 *pc, i64 *r, i64 steps);
static i64 op_xor(const u8 *pc, i64 *r, i64 steps);
static i64 op_shr(const u8 *pc, i64 *r, i64 steps);
static i64 op_dec_jnz(const u8 *pc, i64 *r, i64 steps);
static i64 op_halt(const u8 *pc, i64 *r, i64 steps);

static Handler const table[OP_COUNT] = {op_imm, op_add, op_sub, op_mul, op_xor, op_shr, op_dec_jnz, op_halt};

#define NEXT(len) TAIL return table[pc[len]](pc + (len), r, steps + 1)

// r[a] = b
static i64 op_imm(const u8 *pc, i64 *r, i64 steps) {
    r[pc[1]] = pc[2];
    NEXT(3);
}
// r[a] = r[b] op r[c]
static i64 op_add(const u8 *pc, i64 *r, i64 steps) {
    r[pc[1]] = r[pc[2]] + r[pc[3]];
    NEXT(4);
}
static i64 op_sub(const u8 *pc, i64 *r, i64 steps) {
    r[pc[1]] = r[pc[2]] - r[pc[3]];
    NEXT(4);
}
static i64 op_mul(const u8 *pc, i64 *r, i64 steps) {
    r[pc[1]] = r[pc[2]] * r[pc[3]];
    NEXT(4);
}
static i64 op_xor(const u8 *pc, i64 *r, i64 steps) {
    r[pc[1]] = r[pc[2]] ^ r[pc[3]];
    NEXT(4);
}
// r[a] = (u64)r[b] >> c
static i64 op_shr(const u8 *pc, i64 *r, i64 steps) {
    r[pc[1]] = (i64)((u64)r[pc[2]] >> pc[3]);
    NEXT(4);
}
// if (--r[a] != 0) jump back by b bytes
static i64 op_dec_jnz(const u8 *pc, i64 *r, i64 steps) {
    if (--r[pc[1]] != 0) {
        const u8 *target = pc - pc[2];
        TAIL return table[target[0]](target, r, steps + 1);
    }
    NEXT(3);
}
static i64 op_halt(const u8 *pc, i64 *r, i64 steps) {
    (void)pc;
    return r[0] ^ steps;
}

// The program: r0 = hash, r1 = loop counter (set from n), r2..r7 scratch.
// The loop: 10 instructions, 37 bytes with the jump.
static u8 program[64];

static i64 run_vm(i64 n) {
    const u8 body[] = {
        OP_IMM, 2, 31,        // r2 = 31
        OP_MUL, 0, 0, 2,      // r0 = r0 * 31
        OP_SHR, 3, 0, 7,      // r3 = r0 >> 7
        OP_XOR, 0, 0, 3,      // r0 ^= r3
        OP_ADD, 0, 0, 1,      // r0 += r1
        OP_IMM, 4, 3,         // r4 = 3
        OP_MUL, 5, 1, 4,      // r5 = r1 * 3
        OP_SUB, 0, 0, 5,      // r0 -= r5
        OP_ADD, 6, 6, 0,      // r6 += r0
        OP_DEC_JNZ, 1, 34,    // if (--r1) goto loop (34 bytes back)
        OP_HALT,
    };
    for (unsigned i = 0; i < sizeof body; i++) program[i] = body[i];
    i64 r[8] = {1, n, 0, 0, 0, 0, 0, 0};
    i64 h = table[program[0]](program, r, 0);
    return h ^ r[6];
}

// ---- A state machine of mutually tail-calling functions -----------------------------
// Recognises runs in a pseudo-random bit stream: each state reads a bit and tail-calls
// the next state directly.
static i64 state_a(u64 x, i64 left, i64 acc);
static i64 state_b(u64 x, i64 left, i64 acc);
static i64 state_c(u64 x, i64 left, i64 acc);

static u64 step(u64 x) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

static i64 state_a(u64 x, i64 left, i64 acc) {
    if (left == 0) return acc;
    x = step(x);
    if (x & 1) TAIL return state_b(x, left - 1, acc + 1);
    TAIL return state_c(x, left - 1, acc * 3);
}
static i64 state_b(u64 x, i64 left, i64 acc) {
    if (left == 0) return acc;
    x = step(x);
    if (x & 2) TAIL return state_c(x, left - 1, acc ^ (i64)x);
    TAIL return state_a(x, left - 1, acc - 7);
}
static i64 state_c(u64 x, i64 left, i64 acc) {
    if (left == 0) return acc;
    x = step(x);
    if (x & 4) TAIL return state_a(x, left - 1, acc + (i64)(x >> 40));
    TAIL return state_b(x, left - 1, acc << 1);
}

i64 run(int n) {
    i64 vm = run_vm((i64)n * 6);
    i64 sm = state_a(0x9E3779B97F4A7C15ull, (i64)n * 3, 0);
    return vm ^ sm;
}
