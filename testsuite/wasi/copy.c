/* File copy with stdio: copies argv[1] to argv[2], then prints the size and a checksum. */
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: copy FROM TO\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) { perror("open input"); return 1; }
    FILE *out = fopen(argv[2], "wb");
    if (!out) { perror("open output"); return 1; }
    char buf[1000];
    size_t n, total = 0;
    unsigned int sum = 0; /* 32 bits on both targets */
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        fwrite(buf, 1, n, out);
        for (size_t i = 0; i < n; i++) sum = sum * 31 + (unsigned char)buf[i];
        total += n;
    }
    fclose(in);
    fclose(out);
    out = fopen(argv[2], "rb");
    if (!out) { perror("reopen"); return 1; }
    fseek(out, 0, SEEK_END);
    long size = ftell(out);
    fclose(out);
    printf("copied %zu bytes, size %ld, checksum %u\n", total, size, sum % 1000003u);
    return 0;
}
