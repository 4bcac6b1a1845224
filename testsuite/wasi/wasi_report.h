/* Shared by the WASI behaviour tests (rights.c, fdflags.c, pwrite.c, ...): print the outcome
 * of one call as `label: ok` or `label: ERRNO`, for raw `__wasi_*` calls and for libc. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static const char *wasi_errno_name(int e) {
    switch (e) {
    case 0: return "ok";
    case __WASI_ERRNO_ACCES: return "EACCES";
    case __WASI_ERRNO_BADF: return "EBADF";
    case __WASI_ERRNO_EXIST: return "EEXIST";
    case __WASI_ERRNO_INVAL: return "EINVAL";
    case __WASI_ERRNO_ISDIR: return "EISDIR";
    case __WASI_ERRNO_LOOP: return "ELOOP";
    case __WASI_ERRNO_NOENT: return "ENOENT";
    case __WASI_ERRNO_NOTCAPABLE: return "ENOTCAPABLE";
    case __WASI_ERRNO_NOTDIR: return "ENOTDIR";
    case __WASI_ERRNO_NOTSOCK: return "ENOTSOCK";
    case __WASI_ERRNO_NOTSUP: return "ENOTSUP";
    case __WASI_ERRNO_PERM: return "EPERM";
    case __WASI_ERRNO_SPIPE: return "ESPIPE";
    case __WASI_ERRNO_NOTTY: return "ENOTTY";
    default: return "(other errno)";
    }
}

/* A raw WASI call's result. */
static void wasi_report(const char *label, __wasi_errno_t e) {
    printf("%-48s %s\n", label, wasi_errno_name(e));
}

/* A libc call's result (negative = failed, errno says why). wasi-libc's errno values are
 * WASI's. */
static void libc_report(const char *label, long rc) {
    printf("%-48s %s\n", label, rc < 0 ? wasi_errno_name(errno) : "ok");
}

/* The whole content of `path` (NUL-terminated, at most 255 bytes), or "(unreadable)". */
static const char *contents(const char *path) {
    static char buf[256];
    FILE *f = fopen(path, "r");
    if (!f) return "(unreadable)";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    for (size_t i = 0; i < n; i++)
        if (buf[i] == 0) buf[i] = '.';
    return buf;
}
