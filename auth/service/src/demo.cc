// auth-demo: what `./labkit demo auth` runs.
//
// Starts auth-service in this process on a free 127.0.0.1 port, with users
// in an in-memory SQLite database and a new EdDSA signing key, then walks
// one client through a session over real HTTP: register, log in, call the
// API, get refused for a missing role, refresh, replay a stolen refresh
// token (the whole family is revoked), log out, and guess passwords until
// the login rate limit rejects the guesses. Each exchange is printed with
// what it shows. The exit status is 0 only when every status was the
// expected one.

#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/jwk.h"
#include "auth/password.h"
#include "auth/policy.h"
#include "auth/refresh.h"
#include "auth/service/auth_service.h"
#include "auth/service/loopback_client.h"
#include "auth/service/user_store.h"
#include "flags.h"
#include "labkit/clock.h"
#include "labkit/http/server.h"
#include "labkit/log.h"

namespace {

namespace json = boost::json;
using auth::service::HttpCall;
using auth::service::HttpReply;

constexpr char kUser[] = "alice";
constexpr char kPassword[] = "correct horse battery staple";

// Session is the running service and the demo's count of surprises.
struct Session {
  std::uint16_t port = 0;
  int step = 0;
  int unexpected = 0;
};

std::string ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

// ShortText returns `text`, or its first 12 characters and its length
// when it is a token: longer than 40 characters, without spaces.
std::string ShortText(std::string_view text) {
  if (text.size() <= 40 || text.find(' ') != std::string_view::npos) {
    return std::string(text);
  }
  return std::string(text.substr(0, 12)) + "...(" +
         std::to_string(text.size()) + " chars)";
}

// Shorten replaces long strings (tokens) with their first 12 characters
// and the password with stars, so the output fits and shows no secret.
void Shorten(json::value& value) {
  if (value.is_object()) {
    for (auto& member : value.get_object()) {
      if (member.key() == "password" && member.value().is_string()) {
        member.value() = "********";
      } else {
        Shorten(member.value());
      }
    }
  } else if (value.is_array()) {
    for (json::value& element : value.get_array()) Shorten(element);
  } else if (value.is_string()) {
    value = ShortText(value.get_string());
  }
}

std::string ShortBody(const std::string& body) {
  if (body.empty()) return "";
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) return body.size() > 120 ? body.substr(0, 120) + "..." : body;
  Shorten(value);
  return json::serialize(value);
}

// Exchange sends `call`, prints the request, the response's key headers
// and body, and `lesson`, and counts a status other than `expected`.
HttpReply Exchange(Session& session, const std::string& title,
                   const HttpCall& call, int expected,
                   const std::string& lesson) {
  std::printf("\n%d. %s\n", ++session.step, title.c_str());
  std::printf("   > %s %s", call.method.c_str(), call.target.c_str());
  for (const auto& [name, value] : call.headers) {
    std::printf("  %s: %s", name.c_str(), ShortText(value).c_str());
  }
  if (!call.body.empty()) std::printf("  %s", ShortBody(call.body).c_str());
  std::printf("\n");

  HttpReply reply = auth::service::SendHttp(session.port, call);
  if (!reply.error.empty()) {
    std::printf("   < no response: %s\n", reply.error.c_str());
    ++session.unexpected;
    return reply;
  }
  std::printf("   < %d %s\n", reply.status, ReasonPhrase(reply.status).c_str());
  for (const char* name : {"WWW-Authenticate", "Retry-After", "Cache-Control"}) {
    const std::string value = reply.Header(name);
    if (!value.empty()) std::printf("     %s: %s\n", name, value.c_str());
  }
  if (!reply.body.empty()) {
    std::printf("     %s\n", ShortBody(reply.body).c_str());
  }
  if (reply.status != expected) {
    std::printf("   UNEXPECTED: the demo expected %d here.\n", expected);
    ++session.unexpected;
  }
  std::printf("   -> %s\n", lesson.c_str());
  std::fflush(stdout);
  return reply;
}

HttpCall Post(const std::string& target, const json::object& body) {
  return HttpCall{"POST", target, {}, json::serialize(body)};
}

HttpCall Credentials(const std::string& target, const std::string& username,
                     const std::string& password) {
  return Post(target, {{"username", username}, {"password", password}});
}

