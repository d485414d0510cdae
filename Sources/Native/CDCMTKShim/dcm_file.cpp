// dcm_file.cpp — opening a DICOM file and reading header values (strings, LUTs, the image pixel module).
#include "shim_internal.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>

using namespace carina;

/// True when bytes 128..131 of the file are "DICM" (a Part 10 file with preamble).
static bool hasPart10Marker(const char *path, long long size) {
    if (size < 132) return false;
    FILE *f = std::fopen(path, "rb");
    if (!f) return false;
    unsigned char head[132];
    size_t n = std::fread(head, 1, sizeof head, f);
    std::fclose(f);
    return n == sizeof head && std::memcmp(head + 128, "DICM", 4) == 0;
}

/// A bare dataset (no preamble) counts as DICOM only if it holds at least one familiar element.
static bool looksLikeDataset(DcmDataset *dataset) {
    const DcmTagKey familiar[] = {DCM_SOPClassUID, DCM_SOPInstanceUID, DCM_Modality, DCM_Rows,
                                  DCM_Columns, DCM_PixelData, DCM_StudyInstanceUID, DCM_PatientID};
    for (const auto &tag : familiar)
        if (dataset->tagExists(tag)) return true;
    return false;
}

extern "C" int carina_dcm_open(const char *path, int32_t metadata_only, carina_dcm_file **out,
                               carina_dcm_error *err) {
    *out = nullptr;
    if (int rc = ensureInitialized(err)) return rc;
    return guarded(err, "opening a DICOM file", [&]() -> int {
        struct stat st;
        if (::stat(path, &st) != 0)
            return fail(err, CARINA_DCM_IO, "cannot open %s: %s", path, std::strerror(errno));
        if (S_ISDIR(st.st_mode)) return fail(err, CARINA_DCM_IO, "%s is a directory, not a DICOM file", path);
        if (st.st_size == 0) return fail(err, CARINA_DCM_NOT_DICOM, "%s is empty (0 bytes), not a DICOM file", path);
        const bool part10 = hasPart10Marker(path, (long long)st.st_size);

        auto *file = new carina_dcm_file();
        file->path = path;
        const Uint32 maxRead = metadata_only ? DCM_MaxReadLength : OFstatic_cast(Uint32, -1);
        beginCapture();
        OFCondition cond = file->format.loadFile(OFFilename(path), EXS_Unknown, EGL_noChange, maxRead,
                                                 part10 ? ERM_fileOnly : ERM_dataset);
        std::string log = endCapture();
        if (cond.bad()) {
            delete file;
            if (!part10)
                return fail(err, CARINA_DCM_NOT_DICOM,
                            "%s is not a DICOM file (no DICM marker at byte 128, and not a bare dataset: %s)", path,
                            cond.text());
            return fail(err, CARINA_DCM_MALFORMED, "%s is a damaged DICOM file: %s%s%s", path, cond.text(),
                        log.empty() ? "" : " — ", log.c_str());
        }
        if (!part10 && !looksLikeDataset(file->format.getDataset())) {
            delete file;
            return fail(err, CARINA_DCM_NOT_DICOM,
                        "%s is not a DICOM file (no DICM marker at byte 128 and no DICOM elements found)", path);
        }
        *out = file;
        return CARINA_DCM_OK;
    });
}

extern "C" void carina_dcm_close(carina_dcm_file *file) {
    try {
        delete file;
    } catch (...) {
    }
}

extern "C" int carina_dcm_get_string(const carina_dcm_file *file, uint16_t group, uint16_t element, char *buf,
                                     size_t buflen) {
    if (buflen == 0) return 0;
    buf[0] = 0;
    try {
        auto &format = const_cast<DcmFileFormat &>(file->format);
        DcmItem *item = group == 0x0002 ? static_cast<DcmItem *>(format.getMetaInfo())
                                        : static_cast<DcmItem *>(format.getDataset());
        OFString value;
        if (item == nullptr || item->findAndGetOFStringArray(DcmTagKey(group, element), value).bad()) return 0;
        size_t n = value.length();
        while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\0')) --n;
        if (n > buflen - 1) n = buflen - 1;
        std::memcpy(buf, value.c_str(), n);
        buf[n] = 0;
        return 1;
    } catch (...) {
        buf[0] = 0;
        return 0;
    }
}

