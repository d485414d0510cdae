// OpenSSL's libcrypto (Debian's libssl-dev): the message digests of MDS shard hashes.
#include <openssl/evp.h>
