// RedisServer: a private redis-server for one test, on a free loopback port.
//
// Start launches `redis-server` with no persistence, bound to 127.0.0.1, in
// a fresh temporary directory, and waits until it replies to PING. The
// destructor stops it and deletes the directory, also when an ASSERT ends
// the test early. If the test process dies, the kernel stops the server too
// (PR_SET_PDEATHSIG, sent when the thread that called Start exits).
//
// Stop and Start can be called again mid-test to simulate an outage; the
// server comes back on the same port, empty.
//
// Thread-safety: none. Use one RedisServer from the test's main thread.
//
// Example:
//   labkit::testing::RedisServer redis;
//   ASSERT_TRUE(redis.Start()) << redis.error();
//   RedisReply reply = redis.Command({"PING"});
#pragma once

#include <sys/types.h>

#include <chrono>
#include <initializer_list>
#include <string>
#include <vector>

struct redisContext;

namespace labkit::testing {

// RedisReply is a Redis reply in plain values.
struct RedisReply {
  // ok is false for an error reply or a failed command, and `error` is
  // the reason.
  bool ok = false;
  std::string error;
  // nil is true for a nil reply (GET of a missing key).
  bool nil = false;
  long long integer = 0;
  // text is a string or status reply.
  std::string text;
  // elements are an array reply's elements, each converted to text.
  std::vector<std::string> elements;
};

class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Start launches the server and waits up to `timeout` for PING. Returns
  // false with error() set when redis-server is missing, exits, or does not
  // reply. The first Start picks the port; later ones reuse it.
  bool Start(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Stop shuts the server down (SIGTERM, then SIGKILL after 5 s) and waits
  // for it to exit. Does nothing when it is not running.
  void Stop();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  // url returns "redis://127.0.0.1:PORT".
  std::string url() const;
  const std::string& error() const { return error_; }

  // Command runs one command on the server over a connection that this
  // object keeps, reconnecting when needed. Every reply is returned; a
  // failure to connect or send gives ok == false.
  RedisReply Command(std::initializer_list<std::string> args);
  RedisReply Command(const std::vector<std::string>& args);

 private:
  bool Spawn(const std::string& executable);
  bool WaitForPing(std::chrono::milliseconds timeout);
  void CloseClient();
  std::string LogTail() const;

  std::string directory_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
  redisContext* client_ = nullptr;
};

}  // namespace labkit::testing
