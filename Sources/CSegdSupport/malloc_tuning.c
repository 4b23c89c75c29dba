#include "segd_support.h"

#if defined(__GLIBC__)
#include <malloc.h>

int segd_fix_mmap_threshold(size_t bytes) {
    return mallopt(M_MMAP_THRESHOLD, (int)bytes);
}
#else
int segd_fix_mmap_threshold(size_t bytes) {
    (void)bytes;
    return 0;
}
#endif
