// carina_dcm.h — the plain C face of Carina's DCMTK/OpenJPEG shim. No stable API: only CarinaDICOM imports it.
#ifndef CARINA_DCM_H
#define CARINA_DCM_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One-time process set-up: codec registration, DCMTK logging, dictionary check. Thread-safe, idempotent.
/// Returns 0 on success, non-zero with a message in `err` (size `errlen`) otherwise.
int carina_dcm_initialize(char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
