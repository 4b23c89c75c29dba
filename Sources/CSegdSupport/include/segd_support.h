#ifndef SEGD_SUPPORT_H
#define SEGD_SUPPORT_H
/* What Swift cannot reach on its own: the processor's CRC-32C instruction (SSE4.2), glibc's
   malloc tuning, and Linux's sync_file_range, pthread_setname_np (declared only under
   _GNU_SOURCE) and per-thread priorities. */
#include <stddef.h>
#include <stdint.h>

/* Whether this processor computes CRC-32C in hardware (SSE4.2's crc32 on x86-64); when it does
   not, segd_crc32c_hardware must not be called and callers use their software CRC. */
int segd_crc32c_hardware_available(void);

/* CRC-32C (Castagnoli) of `count` bytes at `bytes`, continuing from `crc` (0 to start), with the
   same pre- and post-inversion as the software version: the two agree on every input. */
uint32_t segd_crc32c_hardware(uint32_t crc, const void *bytes, size_t count);

/* Makes glibc's malloc serve every allocation of `bytes` or more with its own mapping, returned to
   the system when freed. Without a fixed threshold glibc raises it each time such a block is freed
   (up to 32 MiB), after which large blocks come from the heap and stay resident once freed: with
   per-day arrays of every buyer, that kept a quarter of segd's resident memory in free blocks.
   Returns 1 when the setting took effect; 0 elsewhere than glibc. */
int segd_fix_mmap_threshold(size_t bytes);

/* Starts writeback of the dirty pages of `length` bytes at `offset` of the file open as `descriptor`
   without waiting for it (sync_file_range with SYNC_FILE_RANGE_WRITE), so that a later fdatasync has
   little left to write. Returns 0, or -1 with errno set; does nothing and returns 0 elsewhere than Linux. */
int segd_start_writeback(int descriptor, int64_t offset, int64_t length);

/* Names the calling thread for the kernel (pthread_setname_np, a GNU extension Swift's Glibc module
   does not declare), so `top -H`, perf and gdb show it; the kernel keeps the first 15 bytes.
   Returns 0, or an error number; does nothing and returns 0 elsewhere than Linux. */
int segd_set_thread_name(const char *name);

/* Raises the nice value of the calling thread alone by `steps`, up to 19 (Linux schedules threads,
   so setpriority on the thread id applies to it only); raising it needs no privilege. Returns 0, or
   an error number; does nothing and returns 0 elsewhere than Linux. */
int segd_lower_thread_priority(int steps);

#endif
