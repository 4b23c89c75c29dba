#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
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
