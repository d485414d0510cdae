// The reference xxHash library (Debian's libxxhash-dev): xxh32 and xxh64 shard hashes.
#include <xxhash.h>
