/* Tight copy loops: 64-bit words, 32-bit words and bytes between 256 KiB buffers. */
#include "common.h"

#define LEN (256u * 1024)
static u64 src[LEN / 8], dst[LEN / 8];

static void copy64(u64 *d, const u64 *s, u32 words) {
    for (u32 i = 0; i < words; i++) d[i] = s[i];
}

static void copy32(u32 *d, const u32 *s, u32 words) {
    for (u32 i = 0; i < words; i++) d[i] = s[i];
}

static void copy8(u8 *d, const u8 *s, u32 bytes) {
    for (u32 i = 0; i < bytes; i++) d[i] = s[i];
}

/* n is the number of rounds; each copies 1 MiB with 64-bit, 0.5 MiB with 32-bit and
 * 128 KiB with byte accesses. */
EXPORT("run") i64 run(i32 n) {
    rng_seed(7);
    for (u32 i = 0; i < LEN / 8; i++) src[i] = rng_next();
    u64 check = 0;
    for (i32 r = 0; r < n; r++) {
        u32 shift = (u32)r % 64;
        for (int k = 0; k < 4; k++) copy64(dst, src, LEN / 8);
        for (int k = 0; k < 2; k++) copy32((u32 *)src + 1, (u32 *)dst, LEN / 4 - 1);
        copy8((u8 *)dst + shift, (u8 *)src, LEN / 2);
        check = check * 31 + dst[r % (LEN / 8)] + src[(r * 7) % (LEN / 8)];
    }
    return (i64)check;
}
