#include "auth/service/user_store.h"

#include <sqlite3.h>

#include <memory>
#include <utility>

#include "random_id.h"

namespace auth::service {
namespace {

constexpr char kSchema[] =
    "CREATE TABLE IF NOT EXISTS users ("
    "  id TEXT PRIMARY KEY,"
    "  username TEXT NOT NULL UNIQUE,"
    "  password_hash TEXT NOT NULL,"
    "  tenant TEXT NOT NULL,"
    "  roles TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ")";

constexpr char kSelectColumns[] =
    "SELECT id, username, password_hash, tenant, roles, created_at "
    "FROM users ";

// Statement owns one prepared statement and finalizes it.
struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

void BindText(sqlite3_stmt* statement, int index, std::string_view text) {
  sqlite3_bind_text(statement, index, text.data(),
                    static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string ColumnText(sqlite3_stmt* statement, int column) {
  const unsigned char* text = sqlite3_column_text(statement, column);
  const int bytes = sqlite3_column_bytes(statement, column);
  return text == nullptr
             ? std::string()
             : std::string(reinterpret_cast<const char*>(text),
                           static_cast<std::size_t>(bytes));
}

std::string JoinRoles(const std::vector<std::string>& roles) {
  std::string joined;
  for (const std::string& role : roles) {
    if (!joined.empty()) joined += ' ';
    joined += role;
  }
  return joined;
}

std::vector<std::string> SplitRoles(std::string_view joined) {
  std::vector<std::string> roles;
  while (!joined.empty()) {
    const std::size_t space = joined.find(' ');
    if (space != 0) roles.emplace_back(joined.substr(0, space));
    if (space == std::string_view::npos) break;
    joined.remove_prefix(space + 1);
  }
  return roles;
}

// CheckRoles returns kInvalidArgument for a role name that is empty or
// contains a space, because roles are stored space-separated.
StoreStatus CheckRoles(const std::vector<std::string>& roles) {
  for (const std::string& role : roles) {
    if (role.empty() || role.find(' ') != std::string::npos) {
      return StoreStatus(StoreStatus::Code::kInvalidArgument,
                         "invalid role name '" + role +
                             "': it must be non-empty and have no spaces");
    }
  }
  return {};
}

void ReadUser(sqlite3_stmt* statement, User* user) {
  user->id = ColumnText(statement, 0);
  user->username = ColumnText(statement, 1);
  user->password_hash = ColumnText(statement, 2);
  user->tenant = ColumnText(statement, 3);
  user->roles = SplitRoles(ColumnText(statement, 4));
  user->created_at = sqlite3_column_int64(statement, 5);
}

}  // namespace

std::string ValidateUsername(std::string_view username) {
  if (username.size() < 3 || username.size() > 64) {
    return "username must be 3 to 64 characters long, not " +
           std::to_string(username.size());
  }
  for (char c : username) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                         c == '.' || c == '_' || c == '-';
    if (!allowed) {
      return "username may contain only a-z, 0-9, '.', '_' and '-'";
    }
  }
  return "";
}

std::string FoldUsername(std::string_view username) {
  std::string folded(username);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

StoreStatus UserStore::Open(const std::string& path,
                            std::unique_ptr<UserStore>* store) {
  // Open the database; the store's own mutex serializes access.
  sqlite3* db = nullptr;
  const int opened = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (opened != SQLITE_OK) {
    std::string message = "cannot open user database '" + path +
                          "': " + sqlite3_errstr(opened);
    sqlite3_close_v2(db);
    return StoreStatus(StoreStatus::Code::kStorageError, std::move(message));
  }
  std::unique_ptr<UserStore> opened_store(new UserStore(db, path));

  // Wait for other writers instead of failing, journal with a write-ahead
  // log, and create the table.
  sqlite3_busy_timeout(db, 5000);
  for (const char* sql : {"PRAGMA journal_mode=WAL", kSchema}) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = "cannot create the schema of user database '" +
                            path + "': " + (error ? error : "unknown error");
      sqlite3_free(error);
      return StoreStatus(StoreStatus::Code::kStorageError, std::move(message));
    }
  }
  *store = std::move(opened_store);
  return {};
}

