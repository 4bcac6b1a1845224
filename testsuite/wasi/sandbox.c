/* Sandbox escape attempts (run with the directory "box" preopened as "."; "secret.txt"
 * lies beside "box", outside the sandbox). Every escape must fail; prints errno names. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *name(int e) {
    switch (e) {
    case 0: return "ok";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EXDEV: return "EXDEV";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    default: return strerror(e);
    }
}

static void report(const char *what, int rc) {
    printf("%-40s %s\n", what, rc < 0 ? name(errno) : "ok");
}

static int try_open(const char *path, int flags) {
    errno = 0;
    int fd = open(path, flags, 0644);
    if (fd >= 0) close(fd);
    return fd;
}

int main(void) {
    int dirfd = open(".", O_RDONLY | O_DIRECTORY);
    report("open . (the preopen)", dirfd);
    FILE *f = fopen("file.txt", "w");
    fputs("inside\n", f);
    fclose(f);
    report("open file.txt", try_open("file.txt", O_RDONLY));
    report("open ../secret.txt", try_open("../secret.txt", O_RDONLY));
    report("create ../new.txt", try_open("../new.txt", O_WRONLY | O_CREAT));
    report("open /etc/passwd (no preopen)", try_open("/etc/passwd", O_RDONLY));
    errno = 0;
    int fd = openat(dirfd, "/etc/passwd", O_RDONLY);
    report("openat(dir, /etc/passwd)", fd);
    errno = 0;
    report("mkdir sub", mkdir("sub", 0755));
    report("open sub/../file.txt", try_open("sub/../file.txt", O_RDONLY));
    report("open sub/../../secret.txt", try_open("sub/../../secret.txt", O_RDONLY));
    errno = 0;
    report("symlink out_link -> ../secret.txt", symlink("../secret.txt", "out_link"));
    report("open out_link", try_open("out_link", O_RDONLY));
    errno = 0;
    report("symlink abs_link -> /etc/passwd", symlink("/etc/passwd", "abs_link"));
    report("open abs_link", try_open("abs_link", O_RDONLY));
    errno = 0;
    report("symlink sub/up -> ..", symlink("..", "sub/up"));
    report("open sub/up/file.txt", try_open("sub/up/file.txt", O_RDONLY));
    report("open sub/up/../secret.txt", try_open("sub/up/../secret.txt", O_RDONLY));
    errno = 0;
    symlink("loop_b", "loop_a");
    symlink("loop_a", "loop_b");
    report("open loop_a (symlink loop)", try_open("loop_a", O_RDONLY));
    errno = 0;
    report("symlink in_link -> file.txt", symlink("file.txt", "in_link"));
    report("open in_link", try_open("in_link", O_RDONLY));
    char buf[64] = {0};
    errno = 0;
    ssize_t n = readlink("out_link", buf, sizeof buf - 1);
    printf("%-40s %s\n", "readlink out_link", n < 0 ? name(errno) : buf);
    errno = 0;
    report("rename file.txt -> ../stolen.txt", rename("file.txt", "../stolen.txt"));
    errno = 0;
    report("rename file.txt -> sub/up/x.txt (inside)", rename("file.txt", "sub/up/x.txt"));
    errno = 0;
    report("rename x.txt -> file.txt", rename("x.txt", "file.txt"));
    errno = 0;
    report("link file.txt -> ../hard.txt", link("file.txt", "../hard.txt"));
    errno = 0;
    report("rename ../secret.txt -> here.txt", rename("../secret.txt", "here.txt"));
    errno = 0;
    report("unlink ../secret.txt", unlink("../secret.txt"));
    errno = 0;
    report("mkdir ../escape", mkdir("../escape", 0755));
    errno = 0;
    report("rmdir ..", rmdir(".."));
    struct stat st;
    errno = 0;
    report("stat ../secret.txt", stat("../secret.txt", &st));
    /* Ordinary errors inside the sandbox. */
    report("open missing.txt", try_open("missing.txt", O_RDONLY));
    errno = 0;
    report("mkdir sub (again)", mkdir("sub", 0755));
    report("open file.txt as a directory", try_open("file.txt", O_RDONLY | O_DIRECTORY));
    errno = 0;
    report("link file.txt -> sub/hard.txt", link("file.txt", "sub/hard.txt"));
    errno = 0;
    report("rmdir sub (not empty)", rmdir("sub"));
    errno = 0;
    report("unlink sub (a directory)", unlink("sub"));
    errno = 0;
    report("rename file.txt -> sub/moved.txt", rename("file.txt", "sub/moved.txt"));
    errno = 0;
    report("create sub/moved.txt exclusively", try_open("sub/moved.txt", O_WRONLY | O_CREAT | O_EXCL));
    return 0;
}
