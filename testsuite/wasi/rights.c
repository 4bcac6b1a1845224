/* The rights fds report, and path_open on the preopen with the preopen's own rights, with
 * none, and with O_DIRECTORY (the WASI test suite's path_open_preopen). As in wasmtime,
 * rights are reported from each fd's open mode and not enforced: what a guest may do is
 * what the host open mode lets it. */
#include <fcntl.h>
#include <unistd.h>
#include "wasi_report.h"

static void show(const char *label, int fd) {
    __wasi_fdstat_t st = {0};
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    printf("%-48s %s type=%u rights=%#llx/%#llx\n", label, wasi_errno_name(e), st.fs_filetype,
           (unsigned long long)st.fs_rights_base, (unsigned long long)st.fs_rights_inheriting);
}

static __wasi_fd_t open_at(const char *label, const char *path, __wasi_oflags_t oflags, __wasi_rights_t base,
                           __wasi_rights_t inheriting) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t e = __wasi_path_open(3, 0, path, oflags, base, inheriting, 0, &fd);
    if (e) {
        wasi_report(label, e);
        return (__wasi_fd_t)-1;
    }
    show(label, fd);
    return fd;
}

int main(void) {
    __wasi_prestat_t pre;
    wasi_report("fd 3 is a preopen", __wasi_fd_prestat_get(3, &pre));
    show("the preopen", 3);
    __wasi_fdstat_t pst;
    if (__wasi_fd_fdstat_get(3, &pst)) return 1;

    __wasi_fd_t fd = open_at(". with the preopen's rights", ".", 0, pst.fs_rights_base, pst.fs_rights_inheriting);
    (void)__wasi_fd_close(fd);
    fd = open_at(". with no rights", ".", 0, 0, 0);
    (void)__wasi_fd_close(fd);
    fd = open_at(". O_DIRECTORY, no rights", ".", __WASI_OFLAGS_DIRECTORY, 0, 0);
    /* A directory opened with no rights still lists and opens (rights are not enforced). */
    __wasi_fd_t inner = (__wasi_fd_t)-1;
    wasi_report("path_open through it", __wasi_path_open(fd, 0, "data.txt", __WASI_OFLAGS_CREAT, 0, 0, 0, &inner));
    uint8_t dirbuf[256];
    __wasi_size_t used = 0;
    wasi_report("fd_readdir on it", __wasi_fd_readdir(fd, dirbuf, sizeof dirbuf, 0, &used));
    (void)__wasi_fd_close(inner);
    (void)__wasi_fd_close(fd);
    fd = open_at(". O_DIRECTORY, PATH_OPEN|FD_READDIR", ".", __WASI_OFLAGS_DIRECTORY,
                 __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR, 0);
    (void)__wasi_fd_close(fd);
    open_at(". O_DIRECTORY, FD_READ|FD_WRITE", ".", __WASI_OFLAGS_DIRECTORY,
            __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0);
    open_at("data.txt O_DIRECTORY", "data.txt", __WASI_OFLAGS_DIRECTORY, 0, 0);

    int w = open("data.txt", O_WRONLY | O_TRUNC);
    write(w, "hello\n", 6);
    close(w);
    fd = open_at("data.txt, no rights", "data.txt", 0, 0, 0);
    char buf[16] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    wasi_report("fd_read without FD_READ (read mode)", __wasi_fd_read(fd, &iov, 1, &n));
    printf("%-48s %lu bytes\n", "fd_read got", (unsigned long)n);
    __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
    wasi_report("fd_write on it (host: read-only)", __wasi_fd_write(fd, &ciov, 1, &n));
    wasi_report("fd_fdstat_set_rights", __wasi_fd_fdstat_set_rights(fd, 0, 0));
    (void)__wasi_fd_close(fd);
    fd = open_at("data.txt, FD_READ", "data.txt", 0, __WASI_RIGHTS_FD_READ, 0);
    (void)__wasi_fd_close(fd);
    fd = open_at("data.txt, FD_WRITE", "data.txt", 0, __WASI_RIGHTS_FD_WRITE, 0);
    wasi_report("fd_read on it (host: write-only)", __wasi_fd_read(fd, &iov, 1, &n));
    (void)__wasi_fd_close(fd);
    fd = open_at("data.txt, FD_READ|FD_WRITE", "data.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0);
    (void)__wasi_fd_close(fd);
    int lib = open("data.txt", O_RDONLY);
    show("libc open O_RDONLY", lib);
    lib = open("data.txt", O_RDWR);
    show("libc open O_RDWR", lib);
    show("stdin", 0);
    show("stdout", 1);
    return 0;
}
