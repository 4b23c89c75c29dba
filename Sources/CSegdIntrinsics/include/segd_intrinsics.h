#ifndef SEGD_INTRINSICS_H
#define SEGD_INTRINSICS_H
/* Processor instructions Swift has no spelling for: the hardware CRC-32C of SSE4.2. */
#include <stddef.h>
#include <stdint.h>

/* Whether this processor computes CRC-32C in hardware (SSE4.2's crc32 on x86-64); when it does
   not, segd_crc32c_hardware must not be called and callers use their software CRC. */
int segd_crc32c_hardware_available(void);

/* CRC-32C (Castagnoli) of `count` bytes at `bytes`, continuing from `crc` (0 to start), with the
   same pre- and post-inversion as the software version: the two agree on every input. */
uint32_t segd_crc32c_hardware(uint32_t crc, const void *bytes, size_t count);

#endif
