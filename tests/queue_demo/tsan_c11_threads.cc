// C11 threads (threads.h) over POSIX threads, for ThreadSanitizer builds only.
//
// librdkafka 2.0.2 as Debian builds it starts its threads with glibc's
// thrd_create and locks with mtx_* and cnd_*. GCC 12's ThreadSanitizer
// intercepts the pthread functions but not these, so a librdkafka thread is
// unknown to it and crashes in its first allocation. Defining the C11
// functions here, in the test executable, makes librdkafka's calls resolve
// to these wrappers, which call the intercepted pthread functions. glibc
// lays mtx_t, cnd_t and once_flag out as pthread_mutex_t, pthread_cond_t and
// pthread_once_t, so the casts below are the ones glibc itself makes.
#include <errno.h>
#include <pthread.h>
#include <threads.h>

#include <cstdint>

namespace {

// StartRequest carries a C11 start function and its argument to Trampoline.
struct StartRequest {
  thrd_start_t start;
  void* argument;
};

// Trampoline runs a C11 start function as a pthread start function; the
// int result travels in the pointer, where thrd_join reads it back.
void* Trampoline(void* opaque) {
  StartRequest request = *static_cast<StartRequest*>(opaque);
  delete static_cast<StartRequest*>(opaque);
  return reinterpret_cast<void*>(static_cast<intptr_t>(request.start(request.argument)));
}

}  // namespace

extern "C" {

int thrd_create(thrd_t* thread, thrd_start_t start, void* argument) {
  auto* request = new StartRequest{start, argument};
  const int error = pthread_create(thread, nullptr, Trampoline, request);
  if (error == 0) return thrd_success;
  delete request;
  return error == EAGAIN ? thrd_nomem : thrd_error;
}

int thrd_join(thrd_t thread, int* result) {
  void* returned = nullptr;
  if (pthread_join(thread, &returned) != 0) return thrd_error;
  if (result != nullptr) *result = static_cast<int>(reinterpret_cast<intptr_t>(returned));
  return thrd_success;
}

int thrd_detach(thrd_t thread) {
  return pthread_detach(thread) == 0 ? thrd_success : thrd_error;
}

int mtx_init(mtx_t* mutex, int type) {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  if ((type & mtx_recursive) != 0) {
    pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
  }
  const int error =
      pthread_mutex_init(reinterpret_cast<pthread_mutex_t*>(mutex), &attributes);
  pthread_mutexattr_destroy(&attributes);
  return error == 0 ? thrd_success : thrd_error;
}

int mtx_lock(mtx_t* mutex) {
  return pthread_mutex_lock(reinterpret_cast<pthread_mutex_t*>(mutex)) == 0 ? thrd_success
                                                                           : thrd_error;
}

int mtx_trylock(mtx_t* mutex) {
  const int error = pthread_mutex_trylock(reinterpret_cast<pthread_mutex_t*>(mutex));
  if (error == 0) return thrd_success;
  return error == EBUSY ? thrd_busy : thrd_error;
}

int mtx_unlock(mtx_t* mutex) {
  return pthread_mutex_unlock(reinterpret_cast<pthread_mutex_t*>(mutex)) == 0 ? thrd_success
                                                                             : thrd_error;
}

void mtx_destroy(mtx_t* mutex) {
  pthread_mutex_destroy(reinterpret_cast<pthread_mutex_t*>(mutex));
}

int cnd_init(cnd_t* condition) {
  return pthread_cond_init(reinterpret_cast<pthread_cond_t*>(condition), nullptr) == 0
             ? thrd_success
             : thrd_error;
}

int cnd_signal(cnd_t* condition) {
  return pthread_cond_signal(reinterpret_cast<pthread_cond_t*>(condition)) == 0 ? thrd_success
                                                                               : thrd_error;
}

int cnd_broadcast(cnd_t* condition) {
  return pthread_cond_broadcast(reinterpret_cast<pthread_cond_t*>(condition)) == 0
             ? thrd_success
             : thrd_error;
}

int cnd_wait(cnd_t* condition, mtx_t* mutex) {
  return pthread_cond_wait(reinterpret_cast<pthread_cond_t*>(condition),
                           reinterpret_cast<pthread_mutex_t*>(mutex)) == 0
             ? thrd_success
             : thrd_error;
}

int cnd_timedwait(cnd_t* condition, mtx_t* mutex, const struct timespec* deadline) {
  const int error = pthread_cond_timedwait(reinterpret_cast<pthread_cond_t*>(condition),
                                           reinterpret_cast<pthread_mutex_t*>(mutex), deadline);
  if (error == 0) return thrd_success;
  return error == ETIMEDOUT ? thrd_timedout : thrd_error;
}

void cnd_destroy(cnd_t* condition) {
  pthread_cond_destroy(reinterpret_cast<pthread_cond_t*>(condition));
}

void call_once(once_flag* flag, void (*function)(void)) {
  pthread_once(reinterpret_cast<pthread_once_t*>(flag), function);
}

}  // extern "C"
