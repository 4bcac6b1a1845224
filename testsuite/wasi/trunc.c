/* path_open with O_TRUNC and the rights it needs, and fd_filestat_set_size without them. As
 * in wasmtime, O_TRUNC needs no right (it opens the file for writing too, and the fd reports
 * FD_WRITE), and resizing is up to the host's open mode (EINVAL when the fd is
 * not open for writing), EBADF for anything but a file. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "wasi_report.h"

static long size_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void fill(const char *path) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "0123456789", 10);
    close(fd);
}

int main(void) {
    fill("t.txt");
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    wasi_report("path_open O_TRUNC, no rights",
                __wasi_path_open(3, 0, "t.txt", __WASI_OFLAGS_TRUNC, 0, 0, 0, &fd));
    printf("%-48s %ld\n", "size after", size_of("t.txt"));
    __wasi_fdstat_t st = {0};
    (void)__wasi_fd_fdstat_get(fd, &st);
    printf("%-48s %s\n", "reports FD_WRITE", (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) ? "yes" : "no");
    wasi_report("fd_filestat_set_size 4 on it", __wasi_fd_filestat_set_size(fd, 4));
    printf("%-48s %ld\n", "size after", size_of("t.txt"));
    (void)__wasi_fd_close(fd);

    fill("t.txt");
    wasi_report("path_open O_TRUNC, FD_READ only",
                __wasi_path_open(3, 0, "t.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0, 0, &fd));
    printf("%-48s %ld\n", "size after", size_of("t.txt"));
    (void)__wasi_fd_close(fd);

    fill("t.txt");
    int lib = open("t.txt", O_RDONLY | O_TRUNC);
    libc_report("libc open O_RDONLY|O_TRUNC", lib);
    printf("%-48s %ld\n", "size after", size_of("t.txt"));
    close(lib);

    fill("t.txt");
    int ro = open("t.txt", O_RDONLY);
    libc_report("ftruncate on an O_RDONLY fd", ftruncate(ro, 3));
    printf("%-48s %ld\n", "size after", size_of("t.txt"));
    wasi_report("fd_filestat_set_size on it", __wasi_fd_filestat_set_size(ro, 3));
    close(ro);

    wasi_report("path_open FD_WRITE only (no SET_SIZE)",
                __wasi_path_open(3, 0, "t.txt", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
    wasi_report("fd_filestat_set_size 2 without the right", __wasi_fd_filestat_set_size(fd, 2));
    printf("%-48s %ld\n", "size after", size_of("t.txt"));
    wasi_report("fd_filestat_set_size 6 (grows)", __wasi_fd_filestat_set_size(fd, 6));
    printf("%-48s %s\n", "t.txt", contents("t.txt"));
    (void)__wasi_fd_close(fd);

    int rw = open("t.txt", O_RDWR);
    libc_report("ftruncate on an O_RDWR fd", ftruncate(rw, 1));
    printf("%-48s %ld\n", "size after", size_of("t.txt"));
    close(rw);

    wasi_report("fd_filestat_set_size on the preopen", __wasi_fd_filestat_set_size(3, 0));
    wasi_report("fd_filestat_set_size on stdout", __wasi_fd_filestat_set_size(1, 0));
    wasi_report("fd_filestat_set_size on a closed fd", __wasi_fd_filestat_set_size(99, 0));
    wasi_report("path_open O_DIRECTORY|O_TRUNC", __wasi_path_open(3, 0, ".", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_TRUNC, 0, 0, 0, &fd));
    return 0;
}
