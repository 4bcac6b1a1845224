/* Reads stdin to the end: counts lines, words, bytes, and echoes the first line upper-cased. */
#include <ctype.h>
#include <stdio.h>

int main(void) {
    int c, lines = 0, words = 0, bytes = 0, inword = 0, first = 1;
    while ((c = getchar()) != EOF) {
        bytes++;
        if (c == '\n') { lines++; if (first) { putchar('\n'); first = 0; } }
        else if (first) putchar(toupper(c));
        if (isspace(c)) inword = 0;
        else if (!inword) { inword = 1; words++; }
    }
    printf("%d %d %d\n", lines, words, bytes);
    return 0;
}
