// carina_direct_io.c — see carina_direct_io.h.
#define _GNU_SOURCE
#include "carina_direct_io.h"

#include <errno.h>
#include <fcntl.h>

int carina_open_direct_for_writing(const char *path) {
#ifdef O_DIRECT
    return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0644);
#else
    (void)path;
    errno = ENOTSUP;
    return -1;
#endif
}
