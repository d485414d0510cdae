// carina_dcm.h — the plain C face of Carina's DCMTK/OpenJPEG shim. No stable API: only CarinaDICOM imports it.
//
// Every function catches all C++ exceptions; none escapes. Handles are opaque, owned by the caller, and must not be
// shared between threads while in use (one handle per task). Buffers are provided by the caller.
#ifndef CARINA_DCM_H
#define CARINA_DCM_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Error codes; `CarinaDICOM.DicomError.Code` mirrors them.
enum {
    CARINA_DCM_OK = 0,
    CARINA_DCM_IO = 1,                 ///< the file cannot be opened or read
    CARINA_DCM_NOT_DICOM = 2,          ///< not a DICOM file (no preamble/meta header and not a bare dataset)
    CARINA_DCM_MALFORMED = 3,          ///< truncated file, absurd length, broken element structure
    CARINA_DCM_NO_PIXEL_DATA = 4,      ///< the dataset has no (7FE0,0010) Pixel Data
    CARINA_DCM_UNSUPPORTED_SYNTAX = 5, ///< a transfer syntax Carina cannot decode
    CARINA_DCM_UNSUPPORTED_PIXELS = 6, ///< a pixel layout Carina cannot decode (colour, >16 bits, ...)
    CARINA_DCM_DECODE_FAILED = 7,      ///< the compressed stream is broken
    CARINA_DCM_FRAME_OUT_OF_RANGE = 8, ///< the requested frame does not exist
    CARINA_DCM_WRITE_FAILED = 9,       ///< the writer could not build or save the file
    CARINA_DCM_INVALID_ARGUMENT = 10,  ///< a caller-side mistake (bad size, bad keyword)
    CARINA_DCM_INTERNAL = 11           ///< a library failure that fits no other code
};

/// An error: a code from the enum above and one line of text (what went wrong, with the library's own words).
typedef struct carina_dcm_error {
    int32_t code;
    char message[1024];
} carina_dcm_error;

/// One-time process set-up: codec registration, DCMTK logging, dictionary check. Thread-safe, idempotent.
/// Returns 0 on success, non-zero with a message in `err` (size `errlen`) otherwise.
int carina_dcm_initialize(char *err, size_t errlen);

/// The name DCMTK gives a transfer syntax UID (e.g. "JPEG 2000 (Lossless only)"); "" when unknown.
void carina_dcm_transfer_syntax_name(const char *uid, char *buf, size_t buflen);

/// An opened DICOM file (DCMTK `DcmFileFormat`).
typedef struct carina_dcm_file carina_dcm_file;

/// Opens and parses `path`. With `metadata_only`, long values (pixel data) stay on disk until asked for.
/// Returns 0 and a handle in `*out`, or an error code with `err` filled.
int carina_dcm_open(const char *path, int32_t metadata_only, carina_dcm_file **out, carina_dcm_error *err);

/// Frees a handle from `carina_dcm_open` (NULL is accepted).
void carina_dcm_close(carina_dcm_file *file);

/// Copies the value of a tag as text (all values joined by `\`, trailing spaces trimmed) into `buf`, NUL-terminated
/// and cut to `buflen - 1` bytes. Group 0002 is read from the meta header. Returns 1 if present, 0 if absent.
int carina_dcm_get_string(const carina_dcm_file *file, uint16_t group, uint16_t element, char *buf, size_t buflen);

/// Which lookup table `carina_dcm_get_lut` reads.
enum { CARINA_DCM_LUT_MODALITY = 0, CARINA_DCM_LUT_VOI = 1 };

/// Reads the first item of the Modality LUT Sequence (0028,3000) or VOI LUT Sequence (0028,3010).
/// With `data == NULL` only the descriptor is returned. Returns 1 if present and well formed, 0 otherwise.
int carina_dcm_get_lut(const carina_dcm_file *file, int32_t which, int32_t *count, int32_t *first_mapped,
                       int32_t *bits, uint16_t *data, size_t capacity);

/// The image pixel module as declared in the header.
typedef struct carina_dcm_pixel_info {
    int32_t rows, columns;
    int32_t bits_allocated, bits_stored, high_bit, pixel_representation;
    int32_t samples_per_pixel, planar_configuration, number_of_frames;
    int32_t has_pixel_data;
} carina_dcm_pixel_info;

/// Fills `info` from the dataset (absent fields are 0, frames default to 1). Returns 0 or an error code.
int carina_dcm_get_pixel_info(const carina_dcm_file *file, carina_dcm_pixel_info *info, carina_dcm_error *err);

/// Decodes one frame of a monochrome image into `out` (`rows * columns` values): each value is the stored value's
/// `bits_stored` bits (high bits masked off; signed data keeps its two's complement pattern within those bits).
/// JPEG 2000 is decoded by OpenJPEG with up to `threads` threads; everything else by DCMTK's codecs.
int carina_dcm_decode_frame(carina_dcm_file *file, int32_t frame, int32_t threads, uint16_t *out, size_t count,
                            carina_dcm_error *err);

/// Transfer syntaxes the writer produces.
enum {
    CARINA_DCM_TS_EXPLICIT_LITTLE = 0,
    CARINA_DCM_TS_IMPLICIT_LITTLE = 1,
    CARINA_DCM_TS_EXPLICIT_BIG = 2,
    CARINA_DCM_TS_DEFLATED = 3,
    CARINA_DCM_TS_JPEG_LOSSLESS_SV1 = 4,
    CARINA_DCM_TS_JPEG_LS_LOSSLESS = 5,
    CARINA_DCM_TS_RLE = 6,
    CARINA_DCM_TS_JPEG2000_LOSSLESS = 7
};

/// What to write: a single-frame unsigned monochrome image, 16 bits allocated, and attributes by DICOM keyword.
typedef struct carina_dcm_write_request {
    int32_t rows, columns, bits_stored;
    const char *photometric;            ///< "MONOCHROME1" or "MONOCHROME2"
    const uint16_t *pixels;             ///< rows * columns values, each < 2^bits_stored
    int32_t transfer_syntax;            ///< CARINA_DCM_TS_*
    const char *const *keys;            ///< DICOM keywords, e.g. "PatientID"
    const char *const *values;          ///< their values (multiple values separated by `\`)
    int32_t attribute_count;
} carina_dcm_write_request;

/// Writes a DICOM Part 10 file. The output depends only on the request (no clock, no generated UIDs).
int carina_dcm_write(const carina_dcm_write_request *request, const char *path, carina_dcm_error *err);

#ifdef __cplusplus
}
#endif

#endif
