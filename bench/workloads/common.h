/* Shared by every workload: freestanding wasm32, no libc, no imports.
 * Each workload exports `long long run(int n)` returning a checksum that must be the same
 * on every engine. Built with -ffreestanding so clang never turns loops into libc calls;
 * memcpy/memset are defined here for the copies clang itself emits. */
#ifndef WORKLOAD_COMMON_H
#define WORKLOAD_COMMON_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef short i16;
typedef int i32;
typedef long long i64;
typedef unsigned long usize;

#define EXPORT(name) __attribute__((export_name(name)))

void *memcpy(void *dst, const void *src, usize n) {
    u8 *d = dst;
    const u8 *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, usize n) {
    u8 *d = dst;
    while (n--) *d++ = (u8)c;
    return dst;
}

/* xorshift64*: deterministic input data. */
static u64 rng_state = 0x9E3779B97F4A7C15ull;
static inline void rng_seed(u64 s) { rng_state = s ? s : 0x9E3779B97F4A7C15ull; }
static inline u64 rng_next(void) {
    u64 x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* A double's bits, so float results compare exactly across engines. */
static inline u64 f64_bits(double d) {
    union { double d; u64 u; } v = { d };
    return v.u;
}

#endif
