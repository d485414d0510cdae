// carina_dcm.cpp — set-up (codecs, logging, dictionary) and the shared error helpers of the shim.
#include "shim_internal.hpp"

#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/dcmjpls/djencode.h>
#include <dcmtk/oflog/oflog.h>
#include <dcmtk/oflog/spi/logevent.h>

#include <malloc.h>

#include <cstdio>
#include <mutex>

namespace carina {

int fail(carina_dcm_error *err, int code, const char *fmt, ...) {
    if (err) {
        err->code = code;
        va_list args;
        va_start(args, fmt);
        std::vsnprintf(err->message, sizeof err->message, fmt, args);
        va_end(args);
    }
    return code;
}

/// Where this thread's DCMTK messages go while a call is collecting them (NULL: dropped).
static thread_local std::string *captured = nullptr;

/// An OFLog appender that keeps warnings and errors for the thread that logged them, so a codec's complaint
/// about a broken stream reaches the caller as an error instead of a stderr line.
class CaptureAppender : public dcmtk::log4cplus::Appender {
  public:
    CaptureAppender() {}
    ~CaptureAppender() override { destructorImpl(); }
    void close() override {}

  protected:
    void append(const dcmtk::log4cplus::spi::InternalLoggingEvent &event) override {
        if (captured == nullptr) return;
        if (!captured->empty()) captured->append("; ");
        captured->append(event.getMessage().c_str());
    }
};

void beginCapture() {
    static thread_local std::string buffer;
    buffer.clear();
    captured = &buffer;
}

std::string endCapture() {
    std::string result = captured ? *captured : std::string();
    captured = nullptr;
    return result;
}

static std::once_flag initializeOnce;

/// Keeps freed pixel-sized blocks in the process. A radiograph's buffers (15 MB each) are allocated and freed for
/// every image; with glibc's defaults each goes back to the kernel on free (munmap, or madvise in a thread's arena)
/// and every page faults in again for the next image, which costs about as much as decoding it. Served from the
/// heap and never trimmed below 512 MiB of free top, the same pages are reused. Memory stays bounded by what the
/// threads hold at once.
static void keepLargeBuffers() {
#ifdef M_MMAP_THRESHOLD
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
}
static bool dictionaryLoaded = false;

int ensureInitialized(carina_dcm_error *err) {
    char message[512] = {0};
    if (carina_dcm_initialize(message, sizeof message) != 0) return fail(err, CARINA_DCM_INTERNAL, "%s", message);
    return CARINA_DCM_OK;
}

} // namespace carina

using namespace carina;

extern "C" int carina_dcm_initialize(char *err, size_t errlen) {
    try {
        std::call_once(initializeOnce, [] {
            keepLargeBuffers();
            // Logging: nothing to stderr; warnings and errors are collected per thread by CaptureAppender.
            dcmtk::log4cplus::Logger root = dcmtk::log4cplus::Logger::getRoot();
            root.removeAllAppenders();
            root.addAppender(dcmtk::log4cplus::SharedAppenderPtr(new CaptureAppender()));
            root.setLogLevel(dcmtk::log4cplus::WARN_LOG_LEVEL);
            // Codecs: registration is not thread-safe, so it happens exactly once, before any decoding.
            DJDecoderRegistration::registerCodecs();
            DJLSDecoderRegistration::registerCodecs();
            DcmRLEDecoderRegistration::registerCodecs();
            // Encoders for the writer: lossless only, never a new SOP Instance UID (output must be deterministic).
            DJEncoderRegistration::registerCodecs(ECC_lossyYCbCr, EUC_never);
            DJLSEncoderRegistration::registerCodecs(0, 0, 0, 0, OFTrue, 0, OFTrue, EJLSUC_never);
            DcmRLEEncoderRegistration::registerCodecs(OFFalse);
            dictionaryLoaded = dcmDataDict.isDictionaryLoaded();
        });
        if (!dictionaryLoaded) {
            std::snprintf(err, errlen, "DCMTK data dictionary not loaded (is DCMDICTPATH set? leave it unset)");
            return 1;
        }
        return 0;
    } catch (...) {
        std::snprintf(err, errlen, "DCMTK initialisation failed with a C++ exception");
        return 1;
    }
}
