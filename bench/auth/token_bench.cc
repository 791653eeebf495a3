// Token verification cost per algorithm (HS256, ES256, EdDSA), at two
// levels:
//
//   BM_VerifyJwt/<alg>   the whole check a protected API runs per request:
//                        VerifyJwt with a kid look-up in a three-key set,
//                        base64url, strict JSON, the signature, and the
//                        claims (exp, nbf, iss, aud).
//   BM_KeyVerify/<alg>   the signature alone (Key::Verify over the signing
//                        input), the same work `openssl speed` times.
//   BM_VerifyJwtStep/<step>  one step of an HS256 VerifyJwt on the same
//                        token, to show where its time goes: base64url (the
//                        three segments), header_json and claims_json
//                        (ParseStrictObject), claims (ExtractClaims and
//                        ValidateClaims). The signature step is
//                        BM_KeyVerify/hs256.
//
// Both report the signing input's length as signing_input_bytes, so
// bench/auth/compare can time OpenSSL's HMAC on inputs of the same size.
// The token is the same shape as the one bench/auth/jose_verify.mjs times
// in jose.
//
// Run: ninja -C <build> bench_auth && <build>/bench/bench_auth
//      --benchmark_filter='Verify'
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "auth/base64url.h"
#include "auth/jwk.h"
#include "auth/json_strict.h"
#include "auth/jwt.h"

namespace {

using auth::Algorithm;

// kNow is the verifier's clock (NumericDate), inside the token's lifetime.
constexpr std::int64_t kNow = 1'800'000'000;

// TokenFixture is one signed token and a key set that verifies it.
struct TokenFixture {
  explicit TokenFixture(Algorithm algorithm) {
    for (Algorithm each : {Algorithm::kHs256, Algorithm::kEs256, Algorithm::kEdDsa}) {
      auth::Key key =
          auth::Key::Generate(each, std::string("bench-") +
                                        std::string(auth::AlgorithmName(each)))
              .value();
      if (each == algorithm) signer = key;
      if (!keys.Add(std::move(key)).ok()) std::abort();
    }
    const boost::json::object claims{
        {"iss", "https://id.example.com"}, {"aud", "orders-api"},
        {"sub", "user-42"},                {"iat", kNow - 60},
        {"nbf", kNow - 60},                {"exp", kNow + 900}};
    token = auth::SignJwt(*signer, claims).value();

    const std::size_t last_dot = token.rfind('.');
    signing_input = token.substr(0, last_dot);
    signature = signer->Sign(signing_input).value();

    policy.issuer = "https://id.example.com";
    policy.audience = "orders-api";
  }

  auth::KeySet keys;
  std::optional<auth::Key> signer;
  std::string token;
  std::string signing_input;
  std::string signature;
  auth::ClaimsPolicy policy;
};

void BM_VerifyJwt(benchmark::State& state, Algorithm algorithm) {
  const TokenFixture fixture(algorithm);
  for (auto _ : state) {
    auth::Result<auth::VerifiedJwt> jwt =
        auth::VerifyJwt(fixture.keys, fixture.token, fixture.policy, kNow);
    if (!jwt.ok()) {
      state.SkipWithError(jwt.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(jwt);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["signing_input_bytes"] =
      static_cast<double>(fixture.signing_input.size());
}
BENCHMARK_CAPTURE(BM_VerifyJwt, hs256, Algorithm::kHs256);
BENCHMARK_CAPTURE(BM_VerifyJwt, es256, Algorithm::kEs256);
BENCHMARK_CAPTURE(BM_VerifyJwt, eddsa, Algorithm::kEdDsa);

void BM_KeyVerify(benchmark::State& state, Algorithm algorithm) {
  const TokenFixture fixture(algorithm);
  for (auto _ : state) {
    auth::Status status =
        fixture.signer->Verify(fixture.signing_input, fixture.signature);
    if (!status.ok()) {
      state.SkipWithError(status.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["signing_input_bytes"] =
      static_cast<double>(fixture.signing_input.size());
}
BENCHMARK_CAPTURE(BM_KeyVerify, hs256, Algorithm::kHs256);
BENCHMARK_CAPTURE(BM_KeyVerify, es256, Algorithm::kEs256);
BENCHMARK_CAPTURE(BM_KeyVerify, eddsa, Algorithm::kEdDsa);

// Segment returns the token's segment `index` (0, 1 or 2), as received.
std::string Segment(const std::string& token, int index) {
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  if (index == 0) return token.substr(0, first);
  if (index == 1) return token.substr(first + 1, second - first - 1);
  return token.substr(second + 1);
}

void BM_StepBase64url(benchmark::State& state) {
  const TokenFixture fixture(Algorithm::kHs256);
  const std::string segments[] = {Segment(fixture.token, 0),
                                  Segment(fixture.token, 1),
                                  Segment(fixture.token, 2)};
  for (auto _ : state) {
    for (const std::string& segment : segments) {
      auth::Result<std::string> bytes = auth::Base64UrlDecode(segment);
      if (!bytes.ok()) {
        state.SkipWithError(bytes.error().message.c_str());
        return;
      }
      benchmark::DoNotOptimize(bytes);
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StepBase64url)->Name("BM_VerifyJwtStep/base64url");

void BM_StepJson(benchmark::State& state, int segment_index) {
  const TokenFixture fixture(Algorithm::kHs256);
  const std::string text =
      auth::Base64UrlDecode(Segment(fixture.token, segment_index)).value();
  for (auto _ : state) {
    auth::Result<boost::json::object> object = auth::ParseStrictObject(text);
    if (!object.ok()) {
      state.SkipWithError(object.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(object);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["json_bytes"] = static_cast<double>(text.size());
}
BENCHMARK_CAPTURE(BM_StepJson, header_json, 0)
    ->Name("BM_VerifyJwtStep/header_json");
BENCHMARK_CAPTURE(BM_StepJson, claims_json, 1)
    ->Name("BM_VerifyJwtStep/claims_json");

void BM_StepClaims(benchmark::State& state) {
  const TokenFixture fixture(Algorithm::kHs256);
  const boost::json::object header =
      auth::ParseStrictObject(
          auth::Base64UrlDecode(Segment(fixture.token, 0)).value())
          .value();
  const boost::json::object claims =
      auth::ParseStrictObject(
          auth::Base64UrlDecode(Segment(fixture.token, 1)).value())
          .value();
  for (auto _ : state) {
    auth::Status valid = auth::ValidateClaims(
        auth::ExtractClaims(header, claims), fixture.policy, kNow);
    if (!valid.ok()) {
      state.SkipWithError(valid.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(valid);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StepClaims)->Name("BM_VerifyJwtStep/claims");

}  // namespace
