#include "segd_support.h"
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>

int segd_crc32c_hardware_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) != 0;
}

/* Only called after segd_crc32c_hardware_available() said yes, so the instruction is compiled in
   for this function alone and the rest of the binary keeps the baseline instruction set. */
__attribute__((target("sse4.2")))
uint32_t segd_crc32c_hardware(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *next = bytes;
    uint64_t state = ~crc;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, next, sizeof word); /* unaligned load */
        state = _mm_crc32_u64(state, word);
        next += 8;
        count -= 8;
    }
    uint32_t tail = (uint32_t)state;
    while (count > 0) {
        tail = _mm_crc32_u8(tail, *next);
        next += 1;
        count -= 1;
    }
    return ~tail;
}

#else
/* Elsewhere the software CRC serves: availability says no, so this is never called. */
int segd_crc32c_hardware_available(void) { return 0; }

uint32_t segd_crc32c_hardware(uint32_t crc, const void *bytes, size_t count) {
    (void)crc;
    (void)bytes;
    (void)count;
    __builtin_trap();
}
#endif
