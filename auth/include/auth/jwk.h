// Key and KeySet: signing keys that carry their own algorithm.
//
// A Key is bound to one JWS algorithm when it is made, and the verifier
// uses only that algorithm with it. The token's "alg" header is checked
// against the key and never chooses how the key is used, so an RSA or EC
// public key can never be turned into an HMAC secret (the algorithm
// confusion attack).
//
//   HS256  an HMAC secret of at least 32 bytes (RFC 7518 section 3.2)
//   ES256  an ECDSA key on P-256 with SHA-256 (RFC 7518 section 3.4)
//   EdDSA  an Ed25519 key (RFC 8037)
//
// Keys come from Generate, from PEM (PKCS #8 private key or
// SubjectPublicKeyInfo public key), or from a JWK (RFC 7517). Public keys
// export as JWK and PEM. A KeySet is a JWKS: several active keys, each
// named by its kid, so an issuer can rotate keys while tokens signed with
// the previous key still verify.
//
// Thread-safety: Key and KeySet are immutable after construction apart from
// KeySet::Add; const use from several threads is safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/errors.h"

// OpenSSL's key type, declared here so that this header needs no OpenSSL
// include.
struct evp_pkey_st;

namespace auth {

// An HS256 key's precomputed HMAC state, defined in src/key_internal.h.
class HmacSha256Key;

enum class Algorithm { kHs256, kEs256, kEdDsa };

// AlgorithmName returns the JWS "alg" value: "HS256", "ES256" or "EdDSA".
std::string_view AlgorithmName(Algorithm algorithm);

// kMinHs256SecretBytes is the shortest HS256 secret a Key accepts: the
// SHA-256 output size, as RFC 7518 section 3.2 requires.
inline constexpr std::size_t kMinHs256SecretBytes = 32;

class Key {
 public:
  // FromSecret returns an HS256 key. Rejects (kInvalidKey) a secret shorter
  // than 32 bytes, and any text containing "-----BEGIN", because PEM text
  // is a public or private key, never an HMAC secret.
  static Result<Key> FromSecret(std::string_view kid, std::string_view secret);

  // Generate returns a new random key: 32 random bytes for HS256, a new key
  // pair for ES256 and EdDSA.
  static Result<Key> Generate(Algorithm algorithm, std::string_view kid);

  // FromPem loads a private key ("BEGIN PRIVATE KEY", "BEGIN EC PRIVATE
  // KEY") or a public key ("BEGIN PUBLIC KEY") for ES256 or EdDSA. Rejects
  // HS256, encrypted PEM, and a key of another type or curve (kInvalidKey).
  static Result<Key> FromPem(Algorithm algorithm, std::string_view kid,
                             std::string_view pem);

  // FromJwk loads a JWK: kty "oct" (HS256), "EC" with crv "P-256" (ES256)
  // or "OKP" with crv "Ed25519" (EdDSA); a private key when "d" is present.
  // "alg", when present, must match the key type, and "use", when present,
  // must be "sig". The JWK's kid becomes the key's kid. An EC point must lie
  // on the curve, and a private key must match its public part.
  static Result<Key> FromJwk(std::string_view jwk_json);

  Algorithm algorithm() const { return algorithm_; }
  const std::string& kid() const { return kid_; }
  // has_private_key is true for HS256 secrets and for private key pairs:
  // those keys can sign.
  bool has_private_key() const { return has_private_key_; }

  // PublicJwk returns the public key as JWK text with kty, crv, x (and y),
  // alg, use "sig" and kid. An HS256 secret has no public form (kInvalidKey).
  Result<std::string> PublicJwk() const;

  // PublicPem returns the public key as SubjectPublicKeyInfo PEM, ending in
  // a newline. HS256 keys return kInvalidKey.
  Result<std::string> PublicPem() const;

  // Sign returns the JWS signature of `signing_input` in its JWS form: 32
  // bytes of HMAC, 64 bytes of R||S for ES256, 64 bytes for EdDSA. A public
  // key cannot sign (kInvalidKey).
  Result<std::string> Sign(std::string_view signing_input) const;

  // Verify checks a JWS signature over `signing_input` with this key's
  // algorithm. kMalformedSignature: wrong length, or an ES256 r or s that
  // is 0 or not below the curve order n. kSignatureMismatch: otherwise
  // invalid.
  Status Verify(std::string_view signing_input,
                std::string_view signature) const;

 private:
  friend class KeyAccess;  // the library's internal access, src/key_internal.h

  Key(Algorithm algorithm, std::string kid) noexcept;

  Algorithm algorithm_;
  std::string kid_;
  bool has_private_key_ = false;
  std::string secret_;                         // HS256 only
  std::shared_ptr<const HmacSha256Key> hmac_;  // HS256 only
  std::shared_ptr<evp_pkey_st> pkey_;          // ES256 and EdDSA only
};

// KeySet is a JWKS: the keys a verifier accepts, each found by its kid.
class KeySet {
 public:
  KeySet() = default;

  // FromJwks loads {"keys":[JWK, ...]} (RFC 7517 section 5). Every key must
  // load, and kids must be unique.
  static Result<KeySet> FromJwks(std::string_view jwks_json);

  // Add adds `key`. Rejects (kInvalidKey) a kid already in the set. A key
  // with an empty kid can only be the set's one key, because a verifier
  // finds keys in a larger set by kid.
  Status Add(Key key);

  // Find returns the key named `kid`, or null.
  const Key* Find(std::string_view kid) const;

  // PublicJwks returns {"keys":[...]} with the public form of every ES256
  // and EdDSA key; HS256 secrets are never published.
  Result<std::string> PublicJwks() const;

  const std::vector<Key>& keys() const { return keys_; }
  std::size_t size() const { return keys_.size(); }

 private:
  std::vector<Key> keys_;
};

}  // namespace auth
