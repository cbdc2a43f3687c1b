// CallAdmission: a bound on the calls that do work at once, so that under
// more load than the machine can take dumasd refuses the excess at once
// (RESOURCE_EXHAUSTED, which a client retries with backoff) instead of
// queueing every call for a database connection until its deadline passes.
//
// The bound counts calls, not threads: each admitted call holds at most one
// pooled connection at a time, so a bound of about twice the pool keeps at
// most one call waiting per busy connection, and that wait is short. Calls
// served from memory (categories, units) and long-lived streams are not
// counted (CallLog decides); health checks are gRPC's own and never reach it.
//
// Thread safety: thread-safe; lock-free.
#ifndef DUMAS_SERVER_CALL_ADMISSION_H_
#define DUMAS_SERVER_CALL_ADMISSION_H_

#include <atomic>

namespace dumas {

class CallAdmission {
 public:
  // At most `limit` calls admitted at once; 0 or less admits every call.
  explicit CallAdmission(int limit) : limit_(limit) {}
  CallAdmission(const CallAdmission&) = delete;
  CallAdmission& operator=(const CallAdmission&) = delete;

  // Admits one call when fewer than the limit are in flight: true, and the
  // caller must call Leave() once when the call ends. False when full.
  bool TryEnter() {
    const int before = in_flight_.fetch_add(1, std::memory_order_acq_rel);
    if (limit_ > 0 && before >= limit_) {
      in_flight_.fetch_sub(1, std::memory_order_acq_rel);
      return false;
    }
    return true;
  }
  void Leave() { in_flight_.fetch_sub(1, std::memory_order_acq_rel); }

  // Calls admitted and not yet ended (momentarily more while refusing).
  int in_flight() const { return in_flight_.load(std::memory_order_acquire); }
  int limit() const { return limit_; }

 private:
  const int limit_;
  std::atomic<int> in_flight_{0};
};

}  // namespace dumas

#endif  // DUMAS_SERVER_CALL_ADMISSION_H_
