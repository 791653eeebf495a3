// Key::Sign and Key::Verify: the three JWS signature algorithms, and the
// precomputed HMAC state that HS256 keys verify with.
//
// ES256 signatures are the 64-byte R || S form of RFC 7518 section 3.4,
// each integer big-endian and left-padded to 32 bytes. OpenSSL signs and
// verifies DER (an ASN.1 SEQUENCE of two INTEGERs), so this file converts
// both ways, and checks 1 <= r, s < n itself so that a forged zero or
// out-of-range value gets a specific error.
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include "auth/hs256.h"
#include "auth/jwk.h"
#include "key_internal.h"

namespace auth {
namespace {

constexpr std::size_t kEs256ScalarBytes = 32;
constexpr std::size_t kEs256SignatureBytes = 2 * kEs256ScalarBytes;
constexpr std::size_t kEd25519SignatureBytes = 64;

// kP256Order is n, the order of the P-256 base point (FIPS 186-4 D.1.2.3),
// big-endian.
constexpr std::array<unsigned char, kEs256ScalarBytes> kP256Order = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
    0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

Error CryptoFailure(std::string_view operation) {
  ERR_clear_error();
  return MakeError(ErrorCode::kCryptoFailure,
                   "OpenSSL failed to " + std::string(operation));
}

Error Mismatch(Algorithm algorithm) {
  ERR_clear_error();
  return MakeError(ErrorCode::kSignatureMismatch,
                   std::string(AlgorithmName(algorithm)) +
                       " signature does not match the key");
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// InScalarRange is true when the big-endian 32-byte `scalar` is in
// [1, n - 1].
bool InScalarRange(std::string_view scalar) {
  bool all_zero = true;
  for (char c : scalar) all_zero = all_zero && c == 0;
  if (all_zero) return false;
  for (std::size_t i = 0; i < kEs256ScalarBytes; ++i) {
    const auto byte = static_cast<unsigned char>(scalar[i]);
    if (byte != kP256Order[i]) return byte < kP256Order[i];
  }
  return false;  // equal to n
}

// DerToRawEs256 converts OpenSSL's DER signature to R || S.
Result<std::string> DerToRawEs256(const std::string& der) {
  const unsigned char* cursor = Bytes(der);
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())),
      ECDSA_SIG_free);
  if (!sig) return CryptoFailure("decode an ECDSA signature");

  std::string raw(kEs256SignatureBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, kEs256ScalarBytes) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + kEs256ScalarBytes,
                   kEs256ScalarBytes) < 0) {
    return CryptoFailure("encode an ECDSA signature");
  }
  return raw;
}

// RawEs256ToDer converts R || S to DER. REQUIRES: 64 bytes.
Result<std::string> RawEs256ToDer(std::string_view raw) {
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(),
                                                            ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(Bytes(raw), kEs256ScalarBytes, nullptr);
  BIGNUM* s =
      BN_bin2bn(Bytes(raw) + kEs256ScalarBytes, kEs256ScalarBytes, nullptr);
  // ECDSA_SIG_set0 takes ownership of r and s only when it succeeds.
  if (!sig || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return CryptoFailure("build an ECDSA signature");
  }

  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) return CryptoFailure("encode an ECDSA signature as DER");
  std::string result(reinterpret_cast<const char*>(der),
                     static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return result;
}

// DigestSign signs with SHA-256 (ES256) or with no separate digest
// (Ed25519, which hashes internally).
Result<std::string> DigestSign(EVP_PKEY* pkey, const EVP_MD* md,
                               std::string_view input) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, Bytes(input),
                     input.size()) != 1) {
    return CryptoFailure("start signing");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(
                                    signature.data()),
                     &length, Bytes(input), input.size()) != 1) {
    return CryptoFailure("sign");
  }
  signature.resize(length);
  return signature;
}

// DigestVerify returns true only when OpenSSL verifies the signature.
Result<bool> DigestVerify(EVP_PKEY* pkey, const EVP_MD* md,
                          std::string_view input, std::string_view signature) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pkey) != 1) {
    return CryptoFailure("start verifying");
  }
  const int verified = EVP_DigestVerify(ctx.get(), Bytes(signature),
                                        signature.size(), Bytes(input),
                                        input.size());
  ERR_clear_error();
  return verified == 1;
}

Error WrongLength(Algorithm algorithm, std::size_t actual,
                  std::size_t expected) {
  return MakeError(ErrorCode::kMalformedSignature,
                   "invalid " + std::string(AlgorithmName(algorithm)) +
                       " signature: " + std::to_string(actual) +
                       " bytes, expected " + std::to_string(expected));
}

// kSha256BlockBytes is the SHA-256 block size, the B of RFC 2104.
constexpr std::size_t kSha256BlockBytes = 64;

// DigestBlock returns a SHA-256 context that has absorbed `block`.
EvpMdCtxPtr DigestBlock(const unsigned char* block) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), block, kSha256BlockBytes) != 1) {
    return nullptr;
  }
  return ctx;
}

Status VerifyHs256Key(const HmacSha256Key& key, std::string_view input,
                      std::string_view signature) {
  if (signature.size() != HmacSha256Key::kMacBytes) {
    return WrongLength(Algorithm::kHs256, signature.size(),
                       HmacSha256Key::kMacBytes);
  }
  Result<HmacSha256Key::Mac> expected = key.Compute(input);
  if (!expected.ok()) return expected.error();

  // CRYPTO_memcmp reads every byte whatever the first difference is.
  if (CRYPTO_memcmp(expected.value().data(), signature.data(),
                    HmacSha256Key::kMacBytes) != 0) {
    return Mismatch(Algorithm::kHs256);
  }
  return Status();
}

