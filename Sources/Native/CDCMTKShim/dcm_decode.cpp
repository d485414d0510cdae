// dcm_decode.cpp — one frame of a monochrome image to stored values: DCMTK codecs, or OpenJPEG for JPEG 2000.
#include "shim_internal.hpp"

#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcfcache.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>

#include <cstring>
#include <utility>

using namespace carina;

namespace {

using Fragment = std::pair<const uint8_t *, size_t>;

bool isJPEG2000(E_TransferSyntax xfer) {
    return xfer == EXS_JPEG2000LosslessOnly || xfer == EXS_JPEG2000 || xfer == EXS_JPEG2000MulticomponentLosslessOnly ||
           xfer == EXS_JPEG2000Multicomponent;
}

bool isJPEG(E_TransferSyntax xfer) {
    return xfer == EXS_JPEGProcess1 || xfer == EXS_JPEGProcess2_4 || xfer == EXS_JPEGProcess14 ||
           xfer == EXS_JPEGProcess14SV1;
}

/// The fragments holding frame `frame` of an encapsulated pixel sequence (item 0 is the Basic Offset Table).
int frameFragments(DcmPixelSequence *seq, int32_t frame, int32_t frames, const char *path,
                   std::vector<Fragment> &result, carina_dcm_error *err) {
    const unsigned long items = seq->card();
    if (items < 2) return fail(err, CARINA_DCM_MALFORMED, "%s: encapsulated pixel data holds no fragments", path);
    std::vector<Fragment> all;
    for (unsigned long i = 0; i < items; ++i) {
        DcmPixelItem *item = nullptr;
        if (seq->getItem(item, i).bad() || item == nullptr)
            return fail(err, CARINA_DCM_MALFORMED, "%s: pixel data fragment %lu is unreadable", path, i);
        Uint8 *bytes = nullptr;
        const Uint32 length = item->getLength();
        if (length > 0 && (item->getUint8Array(bytes).bad() || bytes == nullptr))
            return fail(err, CARINA_DCM_MALFORMED, "%s: pixel data fragment %lu is unreadable", path, i);
        all.emplace_back(bytes, length);
    }
    if (frames == 1) {
        result.assign(all.begin() + 1, all.end());
        return CARINA_DCM_OK;
    }
    if ((int64_t)all.size() - 1 == frames) {
        result.assign(1, all[frame + 1]);
        return CARINA_DCM_OK;
    }
    // Several fragments per frame: the Basic Offset Table gives each frame's first byte (item headers counted).
    const Fragment table = all[0];
    if (table.second < 4 * (size_t)frames)
        return fail(err, CARINA_DCM_MALFORMED,
                    "%s: %d frames in %zu fragments and no usable Basic Offset Table; cannot locate frame %d", path,
                    frames, all.size() - 1, frame);
    auto offsetOf = [&](int32_t f) -> uint64_t {
        const uint8_t *p = table.first + 4 * f;
        return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16) | ((uint64_t)p[3] << 24);
    };
    const uint64_t begin = offsetOf(frame);
    const uint64_t end = frame + 1 < frames ? offsetOf(frame + 1) : UINT64_MAX;
    uint64_t position = 0;
    for (size_t i = 1; i < all.size(); ++i) {
        if (position >= begin && position < end) result.push_back(all[i]);
        position += 8 + all[i].second;
    }
    if (result.empty())
        return fail(err, CARINA_DCM_MALFORMED, "%s: the Basic Offset Table points past the data for frame %d", path,
                    frame);
    return CARINA_DCM_OK;
}

