#include "auth/hs256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

namespace auth {

Result<std::string> SignHs256(std::string_view secret,
                              std::string_view signing_input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;

  // HMAC() takes a non-null key pointer even for an empty secret.
  static const unsigned char kEmpty = 0;
  const void* key = secret.empty() ? static_cast<const void*>(&kEmpty)
                                   : static_cast<const void*>(secret.data());
  const unsigned char* result =
      HMAC(EVP_sha256(), key, static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(signing_input.data()),
           signing_input.size(), mac, &mac_length);
  if (result == nullptr || mac_length != kHs256MacBytes) {
    return MakeError(ErrorCode::kCryptoFailure,
                     "HMAC-SHA-256 failed in OpenSSL");
  }
  return std::string(reinterpret_cast<const char*>(mac), mac_length);
}

Status VerifyHs256(std::string_view secret, std::string_view signing_input,
                   std::string_view mac) {
  if (mac.size() != kHs256MacBytes) {
    return MakeError(ErrorCode::kMalformedSignature,
                     "invalid HS256 signature: " + std::to_string(mac.size()) +
                         " bytes, expected " + std::to_string(kHs256MacBytes));
  }

  Result<std::string> expected = SignHs256(secret, signing_input);
  if (!expected.ok()) return expected.error();

  // CRYPTO_memcmp reads every byte whatever the first difference is.
  if (CRYPTO_memcmp(expected.value().data(), mac.data(), kHs256MacBytes) !=
      0) {
    return MakeError(ErrorCode::kSignatureMismatch,
                     "HS256 signature does not match the key");
  }
  return Status();
}

}  // namespace auth
