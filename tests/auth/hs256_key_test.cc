// Key::Verify for HS256 computes HMAC-SHA-256 from SHA-256 states that the
// Key prepared once (src/key_internal.h). These tests pin that code to
// RFC 4231 and to SignHs256, for secrets shorter than, equal to and longer
// than the 64-byte SHA-256 block, and check that many threads can verify
// with one Key and its copies at once.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

#include "auth/hs256.h"
#include "auth/jwk.h"

namespace {

using auth::ErrorCode;
using auth::ErrorCodeName;
using auth::Key;

// FromHex returns the bytes of lowercase hex `hex`.
std::string FromHex(std::string_view hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    const std::string pair(hex.substr(i, 2));
    bytes += static_cast<char>(std::stoi(pair, nullptr, 16));
  }
  return bytes;
}

Key MakeKey(const std::string& secret) {
  auth::Result<Key> key = Key::FromSecret("hs", secret);
  EXPECT_TRUE(key.ok()) << "a " << secret.size() << "-byte secret must load: "
                        << (key.ok() ? "" : key.error().message);
  return key.value();
}

// RFC 4231 section 4, test cases 6 and 7: a 131-byte key, longer than the
// block, which HMAC hashes before use.
TEST(Hs256KeyTest, VerifiesRfc4231LongKeyVectors) {
  const Key key = MakeKey(std::string(131, '\xaa'));
  const struct {
    const char* name;
    std::string data;
    const char* mac_hex;
  } vectors[] = {
      {"test case 6", "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"test case 7",
       "This is a test using a larger than block-size key and a larger than "
       "block-size data. The key needs to be hashed before being used by the "
       "HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const auto& v : vectors) {
    auth::Status status = key.Verify(v.data, FromHex(v.mac_hex));
    EXPECT_TRUE(status.ok()) << "RFC 4231 " << v.name
                             << " must verify through Key::Verify: "
                             << (status.ok() ? "" : status.error().message);
  }
}

// Secrets around the block size take different paths: padded (< 64),
// exactly one block (64) and hashed first (> 64).
TEST(Hs256KeyTest, AgreesWithSignHs256AroundBlockSize) {
  const std::string input = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1NDIifQ";
  for (std::size_t length : {32, 63, 64, 65, 200}) {
    std::string secret;
    for (std::size_t i = 0; i < length; ++i) {
      secret += static_cast<char>('a' + i % 26);
    }
    const Key key = MakeKey(secret);
    const std::string mac = auth::SignHs256(secret, input).value();

    auth::Status good = key.Verify(input, mac);
    EXPECT_TRUE(good.ok()) << "a " << length
                           << "-byte secret: Key::Verify must accept "
                              "SignHs256's MAC: "
                           << (good.ok() ? "" : good.error().message);

    std::string forged = mac;
    forged[31] = static_cast<char>(forged[31] ^ 1);
    auth::Status bad = key.Verify(input, forged);
    ASSERT_FALSE(bad.ok()) << "a " << length
                           << "-byte secret: a MAC with its last bit flipped "
                              "must be rejected";
    EXPECT_EQ(bad.error().code, ErrorCode::kSignatureMismatch)
        << "a " << length << "-byte secret: a flipped bit is "
        << "SignatureMismatch, not " << ErrorCodeName(bad.error().code);
  }
}

TEST(Hs256KeyTest, RejectsWrongLengthMac) {
  const Key key = MakeKey(std::string(32, 'k'));
  for (std::size_t length : {0, 16, 31, 33, 64}) {
    auth::Status status = key.Verify("input", std::string(length, '\0'));
    ASSERT_FALSE(status.ok()) << "a " << length
                              << "-byte MAC must be rejected";
    EXPECT_EQ(status.error().code, ErrorCode::kMalformedSignature)
        << "a " << length << "-byte MAC is MalformedSignature, not "
        << ErrorCodeName(status.error().code);
  }
}

// Threads verify with one Key, and with copies that share its HMAC state,
// mixing good and forged MACs. Every result must be right.
TEST(Hs256KeyTest, ManyThreadsShareOneKey) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 2000;
  const std::string secret = "a 32-byte secret for HS256 tests";
  const Key key = MakeKey(secret);
  const std::string input = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1NDIifQ";
  const std::string mac = auth::SignHs256(secret, input).value();
  std::string forged = mac;
  forged[0] = static_cast<char>(forged[0] ^ 0x80);

  std::atomic<int> wrong_results{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const Key copy = key;  // shares the precomputed state
      const Key& used = t % 2 == 0 ? key : copy;
      for (int i = 0; i < kRounds; ++i) {
        const bool good = (i + t) % 3 != 0;
        auth::Status status = used.Verify(input, good ? mac : forged);
        if (status.ok() != good) wrong_results.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong_results.load(), 0)
      << "every verification must accept the real MAC and reject the forged "
         "one, whatever other threads do with the same key";
}

}  // namespace
