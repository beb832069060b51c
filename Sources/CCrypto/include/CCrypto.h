#ifndef MEDIAUP_CCRYPTO_H
#define MEDIAUP_CCRYPTO_H

// OpenSSL's EVP digest API, which uses the CPU's SHA extensions where present.
#include <openssl/evp.h>

#endif