extern "C" int carina_dcm_get_lut(const carina_dcm_file *file, int32_t which, int32_t *count, int32_t *first_mapped,
                                  int32_t *bits, uint16_t *data, size_t capacity) {
    try {
        auto *dataset = const_cast<DcmFileFormat &>(file->format).getDataset();
        const DcmTagKey sequence = which == CARINA_DCM_LUT_MODALITY ? DCM_ModalityLUTSequence : DCM_VOILUTSequence;
        DcmItem *item = nullptr;
        if (dataset->findAndGetSequenceItem(sequence, item, 0).bad() || item == nullptr) return 0;
        // The LUT Descriptor is US, or SS when the stored pixels are signed (PS3.3 C.11.1.1): then the first mapped
        // value may be negative. The entry count and bit depth are read as unsigned either way.
        DcmElement *descriptor = nullptr;
        if (item->findAndGetElement(DCM_LUTDescriptor, descriptor).bad() || descriptor == nullptr ||
            descriptor->getVM() < 3)
            return 0;
        Uint16 d0 = 0, d2 = 0;
        int32_t d1 = 0;
        if (descriptor->ident() == EVR_SS) {
            Sint16 s0 = 0, s1 = 0, s2 = 0;
            if (descriptor->getSint16(s0, 0).bad() || descriptor->getSint16(s1, 1).bad() ||
                descriptor->getSint16(s2, 2).bad())
                return 0;
            d0 = static_cast<Uint16>(s0);
            d1 = s1;
            d2 = static_cast<Uint16>(s2);
        } else {
            Uint16 u1 = 0;
            if (descriptor->getUint16(d0, 0).bad() || descriptor->getUint16(u1, 1).bad() ||
                descriptor->getUint16(d2, 2).bad())
                return 0;
            d1 = u1;
        }
        const int32_t entries = d0 == 0 ? 65536 : d0;
        if (d2 < 8 || d2 > 16) return 0;
        *count = entries;
        *first_mapped = d1;
        *bits = d2;
        if (data == nullptr) return 1;
        if (capacity < (size_t)entries) return 0;
        const Uint16 *words = nullptr;
        unsigned long n = 0;
        if (item->findAndGetUint16Array(DCM_LUTData, words, &n).bad() || words == nullptr) return 0;
        if (n >= (unsigned long)entries) {
            std::memcpy(data, words, sizeof(uint16_t) * entries);
        } else if (d2 <= 8 && 2 * n >= (unsigned long)entries) {
            // An 8-bit LUT packed two entries per 16-bit word, low byte first.
            for (int32_t i = 0; i < entries; ++i) data[i] = (words[i / 2] >> (8 * (i % 2))) & 0xFF;
        } else {
            return 0;
        }
        return 1;
    } catch (...) {
        return 0;
    }
}

extern "C" int carina_dcm_get_pixel_info(const carina_dcm_file *file, carina_dcm_pixel_info *info,
                                         carina_dcm_error *err) {
    return guarded(err, "reading the image pixel module", [&]() -> int {
        std::memset(info, 0, sizeof *info);
        auto *dataset = const_cast<DcmFileFormat &>(file->format).getDataset();
        auto u16 = [&](const DcmTagKey &tag) -> int32_t {
            Uint16 v = 0;
            return dataset->findAndGetUint16(tag, v).good() ? v : 0;
        };
        info->rows = u16(DCM_Rows);
        info->columns = u16(DCM_Columns);
        info->bits_allocated = u16(DCM_BitsAllocated);
        info->bits_stored = u16(DCM_BitsStored);
        info->high_bit = u16(DCM_HighBit);
        info->pixel_representation = u16(DCM_PixelRepresentation);
        info->samples_per_pixel = dataset->tagExists(DCM_SamplesPerPixel) ? u16(DCM_SamplesPerPixel) : 1;
        info->planar_configuration = u16(DCM_PlanarConfiguration);
        Sint32 frames = 1;
        if (dataset->findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
        info->number_of_frames = frames;
        info->has_pixel_data = dataset->tagExists(DCM_PixelData) ? 1 : 0;
        return CARINA_DCM_OK;
    });
}

extern "C" void carina_dcm_transfer_syntax_name(const char *uid, char *buf, size_t buflen) {
    if (buflen == 0) return;
    buf[0] = 0;
    try {
        DcmXfer xfer(uid);
        if (xfer.getXfer() == EXS_Unknown) return;
        std::snprintf(buf, buflen, "%s", xfer.getXferName());
    } catch (...) {
        buf[0] = 0;
    }
}
