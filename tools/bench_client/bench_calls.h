// The call slots of the benchmark, one kind per method measured.
#ifndef DUMAS_TOOLS_BENCH_CLIENT_BENCH_CALLS_H_
#define DUMAS_TOOLS_BENCH_CLIENT_BENCH_CALLS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "dumas/v1/complaint_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/bench_client/closed_loop_load.h"

namespace dumas::bench {

// grpc.health.v1.Health/Check of `service` ("" is the server as a whole).
class HealthCheckSlot final : public UnaryCallSlot<grpc::health::v1::HealthCheckResponse> {
 public:
  HealthCheckSlot(grpc::health::v1::Health::Stub* stub, std::string_view service);

 private:
  std::unique_ptr<Reader> StartCall(grpc::ClientContext* context,
                                    grpc::CompletionQueue* cq) override;

  grpc::health::v1::Health::Stub* const stub_;
  grpc::health::v1::HealthCheckRequest request_;
};

// What a complainant keeps from a submission to track it.
struct TrackingPair {
  std::string reference_number;
  std::string tracking_code;
};

// Reads pairs written by WriteTrackingPairs; fails on an unreadable or empty
// file or a malformed line.
absl::StatusOr<std::vector<TrackingPair>> ReadTrackingPairs(const std::string& path);
// One pair a line, reference and code separated by a tab.
absl::Status WriteTrackingPairs(const std::string& path, const std::vector<TrackingPair>& pairs);

// dumas.v1.ComplaintService/TrackComplaint over a pool of requests, visited
// round-robin: slot i of n takes requests i, i+n, i+2n, ... (mod the pool).
class TrackComplaintSlot final : public UnaryCallSlot<dumas::v1::TrackComplaintResponse> {
 public:
  // `requests` must outlive the slot and not be empty.
  TrackComplaintSlot(dumas::v1::ComplaintService::Stub* stub,
                     const std::vector<dumas::v1::TrackComplaintRequest>* requests, int slot,
                     int slots);

 private:
  std::unique_ptr<Reader> StartCall(grpc::ClientContext* context,
                                    grpc::CompletionQueue* cq) override;

  dumas::v1::ComplaintService::Stub* const stub_;
  const std::vector<dumas::v1::TrackComplaintRequest>& requests_;
  const size_t stride_;
  size_t next_;
};

// dumas.v1.ComplaintService/SubmitComplaint of a realistic complaint, with a
// fresh request_id (UUID v4 form) and a different NIK each call.
class SubmitComplaintSlot final : public UnaryCallSlot<dumas::v1::SubmitComplaintResponse> {
 public:
  // `token` is the GATEWAY bearer token. `seed` varies the request ids and
  // NIKs between runs. When `pairs` is set, the slot appends the pair of each
  // OK submission to it (it must outlive the slot; one vector per slot).
  SubmitComplaintSlot(dumas::v1::ComplaintService::Stub* stub, std::string_view token,
                      uint64_t seed, int slot, int slots, std::vector<TrackingPair>* pairs);

  void OnOk() override;

 private:
  std::unique_ptr<Reader> StartCall(grpc::ClientContext* context,
                                    grpc::CompletionQueue* cq) override;

  dumas::v1::ComplaintService::Stub* const stub_;
  const std::string authorization_;
  std::vector<TrackingPair>* const pairs_;
  dumas::v1::SubmitComplaintRequest request_;
  uint64_t rng_state_;
  uint64_t sequence_;
  const uint64_t stride_;
};

// dumas.v1.ComplaintService/VerifyComplaint (RECEIVED -> VERIFIED) of
// complaints never verified before: every call takes the next request of a
// shared pool, each request once; the slot ends when the pool is used up.
class VerifyComplaintSlot final : public UnaryCallSlot<dumas::v1::VerifyComplaintResponse> {
 public:
  // `requests` and `next` (the shared index into them) must outlive the slot.
  // `token` is a SUPERVISOR bearer token.
  VerifyComplaintSlot(dumas::v1::ComplaintService::Stub* stub, std::string_view token,
                      const std::vector<dumas::v1::VerifyComplaintRequest>* requests,
                      std::atomic<size_t>* next);

  bool TakeNext() override;

 private:
  std::unique_ptr<Reader> StartCall(grpc::ClientContext* context,
                                    grpc::CompletionQueue* cq) override;

  dumas::v1::ComplaintService::Stub* const stub_;
  const std::string authorization_;
  const std::vector<dumas::v1::VerifyComplaintRequest>& requests_;
  std::atomic<size_t>& next_;
  size_t current_ = 0;
};

// dumas.v1.ComplaintService/ListComplaints of one fixed request (a page
// size, no filters, and a page token or none), as a staff principal.
class ListComplaintsSlot final : public UnaryCallSlot<dumas::v1::ListComplaintsResponse> {
 public:
  // `request` must outlive the slot. `token` is a SUPERVISOR bearer token.
  ListComplaintsSlot(dumas::v1::ComplaintService::Stub* stub, std::string_view token,
                     const dumas::v1::ListComplaintsRequest* request);

 private:
  std::unique_ptr<Reader> StartCall(grpc::ClientContext* context,
                                    grpc::CompletionQueue* cq) override;

  dumas::v1::ComplaintService::Stub* const stub_;
  const std::string authorization_;
  const dumas::v1::ListComplaintsRequest& request_;
};

}  // namespace dumas::bench

#endif  // DUMAS_TOOLS_BENCH_CLIENT_BENCH_CALLS_H_
