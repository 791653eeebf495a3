// UserStore: the auth service's user accounts, in SQLite.
//
// One table, created on Open when it does not exist:
//
//   users(id TEXT PRIMARY KEY, username TEXT UNIQUE, password_hash TEXT,
//         tenant TEXT, roles TEXT, created_at INTEGER)
//
// password_hash is an argon2id PHC string (auth/password.h), never a
// password. roles are stored space-separated. Every statement is prepared
// with bound parameters; no value is ever pasted into SQL text.
//
// Errors are StoreStatus values: kNotFound and kAlreadyExists are expected
// outcomes, kStorageError is a server fault whose message names the SQLite
// error and the file.
//
// Example:
//   std::unique_ptr<auth::service::UserStore> users;
//   auth::service::StoreStatus opened =
//       auth::service::UserStore::Open("auth.db", &users);
//   auth::service::User user;
//   if (users->FindByUsername("alice", &user).ok()) ...
//
// Thread-safety: every method is safe from any thread. One connection is
// shared behind a mutex, so statements run one at a time; each is a short
// primary-key or unique-index look-up.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace auth::service {

// StoreStatus is the outcome of a UserStore call.
class [[nodiscard]] StoreStatus {
 public:
  enum class Code { kOk, kNotFound, kAlreadyExists, kInvalidArgument, kStorageError };

  StoreStatus() = default;  // kOk
  StoreStatus(Code code, std::string message)
      : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// User is one account as stored.
struct User {
  std::string id;        // "u_" and 16 hex digits, random; safe to log
  std::string username;  // lowercase, see ValidateUsername
  std::string password_hash;
  std::string tenant;
  std::vector<std::string> roles;
  std::int64_t created_at = 0;  // seconds since the Unix epoch
};

// NewUser is what Create stores; the store picks the id.
struct NewUser {
  std::string username;
  std::string password_hash;
  std::string tenant;
  std::vector<std::string> roles;
  std::int64_t created_at = 0;
};

// ValidateUsername returns an empty string when `username` is 3 to 64
// characters of a-z, 0-9, '.', '_' and '-', or else a message saying what
// is wrong. Usernames are compared exactly, so callers fold case first
// (FoldUsername).
std::string ValidateUsername(std::string_view username);

// FoldUsername returns `username` with ASCII letters lowercased, so "Alice"
// and "alice" are one account.
std::string FoldUsername(std::string_view username);

class UserStore {
 public:
  // Open opens or creates the SQLite database at `path` (":memory:" for a
  // private in-memory one) and creates the schema. On success it sets
  // *store; otherwise it returns kStorageError naming the path.
  static StoreStatus Open(const std::string& path,
                          std::unique_ptr<UserStore>* store);

  ~UserStore();
  UserStore(const UserStore&) = delete;
  UserStore& operator=(const UserStore&) = delete;

  // Create stores `user` with a new random id and copies the stored record
  // into *created. kAlreadyExists when the username is taken;
  // kInvalidArgument for an invalid username or role name (empty or with a
  // space).
  StoreStatus Create(const NewUser& user, User* created);

  // FindByUsername and FindById fill *user, or return kNotFound.
  StoreStatus FindByUsername(std::string_view username, User* user);
  StoreStatus FindById(std::string_view id, User* user);

  // UpdatePasswordHash replaces the user's hash (a rehash at login).
  // kNotFound when no user has that id.
  StoreStatus UpdatePasswordHash(std::string_view id, std::string_view hash);

  // SetRoles replaces the user's roles. kNotFound when no user has that id;
  // kInvalidArgument for a role name that is empty or contains a space.
  StoreStatus SetRoles(std::string_view id,
                       const std::vector<std::string>& roles);

  // path returns the database path given to Open.
  const std::string& path() const { return path_; }

 private:
  UserStore(sqlite3* db, std::string path);

  StoreStatus Find(const char* sql, std::string_view key, User* user);
  StoreStatus Update(const char* sql, std::string_view id,
                     std::string_view value);
  StoreStatus Failure(std::string_view what) const;

  std::mutex mu_;
  sqlite3* db_;  // guarded by mu_
  const std::string path_;
};

}  // namespace auth::service
