// Exercise: the idempotent sink's write, SqliteSink::Apply.
//
// Implement Apply below. Its contract and the two tables are described in
// queue_demo/include/queue_demo/sink.h. The database is already open in
// `db_` (WAL journal, tables created), and NextOffset is given in
// queue_demo/src/sink_database.cc. `mutex_` serializes the sink's
// transactions.
//
//   Check your work:  ./labkit check queue_demo idempotent_sink
//   Get a hint:       ./labkit hint queue_demo idempotent_sink
//
// Rules the tests enforce:
//   - The first delivery of a record inserts (topic, partition, offset)
//     into `processed` and one row into `effects`, in ONE transaction, and
//     returns kApplied.
//   - A record already in `processed` changes nothing and returns
//     kDuplicate; orders[1]@5 is a different record than orders[0]@5.
//   - When anything fails, nothing is recorded (the transaction is rolled
//     back), the sink keeps working, and Apply returns an Error with
//     ErrorCode::kSink that names the record, such as "orders[0]@7".
// The last test runs your Apply inside the real consumer against the
// embedded broker, with every record delivered twice.

#include "queue_demo/sink.h"

#include <sqlite3.h>

#include <stdexcept>

namespace queue_demo {

// TODO: Under `mutex_`, begin a write transaction (BEGIN IMMEDIATE), insert
// the record into `processed`, and if it was already there roll back and
// return kDuplicate. Otherwise insert the effect into `effects` and commit.
// On any failure roll back and return Error{ErrorCode::kSink, ...} with
// sqlite3_errmsg(db_) in the message.
Result<ApplyOutcome> SqliteSink::Apply([[maybe_unused]] const Message& message,
                                       [[maybe_unused]] const Effect& effect) {
  throw std::logic_error(
      "not implemented yet: SqliteSink::Apply (see labs/queue_demo/hints/idempotent_sink.md)");
}

}  // namespace queue_demo
