// auth-service: the auth lab's HTTP service on 127.0.0.1.
//
//   auth-service --policy auth/service/policy.txt --db auth.db --port 8080
//   auth-service --policy auth/service/policy.txt --port 8081
//                --refresh-store redis://127.0.0.1:6379   (shared sessions)
//   curl -i http://127.0.0.1:8080/register -d '{"username":"alice",
//        "password":"correct horse battery"}'
//   curl http://127.0.0.1:8080/.well-known/jwks.json
//
// Without --key it signs with a new EdDSA key, so its tokens stop
// verifying when it restarts. SIGINT or SIGTERM stops it cleanly.

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "auth/jwk.h"
#include "auth/password.h"
#include "auth/policy.h"
#include "auth/redis_token_store.h"
#include "auth/refresh.h"
#include "auth/service/auth_service.h"
#include "auth/service/user_store.h"
#include "flags.h"
#include "labkit/clock.h"
#include "labkit/http/server.h"
#include "labkit/log.h"
#include "rate_limiter/redis_store.h"

namespace {

struct Flags {
  int port = 8080;
  int threads = 4;
  int hasher_threads = 2;
  std::string db = "auth.db";
  std::string policy;
  std::string key_file;
  std::string algorithm = "EdDSA";
  std::string kid = "auth-1";
  int access_ttl = 300;
  std::string log_level = "info";
  // refresh_store is "memory" or a Redis URL.
  std::string refresh_store = "memory";
};

// RefreshStore returns a validator that accepts "memory" or a Redis URL.
CLI::Validator RefreshStore() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text == "memory") return "";
        std::string error;
        if (rl::ParseRedisUrl(text, &error)) return "";
        return "invalid value '" + text + "': " + error +
               ". Expected memory or redis://HOST:PORT.";
      },
      "");
}

// MakeTokenStore returns the refresh-token store that --refresh-store
// names. `clock` must outlive it.
auth::Result<std::unique_ptr<auth::TokenStore>> MakeTokenStore(
    const Flags& flags, const labkit::Clock& clock) {
  if (flags.refresh_store == "memory") {
    return std::unique_ptr<auth::TokenStore>(
        std::make_unique<auth::InMemoryTokenStore>());
  }
  auth::RedisTokenStoreOptions options;
  options.url = flags.refresh_store;
  auto store = auth::RedisTokenStore::Create(options, clock);
  if (!store.ok()) return store.error();
  return std::unique_ptr<auth::TokenStore>(std::move(store).value());
}

// WaitForStopSignal blocks until SIGINT or SIGTERM arrives and returns its
// name. REQUIRES: both are blocked in every thread (see Run).
const char* WaitForStopSignal(const sigset_t& signals) {
  int signal = 0;
  sigwait(&signals, &signal);
  return signal == SIGINT ? "SIGINT" : "SIGTERM";
}

auth::Algorithm ParseAlgorithm(const std::string& name) {
  if (name == "HS256") return auth::Algorithm::kHs256;
  if (name == "ES256") return auth::Algorithm::kEs256;
  return auth::Algorithm::kEdDsa;
}

// LoadSigningKey reads --key: a PEM private key for EdDSA and ES256, or
// the HS256 secret (the file's bytes without a final newline). Without
// --key it generates a key.
auth::Result<auth::Key> LoadSigningKey(const Flags& flags) {
  const auth::Algorithm algorithm = ParseAlgorithm(flags.algorithm);
  if (flags.key_file.empty()) {
    spdlog::warn("no --key: signing with a new {} key, so tokens stop "
                 "verifying when auth-service restarts",
                 flags.algorithm);
    return auth::Key::Generate(algorithm, flags.kid);
  }

  std::ifstream in(flags.key_file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return auth::MakeError(auth::ErrorCode::kInvalidKey,
                           "cannot read key file '" + flags.key_file + "'");
  }
  if (algorithm == auth::Algorithm::kHs256) {
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return auth::Key::FromSecret(flags.kid, text);
  }
  return auth::Key::FromPem(algorithm, flags.kid, text);
}