Status VerifyEs256(EVP_PKEY* pkey, std::string_view input,
                   std::string_view signature) {
  if (signature.size() != kEs256SignatureBytes) {
    return WrongLength(Algorithm::kEs256, signature.size(),
                       kEs256SignatureBytes);
  }
  // A valid ECDSA signature has 1 <= r, s <= n - 1 (SEC 1 section 4.1.4).
  if (!InScalarRange(signature.substr(0, kEs256ScalarBytes)) ||
      !InScalarRange(signature.substr(kEs256ScalarBytes))) {
    return MakeError(ErrorCode::kMalformedSignature,
                     "invalid ES256 signature: r or s is 0 or not below the "
                     "P-256 group order n");
  }

  Result<std::string> der = RawEs256ToDer(signature);
  if (!der.ok()) return der.error();
  Result<bool> verified = DigestVerify(pkey, EVP_sha256(), input, der.value());
  if (!verified.ok()) return verified.error();
  if (!verified.value()) return Mismatch(Algorithm::kEs256);
  return Status();
}

Status VerifyEdDsa(EVP_PKEY* pkey, std::string_view input,
                   std::string_view signature) {
  if (signature.size() != kEd25519SignatureBytes) {
    return WrongLength(Algorithm::kEdDsa, signature.size(),
                       kEd25519SignatureBytes);
  }
  Result<bool> verified = DigestVerify(pkey, nullptr, input, signature);
  if (!verified.ok()) return verified.error();
  if (!verified.value()) return Mismatch(Algorithm::kEdDsa);
  return Status();
}

}  // namespace

Result<std::shared_ptr<const HmacSha256Key>> HmacSha256Key::Create(
    std::string_view secret) {
  // K is the secret, or its SHA-256 when longer than a block, padded with
  // zeros to a block.
  std::array<unsigned char, kSha256BlockBytes> k{};
  if (secret.size() > kSha256BlockBytes) {
    unsigned int length = 0;
    if (EVP_Digest(secret.data(), secret.size(), k.data(), &length,
                   EVP_sha256(), nullptr) != 1) {
      return CryptoFailure("hash a long HMAC secret");
    }
  } else {
    std::copy(secret.begin(), secret.end(), k.begin());
  }

  std::array<unsigned char, kSha256BlockBytes> ipad;
  std::array<unsigned char, kSha256BlockBytes> opad;
  for (std::size_t i = 0; i < kSha256BlockBytes; ++i) {
    ipad[i] = k[i] ^ 0x36;
    opad[i] = k[i] ^ 0x5c;
  }
  auto key = std::shared_ptr<HmacSha256Key>(new HmacSha256Key());
  key->inner_ = DigestBlock(ipad.data());
  key->outer_ = DigestBlock(opad.data());
  OPENSSL_cleanse(k.data(), k.size());
  OPENSSL_cleanse(ipad.data(), ipad.size());
  OPENSSL_cleanse(opad.data(), opad.size());
  if (!key->inner_ || !key->outer_) {
    return CryptoFailure("prepare an HMAC-SHA-256 key");
  }
  return std::shared_ptr<const HmacSha256Key>(std::move(key));
}

Result<HmacSha256Key::Mac> HmacSha256Key::Compute(
    std::string_view message) const {
  // H(K XOR opad || H(K XOR ipad || message)), each hash continuing from
  // its precomputed state. The copy frees and cleanses the previous state.
  Mac inner_hash;
  Mac mac;
  EvpMdCtxPtr work(EVP_MD_CTX_new());
  if (!work || EVP_MD_CTX_copy_ex(work.get(), inner_.get()) != 1 ||
      EVP_DigestUpdate(work.get(), message.data(), message.size()) != 1 ||
      EVP_DigestFinal_ex(work.get(), inner_hash.data(), nullptr) != 1 ||
      EVP_MD_CTX_copy_ex(work.get(), outer_.get()) != 1 ||
      EVP_DigestUpdate(work.get(), inner_hash.data(), inner_hash.size()) != 1 ||
      EVP_DigestFinal_ex(work.get(), mac.data(), nullptr) != 1) {
    return CryptoFailure("compute HMAC-SHA-256");
  }
  return mac;
}

Result<std::string> Key::Sign(std::string_view signing_input) const {
  if (!has_private_key_) {
    return MakeError(ErrorCode::kInvalidKey,
                     "key '" + kid_ + "' is a public key and cannot sign");
  }
  switch (algorithm_) {
    case Algorithm::kHs256:
      return SignHs256(secret_, signing_input);
    case Algorithm::kEs256: {
      Result<std::string> der = DigestSign(pkey_.get(), EVP_sha256(),
                                           signing_input);
      if (!der.ok()) return der.error();
      return DerToRawEs256(der.value());
    }
    case Algorithm::kEdDsa:
      return DigestSign(pkey_.get(), nullptr, signing_input);
  }
  return CryptoFailure("sign with an unknown algorithm");
}

Status Key::Verify(std::string_view signing_input,
                   std::string_view signature) const {
  switch (algorithm_) {
    case Algorithm::kHs256:
      return VerifyHs256Key(*hmac_, signing_input, signature);
    case Algorithm::kEs256:
      return VerifyEs256(pkey_.get(), signing_input, signature);
    case Algorithm::kEdDsa:
      return VerifyEdDsa(pkey_.get(), signing_input, signature);
  }
  return CryptoFailure("verify with an unknown algorithm");
}

}  // namespace auth
