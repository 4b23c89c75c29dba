#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "segd_support.h"

int segd_set_thread_name(const char *name) {
#ifdef __linux__
    /* The kernel refuses names of 16 bytes or more (ERANGE) instead of cutting them. */
    char cut[16];
    strncpy(cut, name, sizeof cut - 1);
    cut[sizeof cut - 1] = '\0';
    return pthread_setname_np(pthread_self(), cut);
#else
    (void)name;
    return 0;
#endif
}

int segd_lower_thread_priority(int steps) {
#ifdef __linux__
    id_t thread = (id_t)syscall(SYS_gettid);
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, thread);  /* -1 is a valid value: errno tells */
    if (errno != 0) return errno;
    nice += steps;
    if (nice > 19) nice = 19;
    return setpriority(PRIO_PROCESS, thread, nice) == 0 ? 0 : errno;
#else
    (void)steps;
    return 0;
#endif
}