UserStore::UserStore(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)) {}

UserStore::~UserStore() { sqlite3_close_v2(db_); }

StoreStatus UserStore::Failure(std::string_view what) const {
  return StoreStatus(StoreStatus::Code::kStorageError,
                     std::string(what) + " failed in user database '" + path_ +
                         "': " + sqlite3_errmsg(db_));
}

StoreStatus UserStore::Create(const NewUser& user, User* created) {
  if (std::string problem = ValidateUsername(user.username); !problem.empty()) {
    return StoreStatus(StoreStatus::Code::kInvalidArgument, problem);
  }
  if (StoreStatus roles = CheckRoles(user.roles); !roles.ok()) return roles;

  User record{RandomId("u_"), user.username, user.password_hash,
              user.tenant,     user.roles,    user.created_at};
  std::lock_guard lock(mu_);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO users (id, username, password_hash, "
                         "tenant, roles, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return Failure("preparing INSERT");
  }
  Statement statement(raw);
  BindText(raw, 1, record.id);
  BindText(raw, 2, record.username);
  BindText(raw, 3, record.password_hash);
  BindText(raw, 4, record.tenant);
  BindText(raw, 5, JoinRoles(record.roles));
  sqlite3_bind_int64(raw, 6, record.created_at);

  const int stepped = sqlite3_step(raw);
  if (stepped == SQLITE_CONSTRAINT &&
      sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_UNIQUE) {
    return StoreStatus(StoreStatus::Code::kAlreadyExists,
                       "username '" + user.username + "' is taken");
  }
  if (stepped != SQLITE_DONE) return Failure("INSERT");
  *created = std::move(record);
  return {};
}

StoreStatus UserStore::Find(const char* sql, std::string_view key, User* user) {
  std::lock_guard lock(mu_);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return Failure("preparing SELECT");
  }
  Statement statement(raw);
  BindText(raw, 1, key);

  const int stepped = sqlite3_step(raw);
  if (stepped == SQLITE_DONE) {
    return StoreStatus(StoreStatus::Code::kNotFound, "no such user");
  }
  if (stepped != SQLITE_ROW) return Failure("SELECT");
  ReadUser(raw, user);
  return {};
}

StoreStatus UserStore::FindByUsername(std::string_view username, User* user) {
  static const std::string sql =
      std::string(kSelectColumns) + "WHERE username = ?";
  return Find(sql.c_str(), username, user);
}

StoreStatus UserStore::FindById(std::string_view id, User* user) {
  static const std::string sql = std::string(kSelectColumns) + "WHERE id = ?";
  return Find(sql.c_str(), id, user);
}

StoreStatus UserStore::Update(const char* sql, std::string_view id,
                              std::string_view value) {
  std::lock_guard lock(mu_);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return Failure("preparing UPDATE");
  }
  Statement statement(raw);
  BindText(raw, 1, value);
  BindText(raw, 2, id);

  if (sqlite3_step(raw) != SQLITE_DONE) return Failure("UPDATE");
  if (sqlite3_changes(db_) == 0) {
    return StoreStatus(StoreStatus::Code::kNotFound,
                       "no user with id '" + std::string(id) + "'");
  }
  return {};
}

StoreStatus UserStore::UpdatePasswordHash(std::string_view id,
                                          std::string_view hash) {
  return Update("UPDATE users SET password_hash = ? WHERE id = ?", id, hash);
}

StoreStatus UserStore::SetRoles(std::string_view id,
                                const std::vector<std::string>& roles) {
  if (StoreStatus valid = CheckRoles(roles); !valid.ok()) return valid;
  return Update("UPDATE users SET roles = ? WHERE id = ?", id,
                JoinRoles(roles));
}

}  // namespace auth::service
