#include "carina_png_inflate.h"

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static int fail(char *error, const char *message, size_t offset) {
    if (error) snprintf(error, 256, "%s (at byte %zu)", message, offset);
    return CARINA_PNG_INFLATE_CORRUPT;
}

int carina_png_inflate_header(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height, int *bit_depth,
                              int *color_type, int *interlace) {
    if (size < 33 || memcmp(data, signature, 8) != 0) return CARINA_PNG_INFLATE_CORRUPT;
    if (be32(data + 8) != 13 || memcmp(data + 12, "IHDR", 4) != 0) return CARINA_PNG_INFLATE_CORRUPT;
    *width = be32(data + 16);
    *height = be32(data + 20);
    *bit_depth = data[24];
    *color_type = data[25];
    *interlace = data[28];
    return 0;
}

// PNG's Paeth predictor (PNG spec §9.4), branch-free enough for the compiler to use conditional moves.
static inline int paeth(int a, int b, int c) {
    int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
    int ab = pa <= pb ? a : b;
    int pab = pa <= pb ? pa : pb;
    return pab <= pc ? ab : c;
}

#if defined(__SSE2__)
static inline __m128i load_pixel(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return _mm_unpacklo_epi8(_mm_cvtsi32_si128(v), _mm_setzero_si128());
}

static inline __m128i abs16(__m128i x) { return _mm_max_epi16(x, _mm_sub_epi16(_mm_setzero_si128(), x)); }

// Paeth over a row of 2-byte pixels: each pixel's two bytes in 16-bit lanes, so one pass of the serial chain does
// both (the chain through the left neighbour is what limits this filter).
static void unfilter_paeth_2(uint8_t *row, const uint8_t *prior, size_t stride) {
    __m128i a = _mm_setzero_si128(), c = _mm_setzero_si128();
    for (size_t i = 0; i + 1 < stride; i += 2) {
        __m128i b = load_pixel(prior + i), x = load_pixel(row + i);
        __m128i pa = _mm_sub_epi16(b, c), pb = _mm_sub_epi16(a, c);
        __m128i pc = abs16(_mm_add_epi16(pa, pb));
        pa = abs16(pa);
        pb = abs16(pb);
        __m128i smallest = _mm_min_epi16(pc, _mm_min_epi16(pa, pb));
        __m128i useB = _mm_cmpeq_epi16(pb, smallest), useA = _mm_cmpeq_epi16(pa, smallest);
        __m128i nearest = _mm_or_si128(_mm_and_si128(useB, b), _mm_andnot_si128(useB, c));
        nearest = _mm_or_si128(_mm_and_si128(useA, a), _mm_andnot_si128(useA, nearest));
        a = _mm_and_si128(_mm_add_epi16(x, nearest), _mm_set1_epi16(0xff));
        uint16_t out = (uint16_t)_mm_cvtsi128_si32(_mm_packus_epi16(a, a));
        memcpy(row + i, &out, 2);
        c = b;
    }
}
#endif

// Reverses one row's filter in place; `prior` is the previous unfiltered row (zeros for the first row). Always
// inlined with a constant `bpp` so each depth gets its own loops.
static inline __attribute__((always_inline)) int unfilter(uint8_t *row, const uint8_t *prior, size_t stride,
                                                          int filter, const size_t bpp) {
    switch (filter) {
    case 0:
        break;
    case 1:
        for (size_t i = bpp; i < stride; ++i) row[i] = (uint8_t)(row[i] + row[i - bpp]);
        break;
    case 2:
        for (size_t i = 0; i < stride; ++i) row[i] = (uint8_t)(row[i] + prior[i]);
        break;
    case 3:
        for (size_t i = 0; i < bpp; ++i) row[i] = (uint8_t)(row[i] + (prior[i] >> 1));
        for (size_t i = bpp; i < stride; ++i) row[i] = (uint8_t)(row[i] + ((row[i - bpp] + prior[i]) >> 1));
        break;
    case 4:
#if defined(__SSE2__)
        if (bpp == 2) { unfilter_paeth_2(row, prior, stride); break; }
#endif
        for (size_t i = 0; i < bpp; ++i) row[i] = (uint8_t)(row[i] + prior[i]);
        for (size_t i = bpp; i < stride; ++i) row[i] = (uint8_t)(row[i] + paeth(row[i - bpp], prior[i], prior[i - bpp]));
        break;
    default:
        return 1;
    }
    return 0;
}

static int unfilter_1(uint8_t *row, const uint8_t *prior, size_t stride, int filter) {
    return unfilter(row, prior, stride, filter, 1);
}

static int unfilter_2(uint8_t *row, const uint8_t *prior, size_t stride, int filter) {
    return unfilter(row, prior, stride, filter, 2);
}

