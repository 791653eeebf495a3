// InMemoryTokenStore apart from Rotate, which is in refresh.cc.
#include "auth/refresh.h"

#include <utility>

namespace auth {

Status InMemoryTokenStore::CreateFamily(const TokenFamily& family,
                                        std::string_view token_hash,
                                        Nanos token_expires_at) {
  std::lock_guard<std::mutex> lock(mu_);
  if (families_.count(family.id) != 0 ||
      tokens_.count(std::string(token_hash)) != 0) {
    return MakeError(ErrorCode::kTokenStoreFailure,
                     "token family " + family.id +
                         " or its first token hash is already stored");
  }
  families_.emplace(family.id, family);
  tokens_.emplace(std::string(token_hash),
                  TokenRecord{family.id, token_expires_at, false});
  return {};
}

Result<std::optional<TokenFamily>> InMemoryTokenStore::FindFamily(
    std::string_view token_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  auto token = tokens_.find(std::string(token_hash));
  if (token == tokens_.end()) return std::optional<TokenFamily>();
  auto family = families_.find(token->second.family_id);
  if (family == families_.end()) return std::optional<TokenFamily>();
  return std::optional<TokenFamily>(family->second);
}

Result<bool> InMemoryTokenStore::RevokeFamily(std::string_view family_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto family = families_.find(std::string(family_id));
  if (family == families_.end()) return false;
  family->second.revoked = true;
  return true;
}

Result<std::size_t> InMemoryTokenStore::PurgeExpired(Nanos now) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::size_t purged =
      std::erase_if(tokens_, [now](const auto& entry) {
        return entry.second.expires_at <= now;
      }) +
      std::erase_if(families_, [now](const auto& entry) {
        return entry.second.expires_at <= now;
      });
  return purged;
}

std::size_t InMemoryTokenStore::token_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tokens_.size();
}

}  // namespace auth
