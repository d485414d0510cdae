// dcm_j2k.cpp — JPEG 2000 through OpenJPEG (open-source DCMTK has no JPEG 2000 codec): in-memory decode of one
// frame's codestream and lossless encode for the writer.
#include "shim_internal.hpp"

#include <openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace carina {
namespace {

/// A byte range read by an OpenJPEG stream.
struct ReadBuffer {
    const uint8_t *data;
    size_t size;
    size_t position;
};

OPJ_SIZE_T readBytes(void *buffer, OPJ_SIZE_T n, void *user) {
    auto *b = static_cast<ReadBuffer *>(user);
    if (b->position >= b->size) return (OPJ_SIZE_T)-1;
    const size_t k = std::min<size_t>(n, b->size - b->position);
    std::memcpy(buffer, b->data + b->position, k);
    b->position += k;
    return k;
}

OPJ_OFF_T skipBytes(OPJ_OFF_T n, void *user) {
    auto *b = static_cast<ReadBuffer *>(user);
    if (n < 0) {
        const size_t back = std::min<size_t>((size_t)(-n), b->position);
        b->position -= back;
        return -(OPJ_OFF_T)back;
    }
    const size_t k = std::min<size_t>((size_t)n, b->size - b->position);
    b->position += k;
    return (OPJ_OFF_T)k;
}

OPJ_BOOL seekBytes(OPJ_OFF_T n, void *user) {
    auto *b = static_cast<ReadBuffer *>(user);
    if (n < 0 || (size_t)n > b->size) return OPJ_FALSE;
    b->position = (size_t)n;
    return OPJ_TRUE;
}

/// Bytes written by an OpenJPEG stream.
struct WriteBuffer {
    std::vector<uint8_t> *bytes;
    size_t position;
};

OPJ_SIZE_T writeBytes(void *buffer, OPJ_SIZE_T n, void *user) {
    auto *b = static_cast<WriteBuffer *>(user);
    if (b->position + n > b->bytes->size()) b->bytes->resize(b->position + n);
    std::memcpy(b->bytes->data() + b->position, buffer, n);
    b->position += n;
    return n;
}

OPJ_OFF_T skipWrite(OPJ_OFF_T n, void *user) {
    auto *b = static_cast<WriteBuffer *>(user);
    if (n < 0 && (size_t)(-n) > b->position) return -1;
    b->position += n;
    if (b->position > b->bytes->size()) b->bytes->resize(b->position);
    return n;
}

OPJ_BOOL seekWrite(OPJ_OFF_T n, void *user) {
    auto *b = static_cast<WriteBuffer *>(user);
    if (n < 0) return OPJ_FALSE;
    b->position = (size_t)n;
    if (b->position > b->bytes->size()) b->bytes->resize(b->position);
    return OPJ_TRUE;
}

/// OpenJPEG's error messages, kept for the caller instead of printed.
void keepMessage(const char *message, void *user) {
    auto *text = static_cast<std::string *>(user);
    if (!text->empty()) text->append("; ");
    text->append(message);
    while (!text->empty() && (text->back() == '\n' || text->back() == ' ')) text->pop_back();
}

void dropMessage(const char *, void *) {}

/// Routes a codec's messages: errors into `messages`, warnings and information nowhere.
void keepErrorsOnly(opj_codec_t *codec, std::string *messages) {
    opj_set_error_handler(codec, keepMessage, messages);
    opj_set_warning_handler(codec, dropMessage, nullptr);
    opj_set_info_handler(codec, dropMessage, nullptr);
}

struct CodecDeleter {
    void operator()(opj_codec_t *c) const { opj_destroy_codec(c); }
};
struct StreamDeleter {
    void operator()(opj_stream_t *s) const { opj_stream_destroy(s); }
};
struct ImageDeleter {
    void operator()(opj_image_t *i) const { opj_image_destroy(i); }
};

} // namespace

