// carina_png_inflate.h — a fast decoder for the common PNG: non-interlaced grayscale, 8 or 16 bits, inflated with
// libdeflate in one call and unfiltered in place. Anything else is left to libpng. No stable API: only CarinaImage
// imports it.
#ifndef CARINA_PNG_INFLATE_H
#define CARINA_PNG_INFLATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What `carina_png_inflate_decode` did.
enum {
    /// Decoded: the rows asked for are in `out`.
    CARINA_PNG_INFLATE_OK = 0,
    /// A valid-looking PNG this fast path does not handle (colour, alpha, palette, depth below 8, interlaced, or an
    /// unusual chunk layout): decode it with libpng.
    CARINA_PNG_INFLATE_UNSUPPORTED = 1,
    /// The data is damaged (bad signature, chunk CRC, zlib stream, Adler-32, filter type, or truncated); `error` says
    /// what and where.
    CARINA_PNG_INFLATE_CORRUPT = 2,
};

/// Reads a PNG's IHDR: width, height, bit depth, colour type and interlace method. Returns 0, or
/// `CARINA_PNG_INFLATE_CORRUPT` when the signature or IHDR is missing or damaged.
int carina_png_inflate_header(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height, int *bit_depth,
                              int *color_type, int *interlace);

/// Decodes the top `rows` rows (1...height) of a non-interlaced grayscale 8- or 16-bit PNG into `out`, one
/// `uint16_t` per pixel (8-bit samples widened), row after row, `width * rows` values. The whole zlib stream is
/// inflated and its Adler-32 checked, and every chunk CRC up to IEND is checked, whatever `rows` is.
/// Returns one of the codes above; with CORRUPT, `error` (256 bytes) holds a message.
int carina_png_inflate_decode(const uint8_t *data, size_t size, uint32_t rows, uint16_t *out, char *error);

#ifdef __cplusplus
}
#endif

#endif
