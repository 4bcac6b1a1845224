/* printf of floats and libm. */
#include <math.h>
#include <stdio.h>

int main(void) {
    double xs[] = {0.0, -0.0, 1.0 / 3.0, 2.5, 1e300, 1e-300, 123456789.125, -42.75};
    for (unsigned i = 0; i < sizeof xs / sizeof *xs; i++)
        printf("%g %.3f %e %.17g\n", xs[i], xs[i], xs[i], xs[i]);
    printf("%.10f %.10f %.10f\n", sqrt(2.0), exp(1.0), atan2(1.0, 1.0) * 4);
    printf("%f %f\n", (double)1.5f, (double)(float)(1.0 / 7.0));
    printf("%a\n", 0.1);
    return 0;
}
