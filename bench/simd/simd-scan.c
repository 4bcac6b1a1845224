/* Byte scanning over 1 MiB of generated text, 16 bytes at a time, as memchr and a CSV
 * reader do: i8x16 compares against splatted delimiters ('\n', ',', ' '), their bitmasks
 * (lines found by walking the newline mask bit by bit, each line's length and field count
 * hashed; fields counted by popcount of the comma mask below each newline), and range
 * tests (digits, lowercase letters) and spaces counted in i8x16 lanes, flushed with
 * pairwise widening adds. Each round rewrites a few bytes so rounds differ. */
#include <wasm_simd128.h>

#include "../workloads/common.h"

#define LEN (1 << 20)
static u8 text[LEN] __attribute__((aligned(16)));

static void generate(void) {
    rng_seed(0x5CA9);
    for (u32 i = 0; i < LEN; i++) {
        u32 r = (u32)(rng_next() >> 40) % 100;
        u8 ch;
        if (r < 66) ch = (u8)('a' + r % 26);
        else if (r < 78) ch = (u8)('0' + r % 10);
        else if (r < 90) ch = ' ';
        else if (r < 96) ch = ',';
        else if (r < 98) ch = '\n';
        else ch = (u8)('A' + r % 26);
        text[i] = ch;
    }
}

struct counts {
    u64 hash;
    u32 lines, fields, digits, letters, spaces;
};

static u32 lanes_sum(v128_t bytes) {
    v128_t s = wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(bytes));
    return wasm_i32x4_extract_lane(s, 0) + wasm_i32x4_extract_lane(s, 1) + wasm_i32x4_extract_lane(s, 2) +
           wasm_i32x4_extract_lane(s, 3);
}

static struct counts scan(const u8 *p, u32 len) {
    struct counts out = { 0xcbf29ce484222325ull, 0, 0, 0, 0, 0 };
    const v128_t nl = wasm_i8x16_splat('\n'), comma = wasm_i8x16_splat(','), space = wasm_i8x16_splat(' ');
    const v128_t zero = wasm_i8x16_splat('0'), ten = wasm_i8x16_splat(10);
    const v128_t a = wasm_i8x16_splat('a'), z26 = wasm_i8x16_splat(26);
    u32 line_start = 0, line_fields = 0;
    for (u32 base = 0; base < len; base += 16 * 255) {
        /* Each lane counts at most 255 matches before the flush. */
        v128_t dig = wasm_i8x16_splat(0), let = dig, spc = dig;
        u32 end = base + 16 * 255 < len ? base + 16 * 255 : len;
        for (u32 off = base; off < end; off += 16) {
            v128_t v = wasm_v128_load(p + off);
            dig = wasm_i8x16_sub(dig, wasm_u8x16_lt(wasm_i8x16_sub(v, zero), ten));
            let = wasm_i8x16_sub(let, wasm_u8x16_lt(wasm_i8x16_sub(v, a), z26));
            spc = wasm_i8x16_sub(spc, wasm_i8x16_eq(v, space));
            u32 commas = wasm_i8x16_bitmask(wasm_i8x16_eq(v, comma));
            u32 lines = wasm_i8x16_bitmask(wasm_i8x16_eq(v, nl));
            while (lines) {
                u32 bit = __builtin_ctz(lines);
                u32 pos = off + bit;
                u32 fields = out.fields + __builtin_popcount(commas & ((2u << bit) - 1));
                out.hash = (out.hash ^ (pos - line_start)) * 0x100000001B3ull;
                out.hash = (out.hash ^ (fields - line_fields)) * 0x100000001B3ull;
                line_start = pos + 1;
                line_fields = fields;
                out.lines++;
                lines &= lines - 1;
            }
            out.fields += __builtin_popcount(commas);
        }
        out.digits += lanes_sum(dig);
        out.letters += lanes_sum(let);
        out.spaces += lanes_sum(spc);
    }
    return out;
}

EXPORT("run") i64 run(i32 n) {
    generate();
    u64 check = 0;
    for (i32 rep = 0; rep < n; rep++) {
        struct counts c = scan(text, LEN);
        check = check * 0x9E3779B97F4A7C15ull + c.hash + ((u64)c.lines << 40) + ((u64)c.fields << 20) +
                c.digits * 3 + c.letters * 5 + c.spaces;
        /* Rewrite 64 bytes somewhere (still text) so the next round differs. */
        u32 at = (u32)(c.hash >> 20) % (LEN - 64);
        for (u32 i = 0; i < 64; i++) text[at + i] = (u8)",\nab0 c9d"[(c.hash >> (i % 60)) % 9];
    }
    return (i64)check;
}
