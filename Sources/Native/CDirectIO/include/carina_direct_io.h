// carina_direct_io.h — opening a file for writes that bypass the page cache (O_DIRECT), which Swift's Glibc module
// does not export (it needs _GNU_SOURCE). No stable API: only CarinaShards imports it.
#ifndef CARINA_DIRECT_IO_H
#define CARINA_DIRECT_IO_H

#ifdef __cplusplus
extern "C" {
#endif

/// Creates or truncates `path` (mode 0644) for writing with O_DIRECT and returns its descriptor, or -1 with `errno`
/// set: EINVAL where the file system refuses direct I/O, ENOTSUP on a system without O_DIRECT.
int carina_open_direct_for_writing(const char *path);

#ifdef __cplusplus
}
#endif

#endif
