// libFuzzer target: feeds arbitrary bytes to VerifyJwt, the way an attacker
// controls a bearer token, with one key of each algorithm in the set. Built
// with AddressSanitizer as below, a crash, leak or out-of-bounds access
// stops the run and saves the input. Build and run (clang only):
//
//   CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DLABKIT_FUZZ=ON \
//       -DLABKIT_SANITIZE=address
//   ninja -C build-fuzz auth_token_fuzzer
//   build-fuzz/auth/auth_token_fuzzer -max_total_time=30 -max_len=9000

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/jwk.h"
#include "auth/jwt.h"

namespace {

// MakeKeys returns a set with an HS256, an ES256 and an EdDSA key. The
// HS256 secret is fixed so that a corpus entry signed with it stays valid.
auth::KeySet MakeKeys() {
  auth::KeySet keys;
  auth::Result<auth::Key> secret =
      auth::Key::FromSecret("hs", "fuzzing secret of at least 32 bytes!!");
  auth::Result<auth::Key> ec = auth::Key::Generate(auth::Algorithm::kEs256, "es");
  auth::Result<auth::Key> ed = auth::Key::Generate(auth::Algorithm::kEdDsa, "ed");
  if (!secret.ok() || !ec.ok() || !ed.ok()) __builtin_trap();
  if (!keys.Add(secret.value()).ok() || !keys.Add(ec.value()).ok() ||
      !keys.Add(ed.value()).ok()) {
    __builtin_trap();
  }
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  static const auth::KeySet keys = MakeKeys();
  const std::string_view token(reinterpret_cast<const char*>(data), size);

  auth::ClaimsPolicy policy;
  policy.leeway_seconds = 30;
  auth::Result<auth::VerifiedJwt> jwt =
      auth::VerifyJwt(keys, token, policy, 1'700'000'000);
  if (!jwt.ok() && jwt.error().message.empty()) __builtin_trap();
  return 0;
}
