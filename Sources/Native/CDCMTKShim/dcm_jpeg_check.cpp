// dcm_jpeg_check.cpp — a strict look at a JPEG stream's markers before DCMTK's IJG codec sees it.
#include "shim_internal.hpp"

namespace carina {

int validateJPEGStream(const uint8_t *data, size_t size, const char *path, carina_dcm_error *err) {
    if (size < 4 || data[0] != 0xFF || data[1] != 0xD8)
        return fail(err, CARINA_DCM_DECODE_FAILED, "%s: the JPEG stream does not start with an SOI marker", path);
    size_t pos = 2;
    int frameType = -1; // the n of SOFn
    while (pos + 4 <= size) {
        if (data[pos] != 0xFF)
            return fail(err, CARINA_DCM_DECODE_FAILED, "%s: JPEG marker expected at byte %zu of the stream", path,
                        pos);
        const uint8_t marker = data[pos + 1];
        if (marker == 0xFF) { // fill byte
            ++pos;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // markers without a length
            pos += 2;
            continue;
        }
        if (marker == 0xD9)
            return fail(err, CARINA_DCM_DECODE_FAILED, "%s: JPEG stream ends (EOI) before its first scan", path);
        const size_t length = ((size_t)data[pos + 2] << 8) | data[pos + 3];
        if (length < 2 || pos + 2 + length > size)
            return fail(err, CARINA_DCM_DECODE_FAILED, "%s: JPEG segment FF%02X at byte %zu has length %zu past the end",
                        path, marker, pos, length);
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
            frameType = marker - 0xC0;
        if (marker == 0xDA) { // SOS: check the spectral selection and approximation of the first scan
            const uint8_t *s = data + pos + 4;
            const size_t components = s[0];
            if (length < 6 + 2 * components)
                return fail(err, CARINA_DCM_DECODE_FAILED, "%s: JPEG SOS segment at byte %zu is too short", path, pos);
            const uint8_t ss = s[1 + 2 * components], se = s[2 + 2 * components], a = s[3 + 2 * components];
            const bool sequentialDCT = frameType == 0 || frameType == 1 || frameType == 9;
            const bool lossless = frameType == 3 || frameType == 11;
            if (sequentialDCT && (ss != 0 || se != 63 || a != 0))
                return fail(err, CARINA_DCM_DECODE_FAILED,
                            "%s: broken JPEG stream: invalid SOS parameters for sequential JPEG at byte %zu "
                            "(Ss=%u Se=%u Ah=%u Al=%u; expected 0, 63, 0, 0)",
                            path, pos, ss, se, a >> 4, a & 15);
            if (lossless && (ss < 1 || ss > 7 || (a >> 4) != 0))
                return fail(err, CARINA_DCM_DECODE_FAILED,
                            "%s: broken JPEG stream: invalid SOS parameters for lossless JPEG at byte %zu "
                            "(predictor %u, Ah=%u)",
                            path, pos, ss, a >> 4);
            if (frameType < 0)
                return fail(err, CARINA_DCM_DECODE_FAILED, "%s: JPEG scan at byte %zu comes before any frame header",
                            path, pos);
            return CARINA_DCM_OK;
        }
        pos += 2 + length;
    }
    return fail(err, CARINA_DCM_DECODE_FAILED, "%s: the JPEG stream ends before its first scan", path);
}

} // namespace carina
