// Closed-loop load on one unary gRPC method: `concurrency` call slots, each
// issuing its next call as soon as the previous one completes, for a warm-up
// and then a measured window.
//
// Design: the asynchronous CompletionQueue API with a few polling threads of
// our own (grpc's qps benchmark client does the same). Every completion is
// delivered through CompletionQueue::Next, never inline, so a burst of fast
// failures cannot recurse; the per-call client work is identical for every
// method (one context, one Finish tag, one histogram record), only the
// request and response messages differ.
#ifndef DUMAS_TOOLS_BENCH_CLIENT_CLOSED_LOOP_LOAD_H_
#define DUMAS_TOOLS_BENCH_CLIENT_CLOSED_LOOP_LOAD_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/support/async_unary_call.h"
#include "grpcpp/support/status.h"
#include "tools/bench_client/latency_histogram.h"

namespace dumas::bench {

// The calls of one slot: one in flight at a time, never concurrently.
class CallSlot {
 public:
  virtual ~CallSlot() = default;

  // Starts one call with `deadline`; when it completes, `cq` yields `tag`
  // with the call's status in `*status`.
  virtual void Start(std::chrono::system_clock::time_point deadline, grpc::CompletionQueue* cq,
                     grpc::Status* status, void* tag) = 0;

  // Runs after a call that completed OK, before the next one starts.
  virtual void OnOk() {}

  // Claims the work of the next call, before Start; false when none is left,
  // which ends the slot (and, once every slot has ended, the measurement).
  virtual bool TakeNext() { return true; }
};

// What every unary slot shares: the context, the response reader and the
// response of the call in flight, recycled in the right order.
template <typename Response>
class UnaryCallSlot : public CallSlot {
 public:
  using Reader = grpc::ClientAsyncResponseReader<Response>;

  void Start(std::chrono::system_clock::time_point deadline, grpc::CompletionQueue* cq,
             grpc::Status* status, void* tag) final {
    // The reader lives in the arena of the previous call, which its context
    // owns: release it first.
    reader_.reset();
    context_ = std::make_unique<grpc::ClientContext>();
    context_->set_deadline(deadline);
    reader_ = StartCall(context_.get(), cq);
    reader_->Finish(&response_, status, tag);
  }

 protected:
  // Adds any metadata to `context` and starts the call, as
  // stub->AsyncMethod(context, request, cq) does.
  virtual std::unique_ptr<Reader> StartCall(grpc::ClientContext* context,
                                            grpc::CompletionQueue* cq) = 0;

  // The response of the last completed call.
  const Response& response() const { return response_; }

 private:
  // Declared in this order so that reader_ is destroyed before context_.
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<Reader> reader_;
  Response response_;
};

struct LoadOptions {
  int concurrency = 1;
  // Completions during the warm-up are counted in the totals only.
  absl::Duration warmup = absl::Seconds(2);
  // The measured window; it ends early when no call is left to issue.
  absl::Duration measure = absl::Seconds(8);
  // Each call's deadline.
  absl::Duration call_timeout = absl::Seconds(30);
  // When > 0, at most this many calls are issued in all (for seeding).
  int64_t max_calls = 0;
  // Threads polling completion queues (one queue each). One is cheapest: with
  // more, gRPC's pollers hand completions to each other across threads.
  int poll_threads = 1;
  // When > 0, a slot whose call was refused (RESOURCE_EXHAUSTED or
  // UNAVAILABLE) waits about this long (jittered 0.5-1.5x) before its next
  // call, as a well-behaved client backs off; 0 retries at once.
  absl::Duration refused_backoff = absl::ZeroDuration();
};

// Status codes 0..16 of grpc::StatusCode.
using CodeCounts = std::array<int64_t, 17>;

struct LoadResult {
  // The measured window: calls that completed within it.
  absl::Duration measured_time;
  int64_t measured_ok = 0;
  CodeCounts measured_errors{};  // by code; [0] unused
  LatencyHistogram measured_latency;  // OK calls only
  // Every phase, warm-up and drain included.
  int64_t total_ok = 0;
  CodeCounts total_errors{};
  // CPU time of this process (user + system) over the measured window.
  absl::Duration measured_cpu;

  int64_t MeasuredErrorCount() const;
  int64_t TotalErrorCount() const;
};

// Runs the load, with slots made by `make_slot(i)` for i in
// [0, options.concurrency), and returns once every call has completed.
LoadResult RunClosedLoopLoad(const LoadOptions& options,
                             const std::function<std::unique_ptr<CallSlot>(int)>& make_slot);

}  // namespace dumas::bench

#endif  // DUMAS_TOOLS_BENCH_CLIENT_CLOSED_LOOP_LOAD_H_
