// Loading and exporting keys through the OpenSSL 3 EVP and OSSL_PARAM
// interfaces (no deprecated EC_KEY calls).
#include "auth/jwk.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth/base64url.h"
#include "auth/json_strict.h"
#include "key_internal.h"

namespace auth {
namespace {

namespace json = boost::json;

constexpr std::size_t kP256CoordinateBytes = 32;
constexpr std::size_t kEd25519KeyBytes = 32;
constexpr std::size_t kMaxJwkBytes = 16 * 1024;

Error InvalidKey(std::string message) {
  ERR_clear_error();
  return MakeError(ErrorCode::kInvalidKey, std::move(message));
}

Error CryptoFailure(std::string_view operation) {
  ERR_clear_error();
  return MakeError(ErrorCode::kCryptoFailure,
                   "OpenSSL failed to " + std::string(operation));
}

// IsP256 is true for an EC key on P-256 (OpenSSL names it prime256v1).
bool IsP256(EVP_PKEY* pkey) {
  if (!EVP_PKEY_is_a(pkey, "EC")) return false;
  char group[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &length) != 1) {
    return false;
  }
  const std::string_view name(group, length);
  return name == "prime256v1" || name == "P-256";
}

bool MatchesAlgorithm(EVP_PKEY* pkey, Algorithm algorithm) {
  if (algorithm == Algorithm::kEs256) return IsP256(pkey);
  if (algorithm == Algorithm::kEdDsa) return EVP_PKEY_is_a(pkey, "ED25519");
  return false;
}

// HasPrivateKey is true when `pkey` contains a private key, not only a public
// one.
bool HasPrivateKey(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) {
    std::size_t length = 0;
    const bool has = EVP_PKEY_get_raw_private_key(pkey, nullptr, &length) == 1;
    ERR_clear_error();
    return has;
  }
  BIGNUM* d = nullptr;
  const bool has =
      EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1;
  BN_clear_free(d);
  ERR_clear_error();
  return has;
}

// CheckKey runs OpenSSL's consistency check: the public point is on the
// curve, and a private key matches its public key.
Status CheckKey(EVP_PKEY* pkey, bool has_private) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) return CryptoFailure("allocate a key context");
  const int checked = has_private ? EVP_PKEY_pairwise_check(ctx.get())
                                  : EVP_PKEY_public_check(ctx.get());
  if (checked != 1) {
    return InvalidKey(has_private
                          ? "invalid key: the private key does not match "
                            "its public key"
                          : "invalid key: the public key is not a valid "
                            "point on the curve");
  }
  return Status();
}

// PemPasswordRefused stops OpenSSL from prompting for a PEM passphrase on
// the terminal: encrypted PEM is not supported.
int PemPasswordRefused(char*, int, int, void*) { return 0; }

Result<EvpPkeyPtr> ReadPem(std::string_view pem) {
  auto read = [&](bool private_key) -> EVP_PKEY* {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return nullptr;
    return private_key
               ? PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                         PemPasswordRefused, nullptr)
               : PEM_read_bio_PUBKEY(bio.get(), nullptr, PemPasswordRefused,
                                     nullptr);
  };
  EvpPkeyPtr pkey(read(true));
  if (!pkey) {
    ERR_clear_error();
    pkey.reset(read(false));
  }
  if (!pkey) {
    return InvalidKey(
        "invalid key: the PEM text is neither an unencrypted private key "
        "nor a public key");
  }
  return pkey;
}

// Bytes returns the raw bytes a JWK member encodes.
Result<std::string> JwkBytes(const json::object& jwk, std::string_view name,
                             std::size_t expected_size) {
  const json::value* member = jwk.if_contains(name);
  if (member == nullptr || !member->is_string()) {
    return InvalidKey("invalid JWK: member '" + std::string(name) +
                      "' is missing or not a string");
  }
  const json::string& text = member->get_string();
  Result<std::string> bytes =
      Base64UrlDecode(std::string_view(text.data(), text.size()));
  if (!bytes.ok()) {
    return InvalidKey("invalid JWK: member '" + std::string(name) + "': " +
                      bytes.error().message);
  }
  if (expected_size != 0 && bytes.value().size() != expected_size) {
    return InvalidKey("invalid JWK: member '" + std::string(name) + "' is " +
                      std::to_string(bytes.value().size()) +
                      " bytes, expected " + std::to_string(expected_size));
  }
  return bytes;
}