/// Copies frame `frame` of native pixel data into `out`, keeping `bitsStored` bits below `highBit`.
int copyNative(DcmElement *pixels, const carina_dcm_pixel_info &info, int32_t frame, const char *path, uint16_t *out,
               size_t count, carina_dcm_error *err) {
    const size_t bytesPerSample = info.bits_allocated / 8;
    const size_t frameBytes = count * bytesPerSample;
    const size_t needed = frameBytes * (size_t)(frame + 1);
    const size_t have = pixels->getLength();
    if (have < needed)
        return fail(err, CARINA_DCM_MALFORMED,
                    "%s: pixel data holds %zu bytes but frame %d of %dx%d at %d bits needs %zu (truncated?)", path, have,
                    frame, info.columns, info.rows, info.bits_allocated, needed);
    const int shift = info.high_bit + 1 - info.bits_stored;
    const uint32_t mask = info.bits_stored >= 16 ? 0xFFFFu : ((1u << info.bits_stored) - 1u);
    if (info.bits_allocated == 16 && !pixels->valueLoaded()) {
        // Still on disk (opened with a small read limit): read this frame straight into `out`, in local byte
        // order, and mask in place — no second 15 MB buffer, no copy.
        DcmFileCache cache;
        if (pixels->getPartialValue(out, (Uint32)(frameBytes * (size_t)frame), (Uint32)frameBytes, &cache).bad())
            return fail(err, CARINA_DCM_MALFORMED, "%s: pixel data of frame %d cannot be read from the file (truncated?)",
                        path, frame);
        if (shift == 0 && mask != 0xFFFFu) {
            // Usually nothing above bits stored is set: a read-only pass finds that out, cheaper than rewriting.
            const uint16_t m = (uint16_t)mask;
            uint16_t above = 0;
            for (size_t i = 0; i < count; ++i) above |= out[i];
            if (above & (uint16_t)~m)
                for (size_t i = 0; i < count; ++i) out[i] &= m;
        } else if (shift != 0) {
            for (size_t i = 0; i < count; ++i) out[i] = (uint16_t)((out[i] >> shift) & mask);
        }
        return CARINA_DCM_OK;
    }
    if (info.bits_allocated == 16) {
        Uint16 *words = nullptr;
        if (pixels->getUint16Array(words).bad() || words == nullptr)
            return fail(err, CARINA_DCM_MALFORMED, "%s: pixel data cannot be read as 16-bit words", path);
        const Uint16 *src = words + count * frame;
        if (shift == 0 && mask == 0xFFFFu) {
            std::memcpy(out, src, count * 2);
        } else {
            for (size_t i = 0; i < count; ++i) out[i] = (uint16_t)((src[i] >> shift) & mask);
        }
        return CARINA_DCM_OK;
    }
    Uint8 *bytes = nullptr;
    if (pixels->getUint8Array(bytes).bad() || bytes == nullptr) {
        // 8-bit samples in an OW element: the words in local (little endian) order are the original byte stream.
        Uint16 *words = nullptr;
        if (pixels->getUint16Array(words).bad() || words == nullptr)
            return fail(err, CARINA_DCM_MALFORMED, "%s: pixel data cannot be read as bytes", path);
        bytes = reinterpret_cast<Uint8 *>(words);
    }
    const Uint8 *src = bytes + count * frame;
    for (size_t i = 0; i < count; ++i) out[i] = (uint16_t)((src[i] >> shift) & mask);
    return CARINA_DCM_OK;
}

