// Interop of the kit's tokens with jose, an independent JOSE library for
// JavaScript (npm package jose, version pinned in
// tests/auth/interop-node/package.json), run by Node.js.
//
//   1. jose signs HS256, ES256 and EdDSA tokens with keys it generates, and
//      the kit verifies them with those keys loaded from jose's JWKs.
//   2. The kit signs tokens and writes its public JWKS, and jose verifies
//      them with jwtVerify and createLocalJWKSet.
//   3. Forged tokens (alg none, a wrong key under a trusted kid, an HMAC
//      keyed with a public key, a changed payload) are rejected by both, each
//      with its exact error.
//
// The test fails, never skips, when node or jose is missing: run
// scripts/setup.sh, which runs npm ci in tests/auth/interop-node. Each node
// run is bounded by `timeout`.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "auth/base64url.h"
#include "auth/errors.h"
#include "auth/jwk.h"
#include "auth/jwt.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

using auth::Algorithm;
using auth::ErrorCode;
using auth::Key;
using auth::KeySet;

// kInteropDir is tests/auth/interop-node, set by tests/auth/interop.cmake.
const fs::path kInteropDir = LABKIT_AUTH_INTEROP_DIR;
constexpr const char* kNodeTimeoutSeconds = "60";
constexpr const char* kSetupHint =
    "run scripts/setup.sh, which installs the npm package jose in "
    "tests/auth/interop-node (npm ci)";

constexpr const char* kKitIssuer = "https://kit.example";
constexpr const char* kKitAudience = "labkit-interop";
constexpr const char* kJoseIssuer = "https://jose.example";
constexpr const char* kJoseAudience = "labkit-interop";

