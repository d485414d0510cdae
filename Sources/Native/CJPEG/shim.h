#include <stdio.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// libjpeg's default error handler calls exit(); these helpers jump back in C and return a status and a message.

/// libjpeg's error manager plus the place to jump back to.
typedef struct carina_jpeg_error {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} carina_jpeg_error;

static inline void carina_jpeg_error_exit(j_common_ptr cinfo) {
    carina_jpeg_error *e = (carina_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->message);
    longjmp(e->jump, 1);
}

/// Corrupt-data warnings (libjpeg fills the rest of the image with gray and goes on) are errors here.
static inline void carina_jpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level < 0) carina_jpeg_error_exit(cinfo);
}

/// Encodes an 8-bit grayscale image, given as uint16 samples below 256 (Carina's storage), as baseline JPEG at
/// `quality` (1...100) into a malloc'ed buffer the caller frees. Rows are narrowed to bytes one at a time.
static inline int carina_jpeg_encode(const uint16_t *pixels, uint32_t width, uint32_t height, int quality,
                                     unsigned char **out, unsigned long *out_size, char *error) {
    struct jpeg_compress_struct cinfo;
    carina_jpeg_error jerr;
    unsigned char *volatile buffer = NULL;
    unsigned char *volatile row_bytes = (unsigned char *)malloc(width ? width : 1);
    if (!row_bytes) { strcpy(error, "out of memory"); return 1; }
    unsigned long size = 0;
    *out = NULL; *out_size = 0;
    cinfo.err = jpeg_std_error(&jerr.manager);
    jerr.manager.error_exit = carina_jpeg_error_exit;
    jerr.message[0] = 0;
    if (setjmp(jerr.jump)) {
        strncpy(error, jerr.message, 255); error[255] = 0;
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        free(row_bytes);
        return 1;
    }
    jpeg_create_compress(&cinfo);
    unsigned char *dest = NULL;
    jpeg_mem_dest(&cinfo, &dest, &size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 1;
    cinfo.in_color_space = JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        const uint16_t *source = pixels + (size_t)cinfo.next_scanline * width;
        for (uint32_t x = 0; x < width; ++x) row_bytes[x] = (unsigned char)source[x];
        JSAMPROW row = (JSAMPROW)row_bytes;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    buffer = dest;
    jpeg_destroy_compress(&cinfo);
    free(row_bytes);
    *out = buffer;
    *out_size = size;
    return 0;
}

/// Decodes a JPEG to 8-bit grayscale (colour is converted to luminance by libjpeg) into a malloc'ed buffer.
/* Decodes a JPEG to 8-bit gray. With min_long_side > 0, libjpeg's scaled IDCT decodes at 1/2, 1/4 or 1/8 of the
   size: the smallest whose long side is still at least min_long_side (a resize to that side follows). */
static inline int carina_jpeg_decode_scaled(const unsigned char *data, unsigned long size, uint32_t *width,
                                            uint32_t *height, unsigned char **pixels, char *error, int min_long_side) {
    struct jpeg_decompress_struct cinfo;
    carina_jpeg_error jerr;
    unsigned char *volatile buffer = NULL;
    *pixels = NULL;
    cinfo.err = jpeg_std_error(&jerr.manager);
    jerr.manager.error_exit = carina_jpeg_error_exit;
    jerr.manager.emit_message = carina_jpeg_emit_message;
    jerr.message[0] = 0;
    if (setjmp(jerr.jump)) {
        strncpy(error, jerr.message, 255); error[255] = 0;
        jpeg_destroy_decompress(&cinfo);
        free(buffer);
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_GRAYSCALE;
    cinfo.dct_method = JDCT_ISLOW;
    if (min_long_side > 0) {
        unsigned long side = cinfo.image_width > cinfo.image_height ? cinfo.image_width : cinfo.image_height;
        unsigned int denom = 8;
        while (denom > 1 && (side + denom - 1) / denom < (unsigned long)min_long_side) denom /= 2;
        cinfo.scale_num = 1;
        cinfo.scale_denom = denom;
    }
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width;
    buffer = (unsigned char *)malloc(stride * cinfo.output_height + 1);
    if (!buffer) { strcpy(jerr.message, "out of memory"); longjmp(jerr.jump, 1); }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = buffer + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    *width = cinfo.output_width;
    *height = cinfo.output_height;
    jpeg_destroy_decompress(&cinfo);
    *pixels = buffer;
    return 0;
}

static inline int carina_jpeg_decode(const unsigned char *data, unsigned long size, uint32_t *width, uint32_t *height,
                                     unsigned char **pixels, char *error) {
    return carina_jpeg_decode_scaled(data, size, width, height, pixels, error, 0);
}
