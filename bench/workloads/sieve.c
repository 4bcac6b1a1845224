/* Sieve of Eratosthenes over 2^22 byte flags: byte loads/stores, nested loops. */
#include "common.h"

#define LIMIT (1u << 22)
static u8 composite[LIMIT];

EXPORT("run") i64 run(i32 n) {
    i64 check = 0;
    for (i32 rep = 0; rep < n; rep++) {
        u32 limit = LIMIT - (u32)rep * 7; /* vary the bound a little each round */
        for (u32 i = 0; i < limit; i++) composite[i] = 0;
        u32 count = 0;
        u64 sum = 0;
        for (u32 i = 2; i < limit; i++) {
            if (composite[i]) continue;
            count++;
            sum += i;
            for (u64 j = (u64)i * i; j < limit; j += i) composite[j] = 1;
        }
        check = check * 1000003 + count + (i64)(sum % 1000000007ull);
    }
    return check;
}
