/* Directory walk with opendir/readdir: lists everything under argv[1], sorted by path. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *paths[1000];
static int npaths;

static void walk(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) { perror(dir); return; }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *p = malloc(strlen(dir) + strlen(e->d_name) + 2);
        sprintf(p, "%s/%s", dir, e->d_name);
        if (npaths < 1000) paths[npaths++] = p;
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) walk(p);
    }
    closedir(d);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : ".";
    walk(root);
    qsort(paths, npaths, sizeof *paths, cmp);
    for (int i = 0; i < npaths; i++) {
        struct stat st;
        if (lstat(paths[i], &st) != 0) { printf("%s: stat failed\n", paths[i]); continue; }
        if (S_ISDIR(st.st_mode)) printf("dir  %s\n", paths[i]);
        else printf("file %s (%lld bytes)\n", paths[i], (long long)st.st_size);
        free(paths[i]);
    }
    printf("%d entries\n", npaths);
    return 0;
}
