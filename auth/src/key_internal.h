// Internal to the auth library: owning pointers for OpenSSL objects, and
// the way the library makes a Key from an OpenSSL key.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>

#include "auth/jwk.h"

namespace auth {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct EvpPkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnDeleter {
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxDeleter>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

// KeyAccess makes Keys from OpenSSL keys.
class KeyAccess {
 public:
  // FromPkey returns a Key for `pkey` after OpenSSL's consistency check
  // (kInvalidKey when the point is off the curve or the pair mismatches).
  // REQUIRES: pkey is a key for `algorithm`.
  static Result<Key> FromPkey(Algorithm algorithm, std::string_view kid,
                              EvpPkeyPtr pkey, bool has_private);
};

}  // namespace auth