int decodeJPEG2000(const uint8_t *data, size_t size, int32_t rows, int32_t columns, int32_t bitsStored,
                   int32_t threads, uint16_t *out, size_t count, carina_dcm_error *err) {
    static const uint8_t jp2Signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20};
    if (size < 2) return fail(err, CARINA_DCM_DECODE_FAILED, "JPEG 2000 codestream is empty");
    const bool jp2 = size >= 8 && std::memcmp(data, jp2Signature, 8) == 0;
    std::unique_ptr<opj_codec_t, CodecDeleter> codec(opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
    if (!codec) return fail(err, CARINA_DCM_INTERNAL, "OpenJPEG could not create a decoder");
    std::string messages;
    keepErrorsOnly(codec.get(), &messages);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(codec.get(), &parameters))
        return fail(err, CARINA_DCM_INTERNAL, "OpenJPEG decoder set-up failed: %s", messages.c_str());
    if (threads > 1 && opj_has_thread_support()) opj_codec_set_threads(codec.get(), threads);

    ReadBuffer buffer{data, size, 0};
    std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(1 << 16, OPJ_TRUE));
    if (!stream) return fail(err, CARINA_DCM_INTERNAL, "OpenJPEG could not create a stream");
    opj_stream_set_user_data(stream.get(), &buffer, nullptr);
    opj_stream_set_user_data_length(stream.get(), size);
    opj_stream_set_read_function(stream.get(), readBytes);
    opj_stream_set_skip_function(stream.get(), skipBytes);
    opj_stream_set_seek_function(stream.get(), seekBytes);

    opj_image_t *raw = nullptr;
    if (!opj_read_header(stream.get(), codec.get(), &raw))
        return fail(err, CARINA_DCM_DECODE_FAILED, "JPEG 2000 header is unreadable: %s", messages.c_str());
    std::unique_ptr<opj_image_t, ImageDeleter> image(raw);
    // Check the declared size before decoding, so a damaged header cannot make OpenJPEG allocate gigabytes.
    if ((int64_t)image->x1 - (int64_t)image->x0 != columns || (int64_t)image->y1 - (int64_t)image->y0 != rows)
        return fail(err, CARINA_DCM_DECODE_FAILED,
                    "JPEG 2000 header declares %ux%u pixels but the DICOM header %dx%d", image->x1 - image->x0,
                    image->y1 - image->y0, columns, rows);
    if (image->numcomps != 1)
        return fail(err, CARINA_DCM_UNSUPPORTED_PIXELS, "JPEG 2000 codestream has %u components; expected 1",
                    image->numcomps);
    if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get()))
        return fail(err, CARINA_DCM_DECODE_FAILED, "JPEG 2000 codestream is damaged: %s", messages.c_str());
    if (image->numcomps < 1 || image->comps[0].data == nullptr)
        return fail(err, CARINA_DCM_DECODE_FAILED, "JPEG 2000 codestream decoded to no image component");
    const opj_image_comp_t &c = image->comps[0];
    if (image->numcomps != 1)
        return fail(err, CARINA_DCM_UNSUPPORTED_PIXELS, "JPEG 2000 codestream has %u components; expected 1",
                    image->numcomps);
    if ((int64_t)c.w != columns || (int64_t)c.h != rows || c.dx != 1 || c.dy != 1)
        return fail(err, CARINA_DCM_DECODE_FAILED,
                    "JPEG 2000 codestream is %ux%u but the DICOM header declares %dx%d", c.w, c.h, columns, rows);
    // The DICOM header's Pixel Representation and Bits Stored rule: keep the low bits as the stored pattern.
    const uint32_t mask = bitsStored >= 16 ? 0xFFFFu : ((1u << bitsStored) - 1u);
    const OPJ_INT32 *src = c.data;
    for (size_t i = 0; i < count; ++i) out[i] = (uint16_t)((uint32_t)src[i] & mask);
    return CARINA_DCM_OK;
}

int encodeJPEG2000(const uint16_t *pixels, int32_t rows, int32_t columns, int32_t bitsStored,
                   std::vector<uint8_t> &codestream, carina_dcm_error *err) {
    opj_image_cmptparm_t component;
    std::memset(&component, 0, sizeof component);
    component.dx = component.dy = 1;
    component.w = (OPJ_UINT32)columns;
    component.h = (OPJ_UINT32)rows;
    component.prec = (OPJ_UINT32)bitsStored;
    component.sgnd = 0;
    std::unique_ptr<opj_image_t, ImageDeleter> image(opj_image_create(1, &component, OPJ_CLRSPC_GRAY));
    if (!image) return fail(err, CARINA_DCM_INTERNAL, "OpenJPEG could not allocate a %dx%d image", columns, rows);
    image->x0 = image->y0 = 0;
    image->x1 = (OPJ_UINT32)columns;
    image->y1 = (OPJ_UINT32)rows;
    const size_t count = (size_t)rows * (size_t)columns;
    for (size_t i = 0; i < count; ++i) image->comps[0].data[i] = pixels[i];

    std::unique_ptr<opj_codec_t, CodecDeleter> codec(opj_create_compress(OPJ_CODEC_J2K));
    if (!codec) return fail(err, CARINA_DCM_INTERNAL, "OpenJPEG could not create an encoder");
    std::string messages;
    keepErrorsOnly(codec.get(), &messages);
    opj_cparameters_t parameters;
    opj_set_default_encoder_parameters(&parameters);
    parameters.irreversible = 0; // reversible 5/3 wavelet: lossless
    parameters.tcp_numlayers = 1;
    parameters.tcp_rates[0] = 0;
    parameters.cp_disto_alloc = 1;
    // Each resolution level halves the image: small images get fewer levels (OpenJPEG refuses too many).
    int levels = 1;
    while (levels < 6 && (std::min(rows, columns) >> levels) >= 1) ++levels;
    parameters.numresolution = levels;
    if (!opj_setup_encoder(codec.get(), &parameters, image.get()))
        return fail(err, CARINA_DCM_WRITE_FAILED, "OpenJPEG encoder set-up failed: %s", messages.c_str());

    codestream.clear();
    WriteBuffer buffer{&codestream, 0};
    std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(1 << 16, OPJ_FALSE));
    if (!stream) return fail(err, CARINA_DCM_INTERNAL, "OpenJPEG could not create a stream");
    opj_stream_set_user_data(stream.get(), &buffer, nullptr);
    opj_stream_set_write_function(stream.get(), writeBytes);
    opj_stream_set_skip_function(stream.get(), skipWrite);
    opj_stream_set_seek_function(stream.get(), seekWrite);
    if (!opj_start_compress(codec.get(), image.get(), stream.get()) || !opj_encode(codec.get(), stream.get()) ||
        !opj_end_compress(codec.get(), stream.get()))
        return fail(err, CARINA_DCM_WRITE_FAILED, "JPEG 2000 encoding failed: %s", messages.c_str());
    return CARINA_DCM_OK;
}

} // namespace carina
