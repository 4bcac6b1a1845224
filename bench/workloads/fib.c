/* Recursive Fibonacci: call-heavy, almost no memory traffic. */
#include "common.h"

static i32 fib(i32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

/* n is the Fibonacci index; the call count grows as 1.618^n. */
EXPORT("run") i64 run(i32 n) {
    i64 sum = 0;
    for (i32 k = n - 2; k <= n; k++) sum = sum * 31 + fib(k);
    return sum;
}
