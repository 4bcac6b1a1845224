/* What the guest sees of its standard streams: `isatty()` and the fd_fdstat_get /
 * fd_filestat_get records of fds 0-2. Run with stdin and stdout redirected to terminals,
 * pipes, files and /dev/null; wasmtime reports a character device only for a terminal,
 * `unknown` for everything else, and the rights FD_READ (stdin) / FD_WRITE (stdout, stderr). */
#include <stdio.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
    char line[1024];
    int n = 0;
    for (int fd = 0; fd < 3; fd++) {
        __wasi_fdstat_t st = {0};
        __wasi_filestat_t fs = {0};
        __wasi_errno_t e1 = __wasi_fd_fdstat_get(fd, &st);
        __wasi_errno_t e2 = __wasi_fd_filestat_get(fd, &fs);
        int tty = isatty(fd);
        n += snprintf(line + n, sizeof line - n, "fd%d isatty=%d fdstat=%d type=%u flags=%u rights=%#llx/%#llx filestat=%d type=%u\n",
                      fd, tty, e1, st.fs_filetype, st.fs_flags, (unsigned long long)st.fs_rights_base,
                      (unsigned long long)st.fs_rights_inheriting, e2, fs.filetype);
        if (n >= (int)sizeof line) n = sizeof line - 1;
    }
    /* One write, so the report is whole whatever stdout is. */
    fputs(line, stdout);
    return 0;
}
