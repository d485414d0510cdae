// dcm_write.cpp — a deterministic DICOM writer: one monochrome frame, attributes by keyword, any lossless syntax.
#include "shim_internal.hpp"

#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcrlerp.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpls/djrparam.h>

#include <cstdio>
#include <cstring>
#include <set>

using namespace carina;

namespace {

/// The image pixel module belongs to the writer; callers may not set these by keyword.
const std::set<std::string> reservedKeywords = {
    "Rows", "Columns", "BitsAllocated", "BitsStored", "HighBit", "PixelRepresentation", "SamplesPerPixel",
    "PhotometricInterpretation", "PixelData", "NumberOfFrames", "PlanarConfiguration", "TransferSyntaxUID"};

/// Puts JPEG 2000 codestream bytes in as the encapsulated representation (offset table item, one fragment).
int insertJPEG2000(DcmDataset *dataset, const carina_dcm_write_request *r, const char *path, carina_dcm_error *err) {
    std::vector<uint8_t> codestream;
    if (int rc = encodeJPEG2000(r->pixels, r->rows, r->columns, r->bits_stored, codestream, err)) return rc;
    if (codestream.size() % 2) codestream.push_back(0); // fragments have even length
    auto *sequence = new DcmPixelSequence(DCM_PixelSequenceTag);
    sequence->insert(new DcmPixelItem(DCM_PixelItemTag)); // empty Basic Offset Table
    auto *fragment = new DcmPixelItem(DCM_PixelItemTag);
    if (fragment->putUint8Array(codestream.data(), (unsigned long)codestream.size()).bad()) {
        delete fragment;
        delete sequence;
        return fail(err, CARINA_DCM_WRITE_FAILED, "%s: cannot store the JPEG 2000 fragment", path);
    }
    sequence->insert(fragment);
    auto *pixelData = new DcmPixelData(DCM_PixelData);
    pixelData->putOriginalRepresentation(EXS_JPEG2000LosslessOnly, nullptr, sequence);
    if (dataset->insert(pixelData, OFTrue).bad()) {
        delete pixelData;
        return fail(err, CARINA_DCM_WRITE_FAILED, "%s: cannot insert the JPEG 2000 pixel data", path);
    }
    return CARINA_DCM_OK;
}

/// DCMTK's JPEG-LS encoder pads an odd-length codestream to an even fragment length with one byte it never sets, so
/// the same pixels could give different files. That byte (after the EOI marker FFD9) is set to zero here.
void zeroJPEGLSPadBytes(DcmDataset *dataset) {
    DcmElement *element = nullptr;
    if (dataset->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) return;
    DcmPixelData *pixelData = OFstatic_cast(DcmPixelData *, element);
    E_TransferSyntax current = EXS_Unknown;
    const DcmRepresentationParameter *parameters = nullptr;
    pixelData->getCurrentRepresentationKey(current, parameters);
    DcmPixelSequence *sequence = nullptr;
    if (pixelData->getEncapsulatedRepresentation(current, parameters, sequence).bad() || sequence == nullptr) return;
    for (unsigned long i = 1; i < sequence->card(); ++i) { // item 0 is the offset table
        DcmPixelItem *item = nullptr;
        Uint8 *bytes = nullptr;
        if (sequence->getItem(item, i).bad() || item->getUint8Array(bytes).bad() || bytes == nullptr) continue;
        const Uint32 length = item->getLength();
        if (length >= 3 && bytes[length - 3] == 0xFF && bytes[length - 2] == 0xD9) bytes[length - 1] = 0;
    }
}

int writeFile(const carina_dcm_write_request *r, const char *path, carina_dcm_error *err) {
    if (r->rows <= 0 || r->columns <= 0 || r->rows > 65535 || r->columns > 65535)
        return fail(err, CARINA_DCM_INVALID_ARGUMENT, "%s: image size %dx%d is not writable", path, r->columns,
                    r->rows);
    if (r->bits_stored < 1 || r->bits_stored > 16)
        return fail(err, CARINA_DCM_INVALID_ARGUMENT, "%s: bits stored %d is outside 1...16", path, r->bits_stored);
    const std::string photometric = r->photometric ? r->photometric : "";
    if (photometric != "MONOCHROME1" && photometric != "MONOCHROME2")
        return fail(err, CARINA_DCM_INVALID_ARGUMENT, "%s: photometric interpretation '%s' is not MONOCHROME1/2",
                    path, photometric.c_str());
    const size_t count = (size_t)r->rows * (size_t)r->columns;
    const uint32_t limit = 1u << r->bits_stored;
    for (size_t i = 0; i < count; ++i)
        if (r->pixels[i] >= limit)
            return fail(err, CARINA_DCM_INVALID_ARGUMENT, "%s: pixel %zu has value %u, over %d bits stored", path, i,
                        r->pixels[i], r->bits_stored);

    DcmFileFormat format;
    DcmDataset *dataset = format.getDataset();
    // Defaults first, so the caller's attributes replace them.
    dataset->putAndInsertString(DCM_SOPClassUID, UID_DigitalXRayImageStorageForPresentation);
    dataset->putAndInsertString(DCM_Modality, "DX");
    bool haveInstance = false;
    for (int32_t i = 0; i < r->attribute_count; ++i) {
        const char *key = r->keys[i];
        const char *value = r->values[i] ? r->values[i] : "";
        if (reservedKeywords.count(key))
            return fail(err, CARINA_DCM_INVALID_ARGUMENT, "%s: attribute %s is set by the writer itself", path, key);
        DcmTag tag;
        if (DcmTag::findTagFromName(key, tag).bad())
            return fail(err, CARINA_DCM_INVALID_ARGUMENT, "%s: '%s' is not a DICOM keyword", path, key);
        if (tag.getGroup() == 0x0002)
            return fail(err, CARINA_DCM_INVALID_ARGUMENT, "%s: meta header attribute %s is set by the writer", path,
                        key);
        OFCondition cond = dataset->putAndInsertString(tag, value);
        if (cond.bad())
            return fail(err, CARINA_DCM_INVALID_ARGUMENT, "%s: cannot set %s to '%s': %s", path, key, value,
                        cond.text());
        if (tag == DCM_SOPInstanceUID) haveInstance = true;
    }
    if (!haveInstance)
        return fail(err, CARINA_DCM_INVALID_ARGUMENT,
                    "%s: SOPInstanceUID must be given (the writer never generates UIDs, so output is deterministic)",
                    path);
    dataset->putAndInsertUint16(DCM_SamplesPerPixel, 1);
    dataset->putAndInsertString(DCM_PhotometricInterpretation, photometric.c_str());
    dataset->putAndInsertUint16(DCM_Rows, (Uint16)r->rows);
    dataset->putAndInsertUint16(DCM_Columns, (Uint16)r->columns);
    dataset->putAndInsertUint16(DCM_BitsAllocated, 16);
    dataset->putAndInsertUint16(DCM_BitsStored, (Uint16)r->bits_stored);
    dataset->putAndInsertUint16(DCM_HighBit, (Uint16)(r->bits_stored - 1));
    dataset->putAndInsertUint16(DCM_PixelRepresentation, 0);

    E_TransferSyntax xfer;
    switch (r->transfer_syntax) {
    case CARINA_DCM_TS_EXPLICIT_LITTLE: xfer = EXS_LittleEndianExplicit; break;
    case CARINA_DCM_TS_IMPLICIT_LITTLE: xfer = EXS_LittleEndianImplicit; break;
    case CARINA_DCM_TS_EXPLICIT_BIG: xfer = EXS_BigEndianExplicit; break;
    case CARINA_DCM_TS_DEFLATED: xfer = EXS_DeflatedLittleEndianExplicit; break;
    case CARINA_DCM_TS_JPEG_LOSSLESS_SV1: xfer = EXS_JPEGProcess14SV1; break;
    case CARINA_DCM_TS_JPEG_LS_LOSSLESS: xfer = EXS_JPEGLSLossless; break;
    case CARINA_DCM_TS_RLE: xfer = EXS_RLELossless; break;
    case CARINA_DCM_TS_JPEG2000_LOSSLESS: xfer = EXS_JPEG2000LosslessOnly; break;
    default: return fail(err, CARINA_DCM_INVALID_ARGUMENT, "%s: unknown transfer syntax %d", path, r->transfer_syntax);
    }

    if (xfer == EXS_JPEG2000LosslessOnly) {
        if (int rc = insertJPEG2000(dataset, r, path, err)) return rc;
    } else {
        if (dataset->putAndInsertUint16Array(DCM_PixelData, r->pixels, (unsigned long)count).bad())
            return fail(err, CARINA_DCM_WRITE_FAILED, "%s: cannot store %zu pixels", path, count);
        OFCondition cond = EC_Normal;
        beginCapture();
        if (xfer == EXS_JPEGProcess14SV1) {
            DJ_RPLossless parameters(1, 0);
            cond = dataset->chooseRepresentation(xfer, &parameters);
        } else if (xfer == EXS_JPEGLSLossless) {
            DJLSRepresentationParameter parameters(0, OFTrue);
            cond = dataset->chooseRepresentation(xfer, &parameters);
        } else if (xfer == EXS_RLELossless) {
            DcmRLERepresentationParameter parameters;
            cond = dataset->chooseRepresentation(xfer, &parameters);
        }
        std::string log = endCapture();
        if (cond.bad() || !dataset->canWriteXfer(xfer))
            return fail(err, CARINA_DCM_WRITE_FAILED, "%s: encoding as %s failed: %s %s", path,
                        DcmXfer(xfer).getXferName(), cond.text(), log.c_str());
        if (xfer == EXS_JPEGLSLossless) zeroJPEGLSPadBytes(dataset);
    }

    const std::string temporary = std::string(path) + ".partial";
    beginCapture();
    OFCondition cond = format.saveFile(OFFilename(temporary.c_str()), xfer, EET_ExplicitLength, EGL_recalcGL);
    std::string log = endCapture();
    if (cond.bad()) {
        std::remove(temporary.c_str());
        return fail(err, CARINA_DCM_WRITE_FAILED, "%s: saving failed: %s %s", path, cond.text(), log.c_str());
    }
    if (std::rename(temporary.c_str(), path) != 0) {
        std::remove(temporary.c_str());
        return fail(err, CARINA_DCM_IO, "%s: cannot rename the finished file into place: %s", path,
                    std::strerror(errno));
    }
    return CARINA_DCM_OK;
}

} // namespace

extern "C" int carina_dcm_write(const carina_dcm_write_request *request, const char *path, carina_dcm_error *err) {
    if (int rc = ensureInitialized(err)) return rc;
    return guarded(err, "writing a DICOM file", [&]() -> int { return writeFile(request, path, err); });
}
