#include "carina_crc32c.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#include <pthread.h>

int carina_crc32c_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}

// The crc32 instruction has a latency of three cycles and a throughput of one per cycle: three independent streams
// over three consecutive blocks keep it busy, and the three block CRCs are then joined with the "append n zero bytes"
// operator of the CRC (linear over GF(2), so four 256-entry tables, one per byte of the register, apply it).
enum { LONG_BLOCK = 8192, SHORT_BLOCK = 256 };
static uint32_t long_shift[4][256], short_shift[4][256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

// The register after `length` zero bytes from state `c` (length a multiple of 8).
__attribute__((target("sse4.2")))
static uint32_t append_zeros(uint32_t c, size_t length) {
    uint64_t x = c;
    for (size_t i = 0; i < length / 8; ++i) x = _mm_crc32_u64(x, 0);
    return (uint32_t)x;
}

static void make_tables(void) {
    for (int k = 0; k < 4; ++k) {
        for (uint32_t b = 0; b < 256; ++b) {
            long_shift[k][b] = append_zeros(b << (8 * k), LONG_BLOCK);
            short_shift[k][b] = append_zeros(b << (8 * k), SHORT_BLOCK);
        }
    }
}

static inline uint32_t shift(uint32_t table[4][256], uint32_t c) {
    return table[0][c & 0xff] ^ table[1][(c >> 8) & 0xff] ^ table[2][(c >> 16) & 0xff] ^ table[3][c >> 24];
}

// Three interleaved streams over blocks of `block` bytes, as long as 3 blocks remain.
__attribute__((target("sse4.2")))
static inline uint64_t three_streams(uint64_t c0, const uint8_t **bytes, size_t *length, size_t block,
                                     uint32_t table[4][256]) {
    while (*length >= 3 * block) {
        const uint8_t *p = *bytes;
        uint64_t c1 = 0, c2 = 0;
        for (size_t i = 0; i < block; i += 8) {
            uint64_t w0, w1, w2;
            __builtin_memcpy(&w0, p + i, 8);
            __builtin_memcpy(&w1, p + block + i, 8);
            __builtin_memcpy(&w2, p + 2 * block + i, 8);
            c0 = _mm_crc32_u64(c0, w0);
            c1 = _mm_crc32_u64(c1, w1);
            c2 = _mm_crc32_u64(c2, w2);
        }
        c0 = shift(table, (uint32_t)c0) ^ (uint32_t)c1;
        c0 = shift(table, (uint32_t)c0) ^ (uint32_t)c2;
        *bytes += 3 * block;
        *length -= 3 * block;
    }
    return c0;
}

__attribute__((target("sse4.2")))
uint32_t carina_crc32c_update_hw(uint32_t crc, const uint8_t *bytes, size_t length) {
    uint64_t c = ~crc;
    if (length >= 3 * SHORT_BLOCK) {
        pthread_once(&tables_once, make_tables);
        c = three_streams(c, &bytes, &length, LONG_BLOCK, long_shift);
        c = three_streams(c, &bytes, &length, SHORT_BLOCK, short_shift);
    }
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
