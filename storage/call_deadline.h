// The deadline of the call that the current thread serves, so that the
// connection pool bounds its waits and its SQL by it without every store
// method taking a deadline parameter.
//
// The gRPC edge opens a ScopedCallDeadline for the length of each handler
// (the sync server runs one call per thread, start to finish); the pool reads
// CurrentCallDeadline() when a connection is acquired: a call whose deadline
// has passed runs no SQL (DEADLINE_EXCEEDED), waiting for a free connection
// ends at the deadline, and the session's max_statement_time is set to the
// time left, so that a statement blocked on a row lock is interrupted by the
// server (DEADLINE_EXCEEDED) instead of running on after its caller gave up.
// Work outside any call (the sequencer, the health loop) has no deadline and
// keeps only the pool's own timeouts.
//
// Thread safety: the deadline is per thread; a scope must end on the thread
// that opened it. Scopes nest: the inner one is in force until it ends.
#ifndef DUMAS_STORAGE_CALL_DEADLINE_H_
#define DUMAS_STORAGE_CALL_DEADLINE_H_

#include "absl/time/time.h"

namespace dumas {

// The deadline of the current thread's call; absl::InfiniteFuture() outside
// any scope.
absl::Time CurrentCallDeadline();

// Sets the current thread's call deadline for its lifetime. Not copyable.
class ScopedCallDeadline {
 public:
  explicit ScopedCallDeadline(absl::Time deadline);
  ~ScopedCallDeadline();
  ScopedCallDeadline(const ScopedCallDeadline&) = delete;
  ScopedCallDeadline& operator=(const ScopedCallDeadline&) = delete;

 private:
  const absl::Time previous_;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_CALL_DEADLINE_H_
