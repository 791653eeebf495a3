// The internals of PasswordHasher that its login (auth/src/password.cc,
// which an exercise of the auth lab replaces) shares with the rest of the
// hasher (auth/src/password_hasher.cc): the worker pool, the plaintext wipe
// and the error messages.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "auth/errors.h"
#include "auth/password.h"

namespace auth::internal {

// kInvalidCredentialsMessage is the one message of a failed login, whether
// the user exists or not.
inline constexpr std::string_view kInvalidCredentialsMessage =
    "invalid username or password";

// CheckPasswordLength returns kPasswordTooLong, naming the length, for a
// password over kMaxPasswordBytes.
Status CheckPasswordLength(std::string_view password);

// Wipe overwrites a plaintext that is no longer needed, then clears it.
// Copies made before it reached here (a moved-from short string's buffer,
// say) are not wiped, so this is best effort.
void Wipe(std::string& secret);

// MalformedHash returns kMalformedPasswordHash for a stored hash of
// `length` bytes. The message gives the length only, never the hash.
Error MalformedHash(std::size_t length);

}  // namespace auth::internal

namespace auth {

// PasswordHasher::Pool is the worker threads and their bounded queue of
// jobs.
struct PasswordHasher::Pool {
  PasswordHasherOptions options;
  // dummy_hash is what Login verifies against for an unknown user.
  std::string dummy_hash;

  std::mutex mu;
  std::condition_variable wake;
  std::deque<std::packaged_task<void()>> queue;  // guarded by mu
  bool stopping = false;                         // guarded by mu
  std::vector<std::thread> workers;

  // Submit queues `job` and returns the future of its result, or a ready
  // future with an error when the queue is full or the pool is stopping.
  template <typename T, typename Job>
  std::future<Result<T>> Submit(Job job) {
    std::packaged_task<Result<T>()> task(std::move(job));
    std::future<Result<T>> future = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping) return Ready<T>(Stopped());
      if (queue.size() >= options.queue_capacity) return Ready<T>(Overloaded());
      queue.emplace_back(
          [task = std::move(task)]() mutable { task(); });
    }
    wake.notify_one();
    return future;
  }

  template <typename T>
  static std::future<Result<T>> Ready(Error error) {
    std::promise<Result<T>> promise;
    promise.set_value(std::move(error));
    return promise.get_future();
  }

  // Overloaded returns kHasherOverloaded, naming the queue capacity.
  Error Overloaded() const;

  // Stopped returns kHasherStopped.
  static Error Stopped();

  // RunWorker takes jobs until the pool stops and the queue is empty.
  void RunWorker();
};

}  // namespace auth
