#include "carina_crc32c.h"

#if defined(__x86_64__)
#include <nmmintrin.h>

int carina_crc32c_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}

__attribute__((target("sse4.2")))
uint32_t carina_crc32c_update_hw(uint32_t crc, const uint8_t *bytes, size_t length) {
    uint64_t c = ~crc;
    // One serial stream of 8-byte steps: several GB/s, well above the software tables' ~0.5 GB/s.
    while (length >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, bytes, 8);
        c = _mm_crc32_u64(c, word);
        bytes += 8;
        length -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (length > 0) {
        c32 = _mm_crc32_u8(c32, *bytes++);
        length--;
    }
    return ~c32;
}
#else
int carina_crc32c_hardware_available(void) { return 0; }
uint32_t carina_crc32c_update_hw(uint32_t crc, const uint8_t *bytes, size_t length) {
    (void)bytes; (void)length;
    return crc;
}
#endif