int carina_png_inflate_decode(const uint8_t *data, size_t size, uint32_t rows, uint16_t *out, char *error) {
    if (error) error[0] = 0;
    uint32_t width = 0, height = 0;
    int depth = 0, color = 0, interlace = 0;
    if (carina_png_inflate_header(data, size, &width, &height, &depth, &color, &interlace) != 0)
        return fail(error, "not a PNG, or no IHDR first (bad signature or header)", 0);
    if (libdeflate_crc32(0, data + 12, 17) != be32(data + 29)) return fail(error, "IHDR chunk CRC mismatch", 29);
    if (width == 0 || height == 0) return fail(error, "PNG has an empty image", 16);
    if (color != 0 || (depth != 8 && depth != 16) || interlace != 0 || data[26] != 0 || data[27] != 0 ||
        width > 65535 || height > 65535)
        return CARINA_PNG_INFLATE_UNSUPPORTED;
    if (rows == 0 || rows > height) return fail(error, "rows asked for are outside the image", 0);

    // Walk the chunks: one contiguous run of IDAT, then IEND; critical chunks' CRCs checked as libpng does.
    size_t segments = 0, compressed = 0, firstIDAT = 0;
    int idatDone = 0, ended = 0, status = CARINA_PNG_INFLATE_OK;
    size_t pos = 33;
    while (pos < size) {
        if (size - pos < 12) { status = fail(error, "PNG data ends early (truncated chunk)", pos); break; }
        uint32_t length = be32(data + pos);
        const uint8_t *type = data + pos + 4;
        if (length > 0x7fffffffu) { status = fail(error, "chunk length over 2^31", pos); break; }
        if (size - pos - 12 < length) { status = fail(error, "PNG data ends early (truncated chunk)", pos); break; }
        int critical = !(type[0] & 0x20);
        int isIDAT = memcmp(type, "IDAT", 4) == 0, isIEND = memcmp(type, "IEND", 4) == 0;
        if (critical && libdeflate_crc32(0, type, length + 4) != be32(type + 4 + length)) {
            char message[64];
            snprintf(message, sizeof message, "%.4s chunk CRC mismatch", (const char *)type);
            status = fail(error, message, pos);
            break;
        }
        if (isIDAT) {
            // IDAT chunks split by another chunk: libpng decides what that means.
            if (idatDone) { status = CARINA_PNG_INFLATE_UNSUPPORTED; break; }
            if (segments++ == 0) firstIDAT = pos;
            compressed += length;
        } else {
            if (segments > 0) idatDone = 1;
            if (isIEND) { ended = 1; break; }
            // Another critical chunk (PLTE, or one libpng rejects): leave it to libpng.
            if (critical && memcmp(type, "IHDR", 4) != 0) { status = CARINA_PNG_INFLATE_UNSUPPORTED; break; }
            if (critical) { status = fail(error, "a second IHDR chunk", pos); break; }
        }
        pos += 12 + (size_t)length;
    }
    if (status == CARINA_PNG_INFLATE_OK && !ended)
        status = fail(error, segments ? "PNG data ends early (no IEND)" : "PNG has no image data (no IDAT)", pos);
    if (status == CARINA_PNG_INFLATE_OK && segments == 0) status = fail(error, "PNG has no image data (no IDAT)", pos);

    const size_t bpp = (size_t)depth / 8, stride = (size_t)width * bpp, filtered = height * (stride + 1);
    uint8_t *joined = NULL, *pixels = NULL;
    const uint8_t *stream = NULL;
    if (status == CARINA_PNG_INFLATE_OK) {
        if (segments == 1) {
            stream = data + firstIDAT + 8;
        } else {
            // libdeflate wants the zlib stream in one piece: join the IDAT payloads (already checked above).
            joined = malloc(compressed ? compressed : 1);
            if (!joined) status = fail(error, "out of memory", 0);
            else {
                size_t at = 0;
                for (size_t p = firstIDAT, s = 0; s < segments; ++s) {
                    size_t length = be32(data + p);
                    memcpy(joined + at, data + p + 8, length);
                    at += length;
                    p += 12 + length;
                }
                stream = joined;
            }
        }
    }
    if (status == CARINA_PNG_INFLATE_OK) {
        pixels = malloc(filtered + stride);  // + one zero row: the prior of the first row
        struct libdeflate_decompressor *inflater = pixels ? libdeflate_alloc_decompressor() : NULL;
        if (!inflater) status = fail(error, "out of memory", 0);
        else {
            memset(pixels, 0, stride);
            enum libdeflate_result result = libdeflate_zlib_decompress(inflater, stream, compressed, pixels + stride,
                                                                       filtered, NULL);
            libdeflate_free_decompressor(inflater);
            if (result == LIBDEFLATE_BAD_DATA)
                status = fail(error, "image data (zlib stream) is damaged or fails its Adler-32 check", firstIDAT);
            else if (result == LIBDEFLATE_SHORT_OUTPUT)
                status = fail(error, "not enough image data (the zlib stream ends before the last row)", firstIDAT);
            else if (result != LIBDEFLATE_SUCCESS)
                status = CARINA_PNG_INFLATE_UNSUPPORTED;  // more data than rows: libpng accepts it with a warning
        }
    }
    free(joined);
    if (status == CARINA_PNG_INFLATE_OK) {
        const uint8_t *prior = pixels;  // the zero row
        for (uint32_t y = 0; y < rows; ++y) {
            uint8_t *line = pixels + stride + (size_t)y * (stride + 1);
            int filter = line[0];
            uint8_t *row = line + 1;
            int bad = depth == 16 ? unfilter_2(row, prior, stride, filter) : unfilter_1(row, prior, stride, filter);
            if (bad) {
                char message[80];
                snprintf(message, sizeof message, "row %u has filter type %d (PNG defines 0...4)", y, filter);
                status = fail(error, message, 0);
                break;
            }
            uint16_t *target = out + (size_t)y * width;
            if (depth == 16) {
                for (uint32_t x = 0; x < width; ++x) target[x] = (uint16_t)(row[2 * x] << 8 | row[2 * x + 1]);
            } else {
                for (uint32_t x = 0; x < width; ++x) target[x] = row[x];
            }
            prior = row;
        }
    }
    free(pixels);
    return status;
}
