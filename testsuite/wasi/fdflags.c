/* fd_fdstat_set_flags and the flags fd_fdstat_get reports afterwards. As in wasmtime: only a
 * file's fd takes flags (anything else is EBADF), APPEND and NONBLOCK are set to exactly
 * what is passed, the sync flags are EINVAL (and ENOTSUP when asked of path_open). */
#include <fcntl.h>
#include <unistd.h>
#include "wasi_report.h"

static void flags(const char *label, int fd) {
    __wasi_fdstat_t st = {0};
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    printf("%-48s %s flags=%u\n", label, wasi_errno_name(e), st.fs_flags);
}

int main(void) {
    int fd = open("f.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    flags("opened", fd);
    wasi_report("set APPEND", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    flags("after set APPEND", fd);
    lseek(fd, 0, SEEK_SET);
    write(fd, "one", 3);
    lseek(fd, 0, SEEK_SET);
    write(fd, "two", 3);
    printf("%-48s offset=%ld\n", "two writes at 0 went to the end", (long)lseek(fd, 0, SEEK_CUR));
    wasi_report("set NONBLOCK (clears APPEND)", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
    flags("after set NONBLOCK", fd);
    lseek(fd, 0, SEEK_SET);
    write(fd, "X", 1);
    wasi_report("set DSYNC", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_DSYNC));
    wasi_report("set SYNC", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_SYNC));
    wasi_report("set RSYNC|APPEND", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_RSYNC | __WASI_FDFLAGS_APPEND));
    flags("after the refused ones", fd);
    wasi_report("set 0", __wasi_fd_fdstat_set_flags(fd, 0));
    flags("after set 0", fd);
    libc_report("fcntl F_SETFL O_APPEND", fcntl(fd, F_SETFL, O_APPEND));
    printf("%-48s %s\n", "fcntl F_GETFL has O_APPEND", (fcntl(fd, F_GETFL) & O_APPEND) ? "yes" : "no");
    close(fd);
    printf("%-48s %s\n", "f.txt", contents("f.txt"));

    int ap = open("f.txt", O_WRONLY | O_APPEND);
    flags("opened O_APPEND", ap);
    int nb = open("f.txt", O_RDONLY | O_NONBLOCK);
    flags("opened O_NONBLOCK", nb);
    errno = 0;
    libc_report("open O_SYNC", open("f.txt", O_WRONLY | O_SYNC));
    libc_report("open O_DSYNC", open("f.txt", O_WRONLY | O_DSYNC));

    wasi_report("set APPEND on stdout", __wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_APPEND));
    wasi_report("set NONBLOCK on stdin", __wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_NONBLOCK));
    wasi_report("set 0 on the preopen", __wasi_fd_fdstat_set_flags(3, 0));
    wasi_report("set 0 on a closed fd", __wasi_fd_fdstat_set_flags(99, 0));
    flags("stdout", 1);
    flags("the preopen", 3);
    return 0;
}
