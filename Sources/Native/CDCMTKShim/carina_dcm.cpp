#include "carina_dcm.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <mutex>

static std::once_flag initializeOnce;
static bool dictionaryLoaded = false;

extern "C" int carina_dcm_initialize(char *err, size_t errlen) {
    try {
        std::call_once(initializeOnce, [] {
            OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
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