// FindNode returns the path of the node executable on PATH, or nullopt.
std::optional<fs::path> FindNode() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / "node";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// JoseMissingReason returns why jose cannot run here, or an empty string.
std::string JoseMissingReason() {
  if (!FindNode()) {
    return std::string("node was not found on PATH: install Node.js 20 or "
                       "later with npm, then ") + kSetupHint;
  }
  const fs::path jose = kInteropDir / "node_modules" / "jose" / "package.json";
  if (!fs::exists(jose)) {
    return "the npm package jose is not installed (" + jose.string() +
           " is missing): " + kSetupHint;
  }
  return "";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

struct NodeRun {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

// RunInterop runs `timeout 60 node interop.mjs COMMAND DIR` and returns its
// exit code and output.
NodeRun RunInterop(const std::string& command, const fs::path& dir) {
  const std::string node = FindNode().value_or("node").string();
  const std::string script = (kInteropDir / "interop.mjs").string();
  const std::string out_path = (dir / (command + ".stdout")).string();
  const std::string err_path = (dir / (command + ".stderr")).string();
  std::vector<std::string> args = {"timeout", kNodeTimeoutSeconds, node,
                                   script,    command,             dir.string()};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  const int spawn_error =
      posix_spawnp(&pid, "timeout", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);

  NodeRun run;
  if (spawn_error != 0) {
    run.stderr_text = "could not start timeout: " +
                      std::string(std::strerror(spawn_error));
    return run;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.stdout_text = ReadFile(out_path);
  run.stderr_text = ReadFile(err_path);
  return run;
}

// TempDir is a directory under $TMPDIR (or /tmp), deleted with its contents.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr ? base : "/tmp") + "/labkit-interop.XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::int64_t NowSeconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

// KitOutcome returns "verified" or the kit's error code name for `token`.
std::string KitOutcome(const KeySet& keys, const std::string& token,
                       const std::string& issuer, const std::string& audience) {
  auth::ClaimsPolicy policy;
  policy.issuer = issuer;
  policy.audience = audience;
  auth::Result<auth::VerifiedJwt> jwt =
      auth::VerifyJwt(keys, token, policy, NowSeconds());
  if (!jwt.ok()) return std::string(auth::ErrorCodeName(jwt.error().code));
  return "verified";
}

// ---------------------------------------------------------------------------
// jose signs, the kit verifies.

// JoseTokens is the parsed jose.json of one `interop.mjs sign` run.
struct JoseTokens {
  std::string error;  // why the run failed, or empty
  KeySet keys;        // jose's ES256 and EdDSA public keys and HS256 secret
  std::map<std::string, std::string> tokens;
};

JoseTokens SignWithJose() {
  JoseTokens out;
  if (std::string reason = JoseMissingReason(); !reason.empty()) {
    out.error = reason;
    return out;
  }
  TempDir dir;
  const NodeRun run = RunInterop("sign", dir.path());
  if (run.exit_code != 0) {
    out.error = "node interop.mjs sign exited with " +
                std::to_string(run.exit_code) + ": " + run.stderr_text;
    return out;
  }

  const json::object doc = json::parse(ReadFile(dir.path() / "jose.json")).as_object();
  std::vector<std::string> jwks;
  for (const json::value& jwk : doc.at("jwks").at("keys").as_array()) {
    jwks.push_back(json::serialize(jwk));
  }
  jwks.push_back(json::serialize(doc.at("hs256_jwk")));
  for (const std::string& jwk : jwks) {
    auth::Result<Key> key = Key::FromJwk(jwk);
    if (!key.ok()) {
      out.error = "the kit could not load jose's JWK " + jwk + ": " +
                  key.error().message;
      return out;
    }
    if (auth::Status added = out.keys.Add(std::move(key).value()); !added.ok()) {
      out.error = added.error().message;
      return out;
    }
  }
  for (const auto& [name, token] : doc.at("tokens").as_object()) {
    out.tokens[std::string(name)] = std::string(token.as_string());
  }
  return out;
}

const JoseTokens& JoseSigned() {
  static const JoseTokens tokens = SignWithJose();
  return tokens;
}

TEST(JoseToKit, KitLoadsJoseKeys) {
  const JoseTokens& jose = JoseSigned();
  ASSERT_TRUE(jose.error.empty()) << jose.error;
  EXPECT_EQ(jose.keys.size(), 3u)
      << "jose's ES256, EdDSA and HS256 keys must all load in the kit";
  const Key* es = jose.keys.Find("jose-es256");
  const Key* ed = jose.keys.Find("jose-ed25519");
  const Key* hs = jose.keys.Find("jose-hs256");
  ASSERT_NE(es, nullptr) << "jose's ES256 JWK must load under its kid";
  ASSERT_NE(ed, nullptr) << "jose's Ed25519 JWK must load under its kid";
  ASSERT_NE(hs, nullptr) << "jose's oct JWK must load under its kid";
  EXPECT_EQ(es->algorithm(), Algorithm::kEs256);
  EXPECT_EQ(ed->algorithm(), Algorithm::kEdDsa);
  EXPECT_EQ(hs->algorithm(), Algorithm::kHs256);
}

TEST(JoseToKit, KitVerifiesJoseTokens) {
  const JoseTokens& jose = JoseSigned();
  ASSERT_TRUE(jose.error.empty()) << jose.error;
  for (const char* name : {"hs256", "es256", "eddsa"}) {
    ASSERT_TRUE(jose.tokens.contains(name)) << "jose.json lacks token " << name;
    const std::string& token = jose.tokens.at(name);

    auth::ClaimsPolicy policy;
    policy.issuer = kJoseIssuer;
    policy.audience = kJoseAudience;
    auth::Result<auth::VerifiedJwt> jwt =
        auth::VerifyJwt(jose.keys, token, policy, NowSeconds());
    ASSERT_TRUE(jwt.ok()) << "the kit must verify jose's " << name
                          << " token: " << jwt.error().message;
    const json::value* sub = jwt.value().claims.if_contains("sub");
    ASSERT_NE(sub, nullptr) << name << ": the verified claims lack sub";
    EXPECT_EQ(*sub, "alice") << name << ": sub must be jose's 'alice'";
  }
}

TEST(JoseToKit, KitRejectsJoseForgeries) {
  const JoseTokens& jose = JoseSigned();
  ASSERT_TRUE(jose.error.empty()) << jose.error;
  const std::map<std::string, std::string> expected = {
      {"forged_alg_none", "AlgNone"},
      {"forged_wrong_key_es256", "SignatureMismatch"},
      {"forged_wrong_secret_hs256", "SignatureMismatch"},
      {"forged_alg_confusion", "AlgorithmMismatch"},
  };
  for (const auto& [name, code] : expected) {
    ASSERT_TRUE(jose.tokens.contains(name)) << "jose.json lacks token " << name;
    EXPECT_EQ(KitOutcome(jose.keys, jose.tokens.at(name), kJoseIssuer,
                         kJoseAudience),
              code)
        << "the kit must reject jose's " << name << " with " << code;
  }
}

// ---------------------------------------------------------------------------
// The kit signs, jose verifies.

// KitToken is one token the kit signed, the key jose verifies it with
// ("jwks" or "hs256"), and the outcome each library must report.
struct KitToken {
  std::string name;
  std::string token;
  std::string key;
  std::string kit_outcome;   // "verified" or the kit's error code name
  std::string jose_outcome;  // "verified" or jose's error code
};

// KitSigned is the outcome of one kit-signs-jose-verifies run.
struct KitSigned {
  std::string error;  // why the run failed, or empty
  KeySet keys;        // the kit's verifying keys
  std::vector<KitToken> tokens;
  std::string jwks;   // the kit's published JWKS
  std::map<std::string, json::object> jose_results;  // by token name
};

std::string RandomBytes(std::size_t count) {
  std::random_device device;
  std::string bytes(count, '\0');
  for (char& byte : bytes) byte = static_cast<char>(device() & 0xff);
  return bytes;
}

json::object KitClaims(std::int64_t exp_offset, const std::string& audience) {
  const std::int64_t now = NowSeconds();
  return json::object{{"iss", kKitIssuer}, {"aud", audience},
                      {"sub", "alice"},    {"iat", now},
                      {"exp", now + exp_offset}};
}

// Sign returns SignJwt's token, or records the error in `out`.
std::string Sign(KitSigned& out, const Key& key, const json::object& claims) {
  auth::Result<std::string> token = auth::SignJwt(key, claims);
  if (!token.ok()) {
    out.error = "SignJwt with " + key.kid() + ": " + token.error().message;
    return "";
  }
  return token.value();
}

// MakeKitTokens signs the valid and forged tokens jose checks.
void MakeKitTokens(KitSigned& out, const Key& hs, const Key& es, const Key& ed) {
  const json::object claims = KitClaims(300, kKitAudience);
  out.tokens.push_back({"hs256", Sign(out, hs, claims), "hs256", "verified", "verified"});
  out.tokens.push_back({"es256", Sign(out, es, claims), "jwks", "verified", "verified"});
  out.tokens.push_back({"eddsa", Sign(out, ed, claims), "jwks", "verified", "verified"});

  // Claims that both libraries must reject after the signature verified.
  out.tokens.push_back({"expired", Sign(out, ed, KitClaims(-120, kKitAudience)),
                        "jwks", "Expired", "ERR_JWT_EXPIRED"});
  out.tokens.push_back({"wrong_audience", Sign(out, es, KitClaims(300, "another-api")),
                        "jwks", "AudienceMismatch",
                        "ERR_JWT_CLAIM_VALIDATION_FAILED"});

  // alg none, with an empty signature and a trusted kid.
  const std::string payload = auth::Base64UrlEncode(json::serialize(claims));
  out.tokens.push_back(
      {"forged_alg_none",
       auth::Base64UrlEncode(R"({"alg":"none","kid":"kit-ed25519"})") + "." +
           payload + ".",
       "jwks", "AlgNone", "ERR_JOSE_ALG_NOT_ALLOWED"});

  // Another Ed25519 key that claims the trusted kid.
  auth::Result<Key> attacker = Key::Generate(Algorithm::kEdDsa, "kit-ed25519");
  if (!attacker.ok()) {
    out.error = attacker.error().message;
    return;
  }
  out.tokens.push_back({"forged_wrong_key_eddsa", Sign(out, attacker.value(), claims),
                        "jwks", "SignatureMismatch",
                        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"});

  // An HMAC keyed with the published Ed25519 JWK text: algorithm confusion.
  auth::Result<std::string> public_jwk = ed.PublicJwk();
  auth::Result<Key> confused = public_jwk.ok()
      ? Key::FromSecret("kit-ed25519", public_jwk.value())
      : auth::Result<Key>(public_jwk.error());
  if (!confused.ok()) {
    out.error = confused.error().message;
    return;
  }
  out.tokens.push_back({"forged_alg_confusion", Sign(out, confused.value(), claims),
                        "jwks", "AlgorithmMismatch", "ERR_JOSE_ALG_NOT_ALLOWED"});

  // A valid HS256 token whose payload was swapped for another subject's.
  const std::string valid = out.tokens.front().token;
  json::object mallory = claims;
  mallory["sub"] = "mallory";
  const std::size_t first_dot = valid.find('.');
  const std::size_t second_dot = valid.find('.', first_dot + 1);
  out.tokens.push_back(
      {"forged_payload_hs256",
       valid.substr(0, first_dot + 1) +
           auth::Base64UrlEncode(json::serialize(mallory)) +
           valid.substr(second_dot),
       "hs256", "SignatureMismatch", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"});
}

// VerifyWithJose writes kit.json and runs `interop.mjs verify` on it.
void VerifyWithJose(KitSigned& out, const std::string& secret) {
  json::array tokens;
  for (const KitToken& token : out.tokens) {
    tokens.push_back(json::object{
        {"name", token.name}, {"token", token.token}, {"key", token.key}});
  }
  const json::object input{{"issuer", kKitIssuer},
                           {"audience", kKitAudience},
                           {"jwks", json::parse(out.jwks)},
                           {"hs256_secret", auth::Base64UrlEncode(secret)},
                           {"tokens", std::move(tokens)}};
  TempDir dir;
  WriteFile(dir.path() / "kit.json", json::serialize(input));

  const NodeRun run = RunInterop("verify", dir.path());
  if (run.exit_code != 0) {
    out.error = "node interop.mjs verify exited with " +
                std::to_string(run.exit_code) + ": " + run.stderr_text;
    return;
  }
  const json::value results = json::parse(run.stdout_text);
  for (const json::value& result : results.as_array()) {
    const json::object& object = result.as_object();
    out.jose_results[std::string(object.at("name").as_string())] = object;
  }
}

KitSigned SignWithKit() {
  KitSigned out;
  if (std::string reason = JoseMissingReason(); !reason.empty()) {
    out.error = reason;
    return out;
  }

  // 1. Keys: an HS256 secret, and ES256 and EdDSA key pairs, published as a
  // JWKS of their public halves.
  const std::string secret = RandomBytes(32);
  auth::Result<Key> hs = Key::FromSecret("kit-hs256", secret);
  auth::Result<Key> es = Key::Generate(Algorithm::kEs256, "kit-es256");
  auth::Result<Key> ed = Key::Generate(Algorithm::kEdDsa, "kit-ed25519");
  if (!hs.ok() || !es.ok() || !ed.ok()) {
    out.error = "the kit could not make its interop keys";
    return out;
  }
  KeySet published;
  if (!published.Add(es.value()).ok() || !published.Add(ed.value()).ok() ||
      !out.keys.Add(hs.value()).ok() || !out.keys.Add(es.value()).ok() ||
      !out.keys.Add(ed.value()).ok()) {
    out.error = "the kit could not build its key sets";
    return out;
  }
  auth::Result<std::string> jwks = published.PublicJwks();
  if (!jwks.ok()) {
    out.error = jwks.error().message;
    return out;
  }
  out.jwks = jwks.value();

  // 2. Tokens, then 3. jose's verdict on each.
  MakeKitTokens(out, hs.value(), es.value(), ed.value());
  if (out.error.empty()) VerifyWithJose(out, secret);
  return out;
}

const KitSigned& KitSignedOnce() {
  static const KitSigned signed_tokens = SignWithKit();
  return signed_tokens;
}

TEST(KitToJose, JwksHasOnlyPublicKeys) {
  const KitSigned& kit = KitSignedOnce();
  ASSERT_TRUE(kit.error.empty()) << kit.error;
  const json::value jwks = json::parse(kit.jwks);
  const json::array& keys = jwks.at("keys").as_array();
  ASSERT_EQ(keys.size(), 2u) << "the published JWKS must list ES256 and EdDSA";
  for (const json::value& key : keys) {
    EXPECT_EQ(key.as_object().if_contains("d"), nullptr)
        << "a published JWK must not contain the private part d: "
        << json::serialize(key);
    EXPECT_NE(key.at("kty"), "oct") << "an HS256 secret must never be published";
  }
}

TEST(KitToJose, JoseVerifiesKitTokens) {
  const KitSigned& kit = KitSignedOnce();
  ASSERT_TRUE(kit.error.empty()) << kit.error;
  for (const char* name : {"hs256", "es256", "eddsa"}) {
    ASSERT_TRUE(kit.jose_results.contains(name))
        << "jose reported nothing for the kit's " << name << " token";
    const json::object& result = kit.jose_results.at(name);
    EXPECT_EQ(result.at("verified"), true)
        << "jose must verify the kit's " << name << " token; jose's error: "
        << json::serialize(result.at("code"));
    EXPECT_EQ(result.at("sub"), "alice")
        << "jose must read sub 'alice' from the kit's " << name << " token";
  }
}

TEST(KitToJose, BothRejectForgedTokens) {
  const KitSigned& kit = KitSignedOnce();
  ASSERT_TRUE(kit.error.empty()) << kit.error;
  int rejected_cases = 0;
  for (const KitToken& token : kit.tokens) {
    if (token.jose_outcome == "verified") continue;
    ++rejected_cases;
    EXPECT_EQ(KitOutcome(kit.keys, token.token, kKitIssuer, kKitAudience),
              token.kit_outcome)
        << "the kit must reject its own " << token.name << " token with "
        << token.kit_outcome;

    ASSERT_TRUE(kit.jose_results.contains(token.name))
        << "jose reported nothing for " << token.name;
    const json::object& result = kit.jose_results.at(token.name);
    EXPECT_EQ(result.at("verified"), false)
        << "jose must reject the " << token.name << " token";
    EXPECT_EQ(result.at("code"), token.jose_outcome.c_str())
        << "jose must reject " << token.name << " with "
        << token.jose_outcome;
  }
  EXPECT_EQ(rejected_cases, 6) << "every forged or invalid token must be checked";
}

}  // namespace