// OptionalString returns a string member, "" when absent, or an error when
// present with another type.
Result<std::string> OptionalString(const json::object& jwk,
                                   std::string_view name) {
  const json::value* member = jwk.if_contains(name);
  if (member == nullptr) return std::string();
  if (!member->is_string()) {
    return InvalidKey("invalid JWK: member '" + std::string(name) +
                      "' is not a string");
  }
  return std::string(member->get_string().c_str());
}

const unsigned char* Bytes(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Result<EvpPkeyPtr> EcKeyFromJwk(const json::object& jwk, bool has_private) {
  Result<std::string> x = JwkBytes(jwk, "x", kP256CoordinateBytes);
  if (!x.ok()) return x.error();
  Result<std::string> y = JwkBytes(jwk, "y", kP256CoordinateBytes);
  if (!y.ok()) return y.error();

  // The public key is the uncompressed point 0x04 || x || y (SEC 1 2.3.3).
  std::string point = "\x04" + x.value() + y.value();

  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> builder(
      OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  BnPtr d;
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size()) != 1) {
    return CryptoFailure("build EC key parameters");
  }
  if (has_private) {
    Result<std::string> d_bytes = JwkBytes(jwk, "d", kP256CoordinateBytes);
    if (!d_bytes.ok()) return d_bytes.error();
    d.reset(BN_bin2bn(Bytes(d_bytes.value()),
                      static_cast<int>(d_bytes.value().size()), nullptr));
    if (!d || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY,
                                     d.get()) != 1) {
      return CryptoFailure("build EC key parameters");
    }
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(builder.get()), OSSL_PARAM_free);
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return CryptoFailure("prepare an EC key");
  }

  EVP_PKEY* raw = nullptr;
  const int selection = has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
    return InvalidKey("invalid JWK: x and y are not a point on P-256");
  }
  return EvpPkeyPtr(raw);
}

Result<EvpPkeyPtr> OkpKeyFromJwk(const json::object& jwk, bool has_private) {
  Result<std::string> x = JwkBytes(jwk, "x", kEd25519KeyBytes);
  if (!x.ok()) return x.error();
  if (!has_private) {
    EvpPkeyPtr pkey(EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, Bytes(x.value()), x.value().size()));
    if (!pkey) return InvalidKey("invalid JWK: x is not an Ed25519 key");
    return pkey;
  }

  Result<std::string> d = JwkBytes(jwk, "d", kEd25519KeyBytes);
  if (!d.ok()) return d.error();
  EvpPkeyPtr pkey(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, Bytes(d.value()), d.value().size()));
  if (!pkey) return InvalidKey("invalid JWK: d is not an Ed25519 key");

  // The public key derives from d; x must be that key.
  unsigned char derived[kEd25519KeyBytes];
  std::size_t length = sizeof derived;
  if (EVP_PKEY_get_raw_public_key(pkey.get(), derived, &length) != 1) {
    return CryptoFailure("derive an Ed25519 public key");
  }
  if (length != x.value().size() ||
      x.value().compare(0, length, reinterpret_cast<const char*>(derived),
                        length) != 0) {
    return InvalidKey("invalid JWK: x is not the public key of d");
  }
  return pkey;
}

// AlgorithmForJwk returns the algorithm a JWK's kty and crv imply.
Result<Algorithm> AlgorithmForJwk(const json::object& jwk) {
  Result<std::string> kty = OptionalString(jwk, "kty");
  if (!kty.ok()) return kty.error();
  Result<std::string> crv = OptionalString(jwk, "crv");
  if (!crv.ok()) return crv.error();

  if (kty.value() == "oct") return Algorithm::kHs256;
  if (kty.value() == "EC" && crv.value() == "P-256") return Algorithm::kEs256;
  if (kty.value() == "OKP" && crv.value() == "Ed25519") {
    return Algorithm::kEdDsa;
  }
  return InvalidKey("invalid JWK: kty '" + kty.value() + "' with crv '" +
                    crv.value() +
                    "' is not supported; use oct, EC with P-256, or OKP with "
                    "Ed25519");
}