HttpCall WithToken(std::string method, const std::string& target,
                   const std::string& access_token, std::string body = "") {
  HttpCall call{std::move(method), target,
                {{"Authorization", "Bearer " + access_token}},
                std::move(body)};
  call.content_type = "text/plain";
  return call;
}

// Field returns the string member `name` of a JSON reply, or "".
std::string Field(const HttpReply& reply, const char* name) {
  boost::system::error_code ec;
  json::value value = json::parse(reply.body, ec);
  if (ec || !value.is_object()) return "";
  const json::value* member = value.get_object().if_contains(name);
  return member && member->is_string() ? std::string(member->get_string())
                                       : "";
}

void Walk(Session& s) {
  // Accounts: registration, and logins that fail the same way.
  Exchange(s, "Register an account",
           Credentials("/register", kUser, kPassword), 201,
           "argon2id hashed the password on the worker pool; SQLite keeps "
           "only the hash.");
  Exchange(s, "Log in with a wrong password",
           Credentials("/login", kUser, "wrong password"), 400,
           "invalid_grant, with a message that does not say which part was "
           "wrong.");
  Exchange(s, "Log in as a user who does not exist",
           Credentials("/login", "mallory", "wrong password"), 400,
           "the same response after the same argon2id work, so neither the "
           "body nor the timing tells which usernames exist.");
  HttpReply login = Exchange(
      s, "Log in", Credentials("/login", kUser, kPassword), 200,
      "a short-lived access token (a signed JWT, verified without any "
      "look-up) and an opaque refresh token (stored only as a hash).");
  const std::string access = Field(login, "access_token");
  const std::string first_refresh = Field(login, "refresh_token");

  // The API: authentication, then authorization.
  Exchange(s, "Write a document with the access token",
           WithToken("PUT", "/api/documents/plan", access, "ship on Friday"),
           201,
           "the bearer middleware verified the token's signature, exp, aud "
           "and typ; the policy lets an editor write what it owns.");
  Exchange(s, "Read it without a token", HttpCall{"GET", "/api/documents/plan", {}, ""},
           401,
           "no credentials: a bare challenge without an error code "
           "(RFC 6750 section 3.1).");
  std::string forged = access;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  Exchange(s, "Read it with a token whose signature was altered",
           WithToken("GET", "/api/documents/plan", forged), 401,
           "invalid_token: one changed character and the EdDSA signature no "
           "longer verifies.");
  Exchange(s, "Delete it (the policy allows only admins)",
           WithToken("DELETE", "/api/documents/plan", access), 403,
           "authenticated but not authorized: insufficient_scope. The token "
           "says roles [editor]; the policy wants admin.");

  // Refresh rotation and reuse detection.
  HttpReply refreshed = Exchange(
      s, "Refresh the session",
      Post("/token/refresh", {{"refresh_token", first_refresh}}), 200,
      "rotation: a new refresh token, and the one just used is spent.");
  const std::string second_refresh = Field(refreshed, "refresh_token");
  const std::string second_access = Field(refreshed, "access_token");
  Exchange(s, "An attacker replays the spent refresh token",
           Post("/token/refresh", {{"refresh_token", first_refresh}}), 400,
           "reuse detected: the server cannot tell the thief from the user, "
           "so it revokes the whole token family.");
  Exchange(s, "The user's newest refresh token",
           Post("/token/refresh", {{"refresh_token", second_refresh}}), 400,
           "revoked with its family: both parties must log in again.");
  Exchange(s, "The access token from the last refresh, still",
           WithToken("GET", "/api/documents/plan", second_access), 200,
           "access tokens are verified without state, so they live until "
           "their exp (300 s here): the price of stateless verification.");

  // Logout.
  HttpReply again = Exchange(s, "Log in again",
                             Credentials("/login", kUser, kPassword), 200,
                             "a new session: a new token family.");
  const std::string third_refresh = Field(again, "refresh_token");
  Exchange(s, "Log out", Post("/logout", {{"refresh_token", third_refresh}}),
           200, "the session's token family is revoked.");
  Exchange(s, "Refresh after logout",
           Post("/token/refresh", {{"refresh_token", third_refresh}}), 400,
           "invalid_grant: the family is revoked.");

  // The login rate limit: guesses until 429, before any password work.
  int guesses = 0;
  std::printf("\n%d. Guess the password until the login rate limit rejects it\n",
              ++s.step);
  while (guesses < 10) {
    HttpReply reply = auth::service::SendHttp(
        s.port, Credentials("/login", kUser, "guess " + std::to_string(guesses)));
    ++guesses;
    std::printf("   guess %d: %d %s\n", guesses, reply.status,
                ReasonPhrase(reply.status).c_str());
    if (reply.status == 429) {
      std::printf("     Retry-After: %s\n     %s\n",
                  reply.Header("Retry-After").c_str(),
                  ShortBody(reply.body).c_str());
      break;
    }
  }
  if (guesses == 10) ++s.unexpected;
  std::printf(
      "   -> 5 attempts per minute per account (and 20 per client address): "
      "the 429 comes before any argon2id work, so guessing costs the "
      "server nothing.\n");
}

