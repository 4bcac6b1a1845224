/* time() and clock_gettime(): prints only sanity checks, so the output is deterministic. */
#include <stdio.h>
#include <time.h>

int main(void) {
    time_t t = time(NULL);
    printf("time %s\n", t > 1600000000 ? "ok" : "wrong");
    struct timespec a, b, r;
    clock_gettime(CLOCK_MONOTONIC, &a);
    volatile unsigned long x = 0;
    for (int i = 0; i < 100000; i++) x += (unsigned long)i;
    struct timespec d = {0, 2000000};
    nanosleep(&d, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("monotonic %s\n", ns >= 2000000 ? "ok" : "wrong");
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    printf("realtime %s\n", rt.tv_sec > 1600000000 && rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000 ? "ok" : "wrong");
    printf("resolution %s\n", clock_getres(CLOCK_MONOTONIC, &r) == 0 && r.tv_sec == 0 ? "ok" : "wrong");
    return 0;
}
