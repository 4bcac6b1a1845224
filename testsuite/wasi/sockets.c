/* The socket calls on descriptors that are not sockets: ENOTSOCK (wasmtime's answer and the
 * WASI test suite's sock_shutdown-not_sock), EBADF for an fd that is not open. */
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "wasi_report.h"

static void all(const char *what, int fd) {
    char label[64], buf[4] = "abc";
    __wasi_iovec_t riov = {(uint8_t *)buf, sizeof buf};
    __wasi_ciovec_t siov = {(const uint8_t *)buf, sizeof buf};
    __wasi_size_t n = 0;
    __wasi_roflags_t ro = 0;
    __wasi_fd_t got = 0;
    snprintf(label, sizeof label, "sock_shutdown(%s)", what);
    wasi_report(label, __wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD));
    snprintf(label, sizeof label, "sock_accept(%s)", what);
    wasi_report(label, __wasi_sock_accept(fd, 0, &got));
    snprintf(label, sizeof label, "sock_recv(%s)", what);
    wasi_report(label, __wasi_sock_recv(fd, &riov, 1, 0, &n, &ro));
    snprintf(label, sizeof label, "sock_send(%s)", what);
    wasi_report(label, __wasi_sock_send(fd, &siov, 1, 0, &n));
}

int main(void) {
    int file = open("f.txt", O_CREAT | O_RDWR, 0644);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    all("stdin", 0);
    all("stdout", 1);
    all("a file", file);
    all("a directory", dir);
    all("the preopen", 3);
    all("a closed fd", 99);
    errno = 0;
    libc_report("libc shutdown(stdout)", shutdown(1, SHUT_RD));
    return 0;
}
