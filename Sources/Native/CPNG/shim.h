#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// libpng reports errors with setjmp/longjmp, which Swift cannot express: these two helpers keep the jump in C and
// return a status and a message instead.

/// A malloc'ed byte buffer the encoder grows; the caller frees `data` with `free`.
typedef struct carina_png_buffer {
    unsigned char *data;
    size_t size, capacity;
    int failed;
} carina_png_buffer;

static inline void carina_png_error(png_structp png, png_const_charp message) {
    char *text = (char *)png_get_error_ptr(png);
    if (text) { strncpy(text, message, 255); text[255] = 0; }
    png_longjmp(png, 1);
}

static inline void carina_png_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

static inline void carina_png_write_bytes(png_structp png, png_bytep bytes, png_size_t n) {
    carina_png_buffer *b = (carina_png_buffer *)png_get_io_ptr(png);
    if (b->size + n > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 65536;
        while (capacity < b->size + n) capacity *= 2;
        unsigned char *grown = (unsigned char *)realloc(b->data, capacity);
        if (!grown) { b->failed = 1; png_error(png, "out of memory"); }
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->size, bytes, n);
    b->size += n;
}

static inline void carina_png_flush(png_structp png) { (void)png; }

/// Encodes a grayscale image (`bit_depth` 8: one byte per pixel; 16: native-endian uint16) as PNG with zlib
/// `level` (0...9), zlib `strategy` (0 default, 2 Huffman only) and the PNG `filters` mask (e.g. PNG_FILTER_UP).
/// Returns 0, or 1 with a message in `error` (256 bytes).
static inline int carina_png_encode(const void *pixels, uint32_t width, uint32_t height, int bit_depth, int level,
                                    int strategy, int filters, carina_png_buffer *out, char *error) {
    out->data = NULL; out->size = out->capacity = 0; out->failed = 0;
    error[0] = 0;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, error, carina_png_error, carina_png_warning);
    if (!png) { strcpy(error, "libpng could not create a writer"); return 1; }
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = (png_bytep *)malloc(sizeof(png_bytep) * (height ? height : 1));
    if (!info || !rows) { png_destroy_write_struct(&png, info ? &info : NULL); free(rows); strcpy(error, "out of memory"); return 1; }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(rows);
        free(out->data); out->data = NULL; out->size = 0;
        return 1;
    }
    png_set_write_fn(png, out, carina_png_write_bytes, carina_png_flush);
    png_set_IHDR(png, info, width, height, bit_depth, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, level);
    png_set_compression_strategy(png, strategy);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filters);
    png_write_info(png, info);
    if (bit_depth == 16) png_set_swap(png);  // PNG stores big endian; our samples are little endian
    size_t stride = (size_t)width * (bit_depth / 8);
    for (uint32_t y = 0; y < height; ++y) rows[y] = (png_bytep)pixels + stride * y;
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    return 0;
}

typedef struct carina_png_source { const unsigned char *data; size_t size, position; } carina_png_source;

static inline void carina_png_read_bytes(png_structp png, png_bytep bytes, png_size_t n) {
    carina_png_source *s = (carina_png_source *)png_get_io_ptr(png);
    if (n > s->size - s->position) png_error(png, "PNG data ends early (truncated)");
    memcpy(bytes, s->data + s->position, n);
    s->position += n;
}

/// Decodes a grayscale PNG (1...16 bits; no alpha, no colour) into a malloc'ed buffer the caller frees: one byte per
/// pixel for depth <= 8, native-endian uint16 for 16. Returns 0; 1 with a message in `error` (256 bytes) for data
/// that is not a valid PNG; 2 with a message for a valid PNG that is not grayscale, when `luma` is 0.
static inline int carina_png_decode_impl(const unsigned char *data, size_t size, uint32_t *width, uint32_t *height,
                                         int *bit_depth, void **pixels, char *error, int luma) {
    *pixels = NULL;
    error[0] = 0;
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) { strcpy(error, "not a PNG (bad signature)"); return 1; }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, error, carina_png_error, carina_png_warning);
    if (!png) { strcpy(error, "libpng could not create a reader"); return 1; }
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); strcpy(error, "out of memory"); return 1; }
    carina_png_source source = {data, size, 0};
    unsigned char *volatile buffer = NULL;
    png_bytep *volatile rows = NULL;
    volatile int failure = 1;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(buffer); free(rows);
        return failure;
    }
    png_set_read_fn(png, &source, carina_png_read_bytes);
    png_set_user_limits(png, 65535, 65535);
    png_read_info(png, info);
    png_uint_32 w = 0, h = 0;
    int depth = 0, color = 0;
    png_get_IHDR(png, info, &w, &h, &depth, &color, NULL, NULL, NULL);
    if (color != PNG_COLOR_TYPE_GRAY) {
        if (!luma) { failure = 2; png_error(png, "PNG is not plain grayscale (colour or alpha)"); }
        /* colour or alpha reduced to luminance (libpng's default Rec. 709 weights), alpha dropped */
        if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
        if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
        if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_strip_alpha(png);
        if ((color & PNG_COLOR_MASK_COLOR) || color == PNG_COLOR_TYPE_PALETTE) png_set_rgb_to_gray_fixed(png, 1, -1, -1);
        if (color == PNG_COLOR_TYPE_PALETTE) depth = 8;
    }
    if (depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16) png_set_swap(png);
    png_read_update_info(png, info);
    size_t stride = png_get_rowbytes(png, info);
    buffer = (unsigned char *)malloc(stride * h + 1);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * h + 1);
    if (!buffer || !rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < h; ++y) rows[y] = buffer + stride * y;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    *width = w; *height = h; *bit_depth = depth == 16 ? 16 : 8;
    *pixels = buffer;
    return 0;
}

static inline int carina_png_decode(const unsigned char *data, size_t size, uint32_t *width, uint32_t *height,
                                    int *bit_depth, void **pixels, char *error) {
    return carina_png_decode_impl(data, size, width, height, bit_depth, pixels, error, 0);
}

/* Like carina_png_decode, but a colour, palette or alpha PNG is reduced to its luminance. */
static inline int carina_png_decode_luma(const unsigned char *data, size_t size, uint32_t *width, uint32_t *height,
                                         int *bit_depth, void **pixels, char *error) {
    return carina_png_decode_impl(data, size, width, height, bit_depth, pixels, error, 1);
}
