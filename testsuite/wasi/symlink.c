/* Symlinks whose target leaves the sandbox (run with "box" preopened as "."; "outside.txt"
 * lies beside "box"). As in wasmtime (cap-std): an absolute target is refused with EPERM; a
 * relative one is created as written, because following any link resolves beneath the
 * directory fd: every way of following it is EPERM and the host outside is never reached. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "wasi_report.h"

static void try_open(const char *label, const char *path, int flags) {
    errno = 0;
    int fd = open(path, flags, 0644);
    libc_report(label, fd);
    if (fd >= 0) {
        char buf[64] = {0};
        read(fd, buf, sizeof buf - 1);
        printf("%-48s %s\n", "  ...and read", buf[0] ? buf : "(nothing)");
        close(fd);
    }
}

static void link_text(const char *path) {
    char buf[64] = {0};
    errno = 0;
    long n = readlink(path, buf, sizeof buf - 1);
    printf("%-48s %s\n", path, n < 0 ? wasi_errno_name(errno) : buf);
}

int main(void) {
    FILE *f = fopen("inside.txt", "w");
    fputs("inside", f);
    fclose(f);
    mkdir("sub", 0755);

    errno = 0;
    libc_report("symlink abs -> /etc/passwd", symlink("/etc/passwd", "abs"));
    libc_report("symlink root -> /", symlink("/", "root"));
    libc_report("symlink up -> ../outside.txt", symlink("../outside.txt", "up"));
    libc_report("symlink sub/up2 -> ../../outside.txt", symlink("../../outside.txt", "sub/up2"));
    libc_report("symlink dangling -> ../created-outside.txt", symlink("../created-outside.txt", "dangling"));
    libc_report("symlink hop -> up (a link to the link)", symlink("up", "hop"));
    libc_report("symlink sub/in -> ../inside.txt", symlink("../inside.txt", "sub/in"));
    link_text("up");
    link_text("sub/up2");

    try_open("open up", "up", O_RDONLY);
    try_open("open sub/up2", "sub/up2", O_RDONLY);
    try_open("open hop", "hop", O_RDONLY);
    try_open("open up for writing", "up", O_WRONLY | O_TRUNC);
    try_open("open dangling O_CREAT", "dangling", O_WRONLY | O_CREAT);
    try_open("open up O_NOFOLLOW", "up", O_RDONLY | O_NOFOLLOW);
    try_open("open sub/in (stays inside)", "sub/in", O_RDONLY);

    struct stat st;
    errno = 0;
    libc_report("stat up (follows)", stat("up", &st));
    errno = 0;
    int rc = lstat("up", &st);
    libc_report("lstat up", rc);
    printf("%-48s %s\n", "  ...is a symlink", rc == 0 && S_ISLNK(st.st_mode) ? "yes" : "no");

    /* The sandbox root is the directory fd of each call: from "sub", ".." is outside. */
    int sub = open("sub", O_RDONLY | O_DIRECTORY);
    errno = 0;
    libc_report("openat(sub, in) (climbs above sub)", openat(sub, "in", O_RDONLY));
    errno = 0;
    libc_report("openat(sub, ../inside.txt)", openat(sub, "../inside.txt", O_RDONLY));

    errno = 0;
    libc_report("rename up -> moved (the link itself)", rename("up", "moved"));
    link_text("moved");
    errno = 0;
    libc_report("unlink moved (the link, not its target)", unlink("moved"));
    return 0;
}
