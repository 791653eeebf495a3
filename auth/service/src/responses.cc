#include "responses.h"

#include <array>
#include <cstdint>
#include <cstdio>

#include <boost/json/serialize.hpp>

#include "auth/json_strict.h"

namespace auth::service {

namespace json = boost::json;

labkit::http::Response JsonResponse(int status, const json::object& body) {
  labkit::http::Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = json::serialize(body);
  response.body += '\n';
  return response;
}

labkit::http::Response OAuthError(int status, std::string_view error,
                                  std::string_view description) {
  json::object body;
  body["error"] = error;
  body["error_description"] = description;
  labkit::http::Response response = JsonResponse(status, body);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

std::optional<labkit::http::Response> ParseBody(
    const labkit::http::Request& request, json::object* body) {
  // Passwords are at most 4096 bytes, so 16 KiB fits any valid body.
  StrictJsonLimits limits;
  limits.max_bytes = 16 * 1024;
  limits.max_depth = 4;
  Result<json::object> parsed = ParseStrictObject(request.body, limits);
  if (!parsed.ok()) {
    return OAuthError(400, "invalid_request",
                      "the request body must be one JSON object: " +
                          parsed.error().message);
  }
  *body = std::move(parsed).value();
  return std::nullopt;
}

std::optional<labkit::http::Response> ReadStringMember(
    const json::object& body, std::string_view name, std::string* out) {
  const json::value* value = body.if_contains(name);
  if (value == nullptr || !value->is_string()) {
    return OAuthError(400, "invalid_request",
                      "the request body needs a string member \"" +
                          std::string(name) + "\"");
  }
  out->assign(value->get_string().data(), value->get_string().size());
  return std::nullopt;
}

std::string ShortHash(std::string_view text) {
  std::uint32_t hash = 2166136261u;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  std::array<char, 9> hex;
  std::snprintf(hex.data(), hex.size(), "%08x", hash);
  return std::string(hex.data(), 8);
}

}  // namespace auth::service
