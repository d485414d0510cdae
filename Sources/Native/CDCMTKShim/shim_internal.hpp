// shim_internal.hpp — what the shim's C++ files share. Not part of the C header.
#ifndef CARINA_SHIM_INTERNAL_HPP
#define CARINA_SHIM_INTERNAL_HPP

#include "carina_dcm.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <cstdarg>
#include <cstdint>
#include <string>
#include <vector>

/// The handle behind `carina_dcm_file`: one parsed file, never shared between threads.
struct carina_dcm_file {
    DcmFileFormat format;
    std::string path;
};

namespace carina {

/// Fills `err` with a code and a printf-style message; returns the code.
int fail(carina_dcm_error *err, int code, const char *fmt, ...);

/// Runs `body`, turning any C++ exception into CARINA_DCM_INTERNAL.
template <typename Body> int guarded(carina_dcm_error *err, const char *what, Body body) {
    try {
        return body();
    } catch (const std::exception &e) {
        return fail(err, CARINA_DCM_INTERNAL, "%s: C++ exception: %s", what, e.what());
    } catch (...) {
        return fail(err, CARINA_DCM_INTERNAL, "%s: unknown C++ exception", what);
    }
}

/// Makes sure codecs, logging and the dictionary are set up; fills `err` when they are not.
int ensureInitialized(carina_dcm_error *err);

/// Starts collecting DCMTK warnings and errors logged on this thread (codec messages go through OFLog).
void beginCapture();
/// Stops collecting and returns what was logged on this thread since `beginCapture`.
std::string endCapture();

/// Decodes one JPEG 2000 codestream (J2K or JP2) into `out` (`count` values) masked to `bitsStored`.
int decodeJPEG2000(const uint8_t *data, size_t size, int32_t rows, int32_t columns, int32_t bitsStored,
                   int32_t threads, uint16_t *out, size_t count, carina_dcm_error *err);

/// Encodes a single-component unsigned image losslessly as a JPEG 2000 codestream (J2K, reversible 5/3).
int encodeJPEG2000(const uint16_t *pixels, int32_t rows, int32_t columns, int32_t bitsStored,
                   std::vector<uint8_t> &codestream, carina_dcm_error *err);

/// Checks the markers of a JPEG stream up to its first scan: sequential DCT frames must have Ss=0, Se=63, Ah=Al=0
/// (what IJG only warns about and then decodes into a wrong image). Returns 0 or fills `err`.
int validateJPEGStream(const uint8_t *data, size_t size, const char *path, carina_dcm_error *err);

} // namespace carina

#endif