Result<Key> KeyFromJwkObject(const json::object& jwk) {
  Result<Algorithm> algorithm = AlgorithmForJwk(jwk);
  if (!algorithm.ok()) return algorithm.error();

  // Optional members that, when present, must agree with the key.
  Result<std::string> alg = OptionalString(jwk, "alg");
  if (!alg.ok()) return alg.error();
  const std::string_view expected_alg = AlgorithmName(algorithm.value());
  if (!alg.value().empty() && alg.value() != expected_alg) {
    return InvalidKey("invalid JWK: alg '" + alg.value() +
                      "' does not fit this key, expected '" +
                      std::string(expected_alg) + "'");
  }
  Result<std::string> use = OptionalString(jwk, "use");
  if (!use.ok()) return use.error();
  if (!use.value().empty() && use.value() != "sig") {
    return InvalidKey("invalid JWK: use '" + use.value() +
                      "' is not 'sig'");
  }
  Result<std::string> kid = OptionalString(jwk, "kid");
  if (!kid.ok()) return kid.error();

  if (algorithm.value() == Algorithm::kHs256) {
    Result<std::string> secret = JwkBytes(jwk, "k", 0);
    if (!secret.ok()) return secret.error();
    return Key::FromSecret(kid.value(), secret.value());
  }

  const bool has_private = jwk.contains("d");
  Result<EvpPkeyPtr> pkey = algorithm.value() == Algorithm::kEs256
                                ? EcKeyFromJwk(jwk, has_private)
                                : OkpKeyFromJwk(jwk, has_private);
  if (!pkey.ok()) return pkey.error();
  return KeyAccess::FromPkey(algorithm.value(), kid.value(),
                             std::move(pkey).value(), has_private);
}

// Coordinate returns a BIGNUM parameter as a fixed-size big-endian field.
Result<std::string> Coordinate(EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    return CryptoFailure("read an EC public key");
  }
  BnPtr value(raw);
  std::string bytes(kP256CoordinateBytes, '\0');
  if (BN_bn2binpad(value.get(), reinterpret_cast<unsigned char*>(bytes.data()),
                   static_cast<int>(bytes.size())) < 0) {
    return CryptoFailure("encode an EC coordinate");
  }
  return bytes;
}

}  // namespace

std::string_view AlgorithmName(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kHs256: return "HS256";
    case Algorithm::kEs256: return "ES256";
    case Algorithm::kEdDsa: return "EdDSA";
  }
  return "unknown";
}

Key::Key(Algorithm algorithm, std::string kid) noexcept
    : algorithm_(algorithm), kid_(std::move(kid)) {}

Result<Key> KeyAccess::FromPkey(Algorithm algorithm, std::string_view kid,
                                EvpPkeyPtr pkey, bool has_private) {
  Status checked = CheckKey(pkey.get(), has_private);
  if (!checked.ok()) return checked.error();
  Key key(algorithm, std::string(kid));
  key.has_private_key_ = has_private;
  key.pkey_ = std::shared_ptr<EVP_PKEY>(pkey.release(), EVP_PKEY_free);
  return key;
}

Result<Key> Key::FromSecret(std::string_view kid, std::string_view secret) {
  if (secret.size() < kMinHs256SecretBytes) {
    return InvalidKey("invalid HS256 key '" + std::string(kid) + "': the "
                      "secret is " + std::to_string(secret.size()) +
                      " bytes, at least " +
                      std::to_string(kMinHs256SecretBytes) + " are required");
  }
  if (secret.find("-----BEGIN") != std::string_view::npos) {
    return InvalidKey("invalid HS256 key '" + std::string(kid) + "': the "
                      "secret is PEM key text; a public or private key is "
                      "never an HMAC secret");
  }
  Result<std::shared_ptr<const HmacSha256Key>> hmac =
      HmacSha256Key::Create(secret);
  if (!hmac.ok()) return hmac.error();
  Key key(Algorithm::kHs256, std::string(kid));
  key.secret_ = std::string(secret);
  key.hmac_ = std::move(hmac).value();
  key.has_private_key_ = true;
  return key;
}

Result<Key> Key::Generate(Algorithm algorithm, std::string_view kid) {
  if (algorithm == Algorithm::kHs256) {
    std::string secret(kMinHs256SecretBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()),
                   static_cast<int>(secret.size())) != 1) {
      return CryptoFailure("generate random bytes");
    }
    return FromSecret(kid, secret);
  }

  EVP_PKEY* raw = algorithm == Algorithm::kEs256
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (raw == nullptr) return CryptoFailure("generate a key pair");
  return KeyAccess::FromPkey(algorithm, kid, EvpPkeyPtr(raw), true);
}

