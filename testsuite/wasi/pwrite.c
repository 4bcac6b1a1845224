/* fd_pwrite never moves the descriptor's offset, also on a file opened with O_APPEND. On an
 * O_APPEND fd the data goes to the end (Linux's pwrite, which wasmtime follows since 2024;
 * the WASI test suite's pwrite-with-append accepts this or POSIX's offset). */
#include <fcntl.h>
#include <unistd.h>
#include "wasi_report.h"

static void where(const char *label, int fd) {
    long cur = lseek(fd, 0, SEEK_CUR);
    long end = lseek(fd, 0, SEEK_END);
    lseek(fd, cur, SEEK_SET);
    printf("%-48s offset=%ld size=%ld\n", label, cur, end);
}

int main(void) {
    int fd = open("plain.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    libc_report("open plain.txt", fd);
    libc_report("write 0123456789", write(fd, "0123456789", 10));
    libc_report("lseek to 2", lseek(fd, 2, SEEK_SET));
    libc_report("pwrite AB at 5", pwrite(fd, "AB", 2, 5));
    where("after pwrite", fd);
    libc_report("pwrite Z at 12 (past the end)", pwrite(fd, "Z", 1, 12));
    where("after pwrite past the end", fd);
    libc_report("write xy (at the offset)", write(fd, "xy", 2));
    where("after write", fd);
    char buf[8] = {0};
    libc_report("pread 4 at 4", pread(fd, buf, 4, 4));
    printf("%-48s %s\n", "pread got", buf);
    where("after pread", fd);
    close(fd);
    printf("%-48s %s\n", "plain.txt", contents("plain.txt"));

    fd = open("append.txt", O_CREAT | O_WRONLY | O_APPEND | O_TRUNC, 0644);
    libc_report("open append.txt O_APPEND", fd);
    libc_report("write abcd", write(fd, "abcd", 4));
    where("after write", fd);
    libc_report("pwrite XYZ at 0", pwrite(fd, "XYZ", 3, 0));
    where("after pwrite (offset unchanged)", fd);
    libc_report("lseek to 1", lseek(fd, 1, SEEK_SET));
    libc_report("pwrite Q at 1", pwrite(fd, "Q", 1, 1));
    where("after pwrite at the offset", fd);
    libc_report("write ! (appends)", write(fd, "!", 1));
    where("after write", fd);
    close(fd);
    printf("%-48s %s\n", "append.txt", contents("append.txt"));

    libc_report("pwrite on stdout", pwrite(1, "x", 1, 0));
    libc_report("pwrite on stdin", pwrite(0, "x", 1, 0));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    libc_report("pwrite on a directory", pwrite(dir, "x", 1, 0));
    libc_report("pwrite on a closed fd", pwrite(77, "x", 1, 0));
    return 0;
}
