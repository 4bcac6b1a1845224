/* Integer lanes: an xxHash32-style hash over 256 KiB in eight i32 lanes (two i32x4
 * accumulators: i32x4.mul by a prime, add, rotate by shl/shr_u/or, mul), alongside a
 * weighted sum of the same data read as i16 lanes (i32x4.dot_i16x8_s) and a sum of its
 * bytes (u16x8 extadd_pairwise); every lane wraps, so the checksum is exact. Each round
 * changes one word from the previous round's hash. */
#include <wasm_simd128.h>

#include "../workloads/common.h"

#define WORDS (1 << 16)
static u32 data[WORDS] __attribute__((aligned(16)));

#define P1 0x9E3779B1u
#define P2 0x85EBCA77u

static inline v128_t round4(v128_t acc, v128_t input) {
    acc = wasm_i32x4_add(acc, wasm_i32x4_mul(input, wasm_i32x4_splat((i32)P2)));
    acc = wasm_v128_or(wasm_i32x4_shl(acc, 13), wasm_u32x4_shr(acc, 19));
    return wasm_i32x4_mul(acc, wasm_i32x4_splat((i32)P1));
}

static u64 hash(u32 seed) {
    v128_t h0 = wasm_i32x4_make((i32)(seed + P1), (i32)(seed + P2), (i32)seed, (i32)(seed - P1));
    v128_t h1 = wasm_i32x4_make((i32)(seed ^ P2), (i32)(seed * 3), (i32)(seed + 7), (i32)(seed - P2));
    const v128_t w0 = wasm_i16x8_make(1, -2, 3, -4, 5, -6, 7, -8);
    const v128_t w1 = wasm_i16x8_make(9, 7, 5, 3, -3, -5, -7, -9);
    v128_t dot = wasm_i32x4_splat(0), bytes = dot;
    for (u32 i = 0; i < WORDS; i += 8) {
        v128_t v0 = wasm_v128_load(&data[i]), v1 = wasm_v128_load(&data[i + 4]);
        h0 = round4(h0, v0);
        h1 = round4(h1, v1);
        dot = wasm_i32x4_add(dot, wasm_i32x4_add(wasm_i32x4_dot_i16x8(v0, w0), wasm_i32x4_dot_i16x8(v1, w1)));
        bytes = wasm_i32x4_add(bytes, wasm_u32x4_extadd_pairwise_u16x8(wasm_i16x8_add(
                                          wasm_u16x8_extadd_pairwise_u8x16(v0), wasm_u16x8_extadd_pairwise_u8x16(v1))));
    }
    v128_t h = wasm_v128_xor(h0, wasm_v128_or(wasm_i32x4_shl(h1, 7), wasm_u32x4_shr(h1, 25)));
    h = wasm_i32x4_add(h, wasm_i32x4_mul(dot, wasm_i32x4_splat(31)));
    h = wasm_i32x4_add(h, bytes);
    u64 lo = (u32)wasm_i32x4_extract_lane(h, 0) | (u64)(u32)wasm_i32x4_extract_lane(h, 1) << 32;
    u64 hi = (u32)wasm_i32x4_extract_lane(h, 2) | (u64)(u32)wasm_i32x4_extract_lane(h, 3) << 32;
    return lo ^ (hi * 0x9E3779B97F4A7C15ull);
}

EXPORT("run") i64 run(i32 n) {
    rng_seed(0x4A54);
    for (u32 i = 0; i < WORDS; i++) data[i] = (u32)(rng_next() >> 16);
    u64 check = 0;
    for (i32 rep = 0; rep < n; rep++) {
        u64 h = hash((u32)rep);
        check = check * 31 + h;
        data[(u32)(h >> 11) % WORDS] ^= (u32)h;
    }
    return (i64)check;
}
