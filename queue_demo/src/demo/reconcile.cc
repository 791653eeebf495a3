#include "reconcile.h"

#include <sqlite3.h>

namespace queue_demo::demo {
namespace {

// Database is a read connection that closes itself.
class Database {
 public:
  explicit Database(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      error_ = "opening " + path + " failed: " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
    } else {
      sqlite3_busy_timeout(db_, 5000);
    }
  }
  ~Database() { sqlite3_close(db_); }
  sqlite3* get() const { return error_.empty() ? db_ : nullptr; }
  const std::string& error() const { return error_; }

 private:
  sqlite3* db_ = nullptr;
  std::string error_;
};

}  // namespace

EffectCount CountEffects(const std::string& path, const std::set<std::string>& expected) {
  EffectCount count;
  Database db(path);
  if (db.get() == nullptr) {
    count.error = db.error();
    return count;
  }
  sqlite3_stmt* select = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT key, COUNT(*) FROM effects GROUP BY key", -1,
                         &select, nullptr) != SQLITE_OK) {
    count.error = "reading the effects of " + path + " failed: " + sqlite3_errmsg(db.get());
    return count;
  }

  std::set<std::string> seen;
  while (sqlite3_step(select) == SQLITE_ROW) {
    const std::string key = reinterpret_cast<const char*>(sqlite3_column_text(select, 0));
    const std::int64_t rows = sqlite3_column_int64(select, 1);
    seen.insert(key);
    count.rows += rows;
    ++count.distinct;
    if (rows > 1) {
      count.duplicated += rows - 1;
      if (count.first_duplicated.empty()) count.first_duplicated = key;
    }
    if (expected.count(key) == 0) {
      ++count.unexpected;
      if (count.first_unexpected.empty()) count.first_unexpected = key;
    }
  }
  sqlite3_finalize(select);

  for (const std::string& key : expected) {
    if (seen.count(key) > 0) continue;
    ++count.lost;
    if (count.first_lost.empty()) count.first_lost = key;
  }
  return count;
}

std::int64_t DistinctEffectKeys(const std::string& path) {
  Database db(path);
  if (db.get() == nullptr) return -1;
  sqlite3_stmt* select = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT COUNT(DISTINCT key) FROM effects", -1, &select,
                         nullptr) != SQLITE_OK) {
    return -1;
  }
  std::int64_t distinct = -1;
  if (sqlite3_step(select) == SQLITE_ROW) distinct = sqlite3_column_int64(select, 0);
  sqlite3_finalize(select);
  return distinct;
}

}  // namespace queue_demo::demo
