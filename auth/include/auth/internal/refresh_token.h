// The token helpers that refresh-token rotation (auth/src/refresh.cc, which
// an exercise of the auth lab replaces) shares with the rest of the service
// (auth/src/refresh_service.cc).
#pragma once

#include <string>
#include <string_view>

#include "auth/errors.h"

namespace auth::internal {

// NewToken returns a new refresh token: 32 random bytes from libsodium in
// unpadded base64url (kRefreshTokenChars characters).
std::string NewToken();

// CheckTokenShape rejects what can never be a token, before it is hashed:
// kRefreshTokenUnknown unless `token` is kRefreshTokenChars base64url
// characters. The message names the length only, because a token is a
// secret.
Status CheckTokenShape(std::string_view token);

}  // namespace auth::internal