int Run(const Flags& flags) {
  // Load the policy, the signing key and the user database.
  auth::Result<auth::Policy> policy = auth::Policy::LoadFile(flags.policy);
  if (!policy.ok()) {
    spdlog::error("{}", policy.error().message);
    return 2;
  }
  auth::Result<auth::Key> key = LoadSigningKey(flags);
  if (!key.ok()) {
    spdlog::error("{}: {}", flags.key_file, key.error().message);
    return 2;
  }
  auth::KeySet keys;
  if (auth::Status added = keys.Add(std::move(key).value()); !added.ok()) {
    spdlog::error("{}", added.error().message);
    return 2;
  }
  std::unique_ptr<auth::service::UserStore> users;
  auth::service::StoreStatus opened =
      auth::service::UserStore::Open(flags.db, &users);
  if (!opened.ok()) {
    spdlog::error("{}", opened.message());
    return 2;
  }

  // Start the password hasher and assemble the service.
  auth::PasswordHasherOptions hasher_options;
  hasher_options.threads = static_cast<std::size_t>(flags.hasher_threads);
  auto hasher = auth::PasswordHasher::Create(hasher_options);
  if (!hasher.ok()) {
    spdlog::error("{}", hasher.error().message);
    return 2;
  }
  labkit::SteadyClock clock;
  auth::service::SystemClock wall_clock;
  auto tokens = MakeTokenStore(flags, wall_clock);
  if (!tokens.ok()) {
    spdlog::error("--refresh-store '{}': {}", flags.refresh_store,
                  tokens.error().message);
    return 2;
  }
  auth::service::AuthServiceOptions options;
  options.signing_kid = flags.kid;
  options.access_token_ttl_seconds = flags.access_ttl;
  auth::service::AuthServiceParts parts{users.get(), hasher.value().get(),
                                        tokens.value().get(), std::move(keys),
                                        &policy.value(), &clock,
                                        &wall_clock};
  auto service = auth::service::AuthService::Create(options, std::move(parts));
  if (!service.ok()) {
    spdlog::error("{}", service.error().message);
    return 2;
  }

  // Block the stop signals before any thread starts, so that only sigwait
  // receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Logins wait for the hasher on an HTTP thread, so the threads share one
  // event loop (no SO_REUSEPORT): a waiting thread does not hold up the
  // connections that the kernel would have given it.
  labkit::http::ServerOptions server_options;
  server_options.address = "127.0.0.1";
  server_options.port = static_cast<std::uint16_t>(flags.port);
  server_options.threads = flags.threads;
  server_options.reuse_port = false;
  auth::service::AuthService& handler = *service.value();
  labkit::http::Server server(server_options,
                              [&handler](const labkit::http::Request& r) {
                                return handler.Handle(r);
                              });
  std::uint16_t port = 0;
  try {
    port = server.Start();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  spdlog::info("auth-service started on 127.0.0.1:{}: users in {}, policy {} "
               "({} rules), {} key '{}', {} hasher thread(s), refresh "
               "tokens in {}",
               port, flags.db, flags.policy, policy.value().rule_count(),
               flags.algorithm, flags.kid, flags.hasher_threads,
               flags.refresh_store);

  // Serve until a stop signal.
  const char* signal = WaitForStopSignal(signals);
  spdlog::info("auth-service stopping on {}", signal);
  server.Stop();
  const auth::service::AuthServiceStats stats = handler.stats();
  spdlog::info("auth-service stopped: {} registrations, {} logins, {} failed "
               "logins, {} rate-limited, {} refreshes, {} reuse detections",
               stats.registrations, stats.logins, stats.failed_logins,
               stats.rate_limited, stats.refreshes, stats.refresh_reuse);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"auth-service: register, log in, refresh and call a "
               "protected API on 127.0.0.1"};
  Flags flags;
  using auth::service::WholeNumber;
  app.add_option("--port", flags.port,
                 "TCP port on 127.0.0.1, 0 to 65535 (0 picks a free one)")
      ->check(WholeNumber(0, 65535, "a port number"));
  app.add_option("--threads", flags.threads, "server threads, 1 to 256")
      ->check(WholeNumber(1, 256, "a number of threads"));
  app.add_option("--hasher-threads", flags.hasher_threads,
                 "argon2id worker threads, 1 to 64 (each uses 19 MiB while "
                 "hashing)")
      ->check(WholeNumber(1, 64, "a number of threads"));
  app.add_option("--db", flags.db,
                 "SQLite file for users, created if missing (:memory: keeps "
                 "them in memory)");
  app.add_option("--policy", flags.policy,
                 "authorization policy file (see auth/service/policy.txt)")
      ->required()
      ->check(auth::service::ExistingFile());
  app.add_option("--key", flags.key_file,
                 "signing key: a PEM private key for EdDSA or ES256, or a "
                 "file holding the HS256 secret (at least 32 bytes); "
                 "without it a new key is generated")
      ->check(auth::service::ExistingFile());
  app.add_option("--alg", flags.algorithm, "signing algorithm: EdDSA, ES256 "
                 "or HS256 (HS256 publishes no JWKS key)")
      ->check(auth::service::OneOf({"EdDSA", "ES256", "HS256"}));
  app.add_option("--kid", flags.kid, "key id of the signing key, in each "
                 "token's header and the JWKS");
  app.add_option("--access-ttl", flags.access_ttl,
                 "access token lifetime in seconds, 1 to 86400")
      ->check(WholeNumber(1, 86400, "a number of seconds"));
  app.add_option("--refresh-store", flags.refresh_store,
                 "where refresh tokens live: memory (this process only) or "
                 "redis://HOST:PORT[/DB], shared by every instance that "
                 "uses the same Redis")
      ->check(RefreshStore());
  app.add_option("--log-level", flags.log_level,
                 "trace, debug, info, warn, error or off")
      ->check(auth::service::OneOf(
          {"trace", "debug", "info", "warn", "error", "off"}));
  if (std::optional<int> status =
          auth::service::ParseFlags(app, argc, argv)) {
    return *status;
  }

  labkit::InitLogging("auth-service", flags.log_level);
  return Run(flags);
}