Result<Key> Key::FromPem(Algorithm algorithm, std::string_view kid,
                         std::string_view pem) {
  if (algorithm == Algorithm::kHs256) {
    return InvalidKey("invalid key '" + std::string(kid) + "': HS256 takes "
                      "a secret, not PEM; use Key::FromSecret");
  }
  Result<EvpPkeyPtr> pkey = ReadPem(pem);
  if (!pkey.ok()) return pkey.error();
  if (!MatchesAlgorithm(pkey.value().get(), algorithm)) {
    return InvalidKey("invalid key '" + std::string(kid) + "': the PEM key "
                      "is not a key for " +
                      std::string(AlgorithmName(algorithm)) +
                      (algorithm == Algorithm::kEs256 ? " (EC on P-256)"
                                                      : " (Ed25519)"));
  }
  const bool has_private = HasPrivateKey(pkey.value().get());
  return KeyAccess::FromPkey(algorithm, kid, std::move(pkey).value(),
                             has_private);
}

Result<Key> Key::FromJwk(std::string_view jwk_json) {
  StrictJsonLimits limits;
  limits.max_bytes = kMaxJwkBytes;
  Result<json::object> jwk = ParseStrictObject(jwk_json, limits);
  if (!jwk.ok()) return jwk.error();
  return KeyFromJwkObject(jwk.value());
}

Result<std::string> Key::PublicJwk() const {
  if (algorithm_ == Algorithm::kHs256) {
    return InvalidKey("HS256 key '" + kid_ + "' is a secret and has no "
                      "public JWK");
  }

  json::object jwk;
  if (algorithm_ == Algorithm::kEs256) {
    Result<std::string> x = Coordinate(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X);
    if (!x.ok()) return x.error();
    Result<std::string> y = Coordinate(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
    if (!y.ok()) return y.error();
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = Base64UrlEncode(x.value());
    jwk["y"] = Base64UrlEncode(y.value());
  } else {
    unsigned char x[kEd25519KeyBytes];
    std::size_t length = sizeof x;
    if (EVP_PKEY_get_raw_public_key(pkey_.get(), x, &length) != 1) {
      return CryptoFailure("read an Ed25519 public key");
    }
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    jwk["x"] = Base64UrlEncode(
        std::string_view(reinterpret_cast<const char*>(x), length));
  }
  jwk["alg"] = AlgorithmName(algorithm_);
  jwk["use"] = "sig";
  if (!kid_.empty()) jwk["kid"] = kid_;
  return json::serialize(jwk);
}

Result<std::string> Key::PublicPem() const {
  if (algorithm_ == Algorithm::kHs256) {
    return InvalidKey("HS256 key '" + kid_ + "' is a secret and has no "
                      "public PEM");
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
    return CryptoFailure("write a public key as PEM");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

Result<KeySet> KeySet::FromJwks(std::string_view jwks_json) {
  StrictJsonLimits limits;
  limits.max_bytes = 64 * kMaxJwkBytes;
  Result<json::object> jwks = ParseStrictObject(jwks_json, limits);
  if (!jwks.ok()) return jwks.error();
  const json::value* keys = jwks.value().if_contains("keys");
  if (keys == nullptr || !keys->is_array()) {
    return InvalidKey("invalid JWKS: member 'keys' is missing or not an "
                      "array");
  }

  KeySet set;
  std::size_t index = 0;
  for (const json::value& entry : keys->get_array()) {
    if (!entry.is_object()) {
      return InvalidKey("invalid JWKS: keys[" + std::to_string(index) +
                        "] is not an object");
    }
    Result<Key> key = KeyFromJwkObject(entry.get_object());
    if (!key.ok()) {
      return InvalidKey("invalid JWKS: keys[" + std::to_string(index) +
                        "]: " + key.error().message);
    }
    Status added = set.Add(std::move(key).value());
    if (!added.ok()) return added.error();
    ++index;
  }
  return set;
}

Status KeySet::Add(Key key) {
  if (!keys_.empty() && (key.kid().empty() || keys_.front().kid().empty())) {
    return InvalidKey("invalid key set: a key without a kid must be the "
                      "only key, because tokens select keys by kid");
  }
  if (Find(key.kid()) != nullptr) {
    return InvalidKey("invalid key set: kid '" + key.kid() +
                      "' is already in the set");
  }
  keys_.push_back(std::move(key));
  return Status();
}

const Key* KeySet::Find(std::string_view kid) const {
  for (const Key& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

Result<std::string> KeySet::PublicJwks() const {
  json::array published;
  for (const Key& key : keys_) {
    if (key.algorithm() == Algorithm::kHs256) continue;
    Result<std::string> jwk = key.PublicJwk();
    if (!jwk.ok()) return jwk.error();
    Result<json::object> parsed = ParseStrictObject(jwk.value());
    if (!parsed.ok()) return parsed.error();
    published.push_back(std::move(parsed).value());
  }
  json::object jwks;
  jwks["keys"] = std::move(published);
  return json::serialize(jwks);
}

}  // namespace auth
