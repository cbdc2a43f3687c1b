#include "tools/bench_client/closed_loop_load.h"

#include <sys/resource.h>

#include <atomic>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/alarm.h"

namespace dumas::bench {
namespace {

enum Phase : int { kWarmup, kMeasure, kStop };

absl::Duration ProcessCpuTime() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return absl::DurationFromTimeval(usage.ru_utime) + absl::DurationFromTimeval(usage.ru_stime);
}

int64_t Sum(const CodeCounts& counts) {
  int64_t sum = 0;
  for (int64_t n : counts) sum += n;
  return sum;
}

// One call slot and the statistics of its calls. Only the thread polling the
// slot's queue touches it while the load runs.
struct Slot {
  std::unique_ptr<CallSlot> calls;
  grpc::CompletionQueue* cq = nullptr;
  grpc::Status status;
  std::chrono::steady_clock::time_point start;
  LatencyHistogram latency;
  int64_t measured_ok = 0;
  int64_t total_ok = 0;
  CodeCounts measured_errors{};
  CodeCounts total_errors{};
  // Backing off after a refused call: the next completion is the alarm's.
  bool backing_off = false;
  grpc::Alarm alarm;
  uint32_t jitter_state = 0;
};

class Runner {
 public:
  explicit Runner(const LoadOptions& options) : options_(options) {}

  LoadResult Run(const std::function<std::unique_ptr<CallSlot>(int)>& make_slot);

 private:
  // Starts the slot's next call; false when the slot is done.
  bool Issue(Slot& slot);
  void Poll(grpc::CompletionQueue* cq);
  void Complete(Slot& slot);
  void SlotFinished();

  const LoadOptions options_;
  std::atomic<int> phase_{kWarmup};
  std::atomic<int64_t> issued_{0};
  absl::Mutex mu_;
  int active_slots_ ABSL_GUARDED_BY(mu_) = 0;
};

bool Runner::Issue(Slot& slot) {
  if (phase_.load(std::memory_order_acquire) == kStop) return false;
  if (options_.max_calls > 0 &&
      issued_.fetch_add(1, std::memory_order_relaxed) >= options_.max_calls) {
    return false;
  }
  if (!slot.calls->TakeNext()) return false;
  slot.start = std::chrono::steady_clock::now();
  slot.calls->Start(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(options_.call_timeout),
                    slot.cq, &slot.status, &slot);
  return true;
}

void Runner::Complete(Slot& slot) {
  const auto end = std::chrono::steady_clock::now();
  const bool measured = phase_.load(std::memory_order_acquire) == kMeasure;
  const int code = static_cast<int>(slot.status.error_code());
  if (code == 0) {
    ++slot.total_ok;
    if (measured) {
      ++slot.measured_ok;
      slot.latency.Record(absl::FromChrono(end - slot.start));
    }
    slot.calls->OnOk();
  } else {
    const int index = code > 0 && code < 17 ? code : 2;  // UNKNOWN for the unexpected
    ++slot.total_errors[index];
    if (measured) ++slot.measured_errors[index];
  }
}

void Runner::SlotFinished() {
  absl::MutexLock lock(&mu_);
  --active_slots_;
}

void Runner::Poll(grpc::CompletionQueue* cq) {
  void* tag = nullptr;
  bool ok = false;
  while (cq->Next(&tag, &ok)) {
    // A client unary Finish always completes with ok == true; the status
    // carries the outcome.
    Slot& slot = *static_cast<Slot*>(tag);
    if (slot.backing_off) {
      slot.backing_off = false;
    } else {
      Complete(slot);
      const grpc::StatusCode code = slot.status.error_code();
      if (options_.refused_backoff > absl::ZeroDuration() &&
          (code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
           code == grpc::StatusCode::UNAVAILABLE) &&
          phase_.load(std::memory_order_acquire) != kStop) {
        // xorshift: a cheap jitter, different per slot.
        slot.jitter_state ^= slot.jitter_state << 13;
        slot.jitter_state ^= slot.jitter_state >> 17;
        slot.jitter_state ^= slot.jitter_state << 5;
        const double factor = 0.5 + (slot.jitter_state % 1000) / 1000.0;
        slot.backing_off = true;
        slot.alarm.Set(cq,
                       std::chrono::system_clock::now() +
                           absl::ToChronoMicroseconds(options_.refused_backoff * factor),
                       &slot);
        continue;
      }
    }
    if (!Issue(slot)) SlotFinished();
  }
}

LoadResult Runner::Run(const std::function<std::unique_ptr<CallSlot>(int)>& make_slot) {
  const int queues = std::max(1, options_.poll_threads);
  std::vector<std::unique_ptr<grpc::CompletionQueue>> cqs;
  for (int i = 0; i < queues; ++i) cqs.push_back(std::make_unique<grpc::CompletionQueue>());
  std::vector<Slot> slots(static_cast<size_t>(std::max(1, options_.concurrency)));
  for (size_t i = 0; i < slots.size(); ++i) {
    slots[i].calls = make_slot(static_cast<int>(i));
    slots[i].cq = cqs[i % cqs.size()].get();
    slots[i].jitter_state = 2463534242u + static_cast<uint32_t>(i) * 2654435761u;
  }
  std::vector<std::thread> pollers;
  for (auto& cq : cqs) pollers.emplace_back([this, q = cq.get()] { Poll(q); });

  const bool warm = options_.warmup > absl::ZeroDuration();
  if (!warm) phase_.store(kMeasure, std::memory_order_release);
  absl::Time measure_start = absl::Now();
  absl::Duration cpu_start = ProcessCpuTime();
  {
    absl::MutexLock lock(&mu_);
    for (Slot& slot : slots) {
      // Counted before the call starts, so a fast completion cannot see 0.
      ++active_slots_;
      if (!Issue(slot)) --active_slots_;
    }
  }
  auto all_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return active_slots_ == 0; };
  if (warm) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&all_done), options_.warmup);
    phase_.store(kMeasure, std::memory_order_release);
    measure_start = absl::Now();
    cpu_start = ProcessCpuTime();
  }
  absl::Time measure_end;
  absl::Duration cpu_end;
  {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&all_done), options_.measure);
    phase_.store(kStop, std::memory_order_release);
    measure_end = absl::Now();
    cpu_end = ProcessCpuTime();
    // The calls still in flight complete (each within its deadline).
    mu_.Await(absl::Condition(&all_done));
  }
  for (auto& cq : cqs) cq->Shutdown();
  for (std::thread& poller : pollers) poller.join();

  LoadResult result;
  result.measured_time = measure_end - measure_start;
  result.measured_cpu = cpu_end - cpu_start;
  for (const Slot& slot : slots) {
    result.measured_ok += slot.measured_ok;
    result.total_ok += slot.total_ok;
    result.measured_latency.Merge(slot.latency);
    for (size_t c = 0; c < slot.total_errors.size(); ++c) {
      result.measured_errors[c] += slot.measured_errors[c];
      result.total_errors[c] += slot.total_errors[c];
    }
  }
  return result;
}

}  // namespace

int64_t LoadResult::MeasuredErrorCount() const { return Sum(measured_errors); }
int64_t LoadResult::TotalErrorCount() const { return Sum(total_errors); }

LoadResult RunClosedLoopLoad(const LoadOptions& options,
                             const std::function<std::unique_ptr<CallSlot>(int)>& make_slot) {
  Runner runner(options);
  return runner.Run(make_slot);
}

}  // namespace dumas::bench
