#include "storage/call_deadline.h"

namespace dumas {
namespace {

// absl::Time is trivially destructible, so a thread_local costs no
// registration of a destructor.
thread_local absl::Time current_deadline = absl::InfiniteFuture();

}  // namespace

absl::Time CurrentCallDeadline() { return current_deadline; }

ScopedCallDeadline::ScopedCallDeadline(absl::Time deadline) : previous_(current_deadline) {
  current_deadline = deadline;
}

ScopedCallDeadline::~ScopedCallDeadline() { current_deadline = previous_; }

}  // namespace dumas
