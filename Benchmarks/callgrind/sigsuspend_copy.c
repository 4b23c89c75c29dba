/* Preloaded only under valgrind by callgrind.sh. valgrind 3.19 (Debian 12) writes into the signal
 * mask passed to rt_sigsuspend; libdispatch's signal thread (dispatch_main) passes a mask in
 * read-only memory, so valgrind itself crashes with SIGSEGV before segd does anything. Passing a
 * copy on the stack changes nothing for the program. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, (size_t)(_NSIG / 8));
}
