// carina_crc32c.h — CRC-32C with the SSE4.2 `crc32` instruction where the processor has it. No stable API: only
// CarinaShards imports it.
#ifndef CARINA_CRC32C_H
#define CARINA_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Whether `carina_crc32c_update_hw` may be called on this processor.
int carina_crc32c_hardware_available(void);

/// Continues a CRC-32C (pre- and post-inverted, like the software version) over `length` bytes with SSE4.2.
uint32_t carina_crc32c_update_hw(uint32_t crc, const uint8_t *bytes, size_t length);

#ifdef __cplusplus
}
#endif

#endif