int Run() {
  // Start the parts: users in memory, one hasher thread, a new EdDSA key.
  std::unique_ptr<auth::service::UserStore> users;
  if (auto opened = auth::service::UserStore::Open(":memory:", &users);
      !opened.ok()) {
    std::fprintf(stderr, "auth-demo: %s\n", opened.message().c_str());
    return 1;
  }
  auth::PasswordHasherOptions hasher_options;
  hasher_options.threads = 1;
  auto hasher = auth::PasswordHasher::Create(hasher_options);
  auto policy = auth::Policy::LoadFile(AUTH_SAMPLE_POLICY);
  auto key = auth::Key::Generate(auth::Algorithm::kEdDsa, "demo-key");
  if (!hasher.ok() || !policy.ok() || !key.ok()) {
    std::fprintf(stderr, "auth-demo: %s\n",
                 (!hasher.ok()   ? hasher.error()
                  : !policy.ok() ? policy.error()
                                 : key.error())
                     .message.c_str());
    return 1;
  }
  auth::KeySet keys;
  (void)keys.Add(std::move(key).value());
  auth::InMemoryTokenStore tokens;
  labkit::SteadyClock clock;
  auth::service::SystemClock wall_clock;
  auth::service::AuthServiceOptions options;
  options.signing_kid = "demo-key";
  auto service = auth::service::AuthService::Create(
      options, {users.get(), hasher.value().get(), &tokens, std::move(keys),
                &policy.value(), &clock, &wall_clock});
  if (!service.ok()) {
    std::fprintf(stderr, "auth-demo: %s\n", service.error().message.c_str());
    return 1;
  }

  // Serve on a free loopback port.
  labkit::http::ServerOptions server_options;
  server_options.threads = 2;
  server_options.reuse_port = false;
  auth::service::AuthService& handler = *service.value();
  labkit::http::Server server(server_options,
                              [&handler](const labkit::http::Request& r) {
                                return handler.Handle(r);
                              });
  Session session;
  try {
    session.port = server.Start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "auth-demo: %s\n", e.what());
    return 1;
  }

  std::printf("labkit demo: authentication and authorization over real "
              "HTTP\n\n");
  std::printf("What is running\n");
  std::printf("  auth-service in this process on 127.0.0.1:%u\n",
              session.port);
  std::printf("  users in SQLite (in memory); passwords hashed with argon2id "
              "(19 MiB, 2 passes) on 1 worker thread\n");
  std::printf("  access tokens: EdDSA-signed JWTs, 300 s; refresh tokens: "
              "opaque, rotated on every use\n");
  std::printf("  policy: %s (%zu rules; new users get the role editor)\n",
              AUTH_SAMPLE_POLICY, policy.value().rule_count());
  std::printf("  '>' is the request, '<' the response; tokens are cut to "
              "12 characters, the password to stars.\n");

  Walk(session);
  server.Stop();

  std::printf("\nSummary\n");
  if (session.unexpected > 0) {
    std::printf("  RESULT: %d step(s) did not return the expected status (see "
                "UNEXPECTED above).\n",
                session.unexpected);
    return 1;
  }
  std::printf("  RESULT: every step returned the expected status.\n");
  std::printf("\nTry next\n");
  std::printf("  auth/service/policy.txt    the roles and rules the API "
              "enforces\n");
  std::printf("  auth-service --help        run the service yourself and "
              "call it with curl\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"auth-demo: one client's session against auth-service on "
               "127.0.0.1, printed step by step"};
  if (std::optional<int> status =
          auth::service::ParseFlags(app, argc, argv)) {
    return *status;
  }

  // Only errors: the demo's own output explains the run.
  labkit::InitLogging("auth-demo", "error");
  return Run();
}