int decodeFrame(carina_dcm_file *file, int32_t frame, int32_t threads, uint16_t *out, size_t count,
                carina_dcm_error *err) {
    const char *path = file->path.c_str();
    carina_dcm_pixel_info info;
    if (int rc = carina_dcm_get_pixel_info(file, &info, err)) return rc;
    DcmDataset *dataset = file->format.getDataset();
    const E_TransferSyntax xfer = dataset->getOriginalXfer();
    const DcmXfer xferInfo(xfer);
    if (!info.has_pixel_data) return fail(err, CARINA_DCM_NO_PIXEL_DATA, "%s has no Pixel Data (7FE0,0010)", path);
    if (info.rows <= 0 || info.columns <= 0)
        return fail(err, CARINA_DCM_MALFORMED, "%s declares an empty image (%d rows, %d columns)", path, info.rows,
                    info.columns);
    if (info.samples_per_pixel != 1) {
        OFString photometric;
        dataset->findAndGetOFString(DCM_PhotometricInterpretation, photometric);
        return fail(err, CARINA_DCM_UNSUPPORTED_PIXELS,
                    "%s is a colour image (%d samples per pixel, %s); Carina reads monochrome images only", path,
                    info.samples_per_pixel, photometric.c_str());
    }
    if (info.bits_allocated != 8 && info.bits_allocated != 16)
        return fail(err, CARINA_DCM_UNSUPPORTED_PIXELS, "%s has %d bits allocated; Carina reads 8 or 16", path,
                    info.bits_allocated);
    if (info.bits_stored < 1 || info.bits_stored > info.bits_allocated || info.high_bit < info.bits_stored - 1 ||
        info.high_bit >= info.bits_allocated)
        return fail(err, CARINA_DCM_MALFORMED, "%s declares bits stored %d, high bit %d with %d bits allocated", path,
                    info.bits_stored, info.high_bit, info.bits_allocated);
    if (frame < 0 || frame >= info.number_of_frames)
        return fail(err, CARINA_DCM_FRAME_OUT_OF_RANGE, "%s has %d frame(s); frame %d does not exist", path,
                    info.number_of_frames, frame);
    if (count != (size_t)info.rows * (size_t)info.columns)
        return fail(err, CARINA_DCM_INVALID_ARGUMENT, "output buffer holds %zu values, image has %d x %d", count,
                    info.columns, info.rows);

    DcmElement *element = nullptr;
    if (dataset->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
        return fail(err, CARINA_DCM_NO_PIXEL_DATA, "%s has no readable Pixel Data (7FE0,0010)", path);
    auto *pixelData = OFdynamic_cast(DcmPixelData *, element);

    if (xfer == EXS_JPIPReferenced || xfer == EXS_JPIPReferencedDeflate || xfer == EXS_Unknown)
        return fail(err, CARINA_DCM_UNSUPPORTED_SYNTAX, "%s uses transfer syntax %s (%s), which Carina cannot decode",
                    path, xferInfo.getXferName(), xferInfo.getXferID());
    if (!xferInfo.isEncapsulated()) return copyNative(element, info, frame, path, out, count, err);
    if (pixelData == nullptr)
        return fail(err, CARINA_DCM_MALFORMED, "%s: Pixel Data is not encapsulated as %s requires", path,
                    xferInfo.getXferName());

    DcmPixelSequence *sequence = nullptr;
    if (pixelData->getEncapsulatedRepresentation(xfer, nullptr, sequence).bad() || sequence == nullptr)
        return fail(err, CARINA_DCM_MALFORMED, "%s: encapsulated Pixel Data is unreadable", path);
    std::vector<Fragment> fragments;
    if (int rc = frameFragments(sequence, frame, info.number_of_frames, path, fragments, err)) return rc;

    if (isJPEG2000(xfer)) {
        std::vector<uint8_t> joined;
        const uint8_t *data = fragments[0].first;
        size_t size = fragments[0].second;
        if (fragments.size() > 1) {
            for (const auto &f : fragments) joined.insert(joined.end(), f.first, f.first + f.second);
            data = joined.data();
            size = joined.size();
        }
        carina_dcm_error j2kErr;
        if (decodeJPEG2000(data, size, info.rows, info.columns, info.bits_stored, threads, out, count, &j2kErr))
            return fail(err, j2kErr.code, "%s: frame %d: %s", path, frame, j2kErr.message);
        return CARINA_DCM_OK;
    }

    if (!DcmCodecList::canChangeCoding(xfer, EXS_LittleEndianExplicit))
        return fail(err, CARINA_DCM_UNSUPPORTED_SYNTAX, "%s uses transfer syntax %s (%s), which Carina cannot decode",
                    path, xferInfo.getXferName(), xferInfo.getXferID());
    if (isJPEG(xfer)) {
        if (int rc = validateJPEGStream(fragments[0].first, fragments[0].second, path, err)) return rc;
    }
    beginCapture();
    OFCondition cond = dataset->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    std::string log = endCapture();
    if (cond.bad())
        return fail(err, CARINA_DCM_DECODE_FAILED, "%s: %s decoding failed: %s%s%s", path, xferInfo.getXferName(),
                    cond.text(), log.empty() ? "" : " — ", log.c_str());
    if (!log.empty())
        return fail(err, CARINA_DCM_DECODE_FAILED, "%s: the %s stream is damaged: %s", path, xferInfo.getXferName(),
                    log.c_str());
    if (dataset->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
        return fail(err, CARINA_DCM_DECODE_FAILED, "%s: no pixel data after decoding", path);
    return copyNative(element, info, frame, path, out, count, err);
}

} // namespace

extern "C" int carina_dcm_decode_frame(carina_dcm_file *file, int32_t frame, int32_t threads, uint16_t *out,
                                       size_t count, carina_dcm_error *err) {
    if (int rc = ensureInitialized(err)) return rc;
    return guarded(err, "decoding pixel data", [&]() -> int { return decodeFrame(file, frame, threads, out, count, err); });
}
