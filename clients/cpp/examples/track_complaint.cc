// track_complaint: asks Dumas how far a complaint has progressed, as a
// complainant's app would, with the generated C++ client (dumas::client).
//
//   dumas_track_example [--target=127.0.0.1:50051] REFERENCE_NUMBER TRACKING_CODE
//
// TrackComplaint needs no token: the reference number and the tracking code
// together are the credential. Prints the state, the SP3D due date and the
// public timeline; exits 1 with the gRPC status on failure, 2 on bad usage.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "dumas/v1/complaint_service.grpc.pb.h"

namespace {

constexpr std::string_view kTargetFlag = "--target=";

int Usage() {
  std::cerr << "usage: dumas_track_example [--target=HOST:PORT] REFERENCE_NUMBER "
               "TRACKING_CODE\n";
  return 2;
}

// RFC 3339 UTC of a protobuf Timestamp, to the second.
std::string FormatTime(const google::protobuf::Timestamp& t) {
  std::time_t seconds = static_cast<std::time_t>(t.seconds());
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string target = "127.0.0.1:50051";
  std::string reference;
  std::string code;
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with(kTargetFlag)) {
      target = arg.substr(kTargetFlag.size());
    } else if (arg.starts_with("-")) {
      return Usage();
    } else if (positional == 0) {
      reference = arg;
      ++positional;
    } else if (positional == 1) {
      code = arg;
      ++positional;
    } else {
      return Usage();
    }
  }
  if (positional != 2) return Usage();

  // Plaintext on loopback, as tools/run serves; a deployment puts TLS in front.
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  std::unique_ptr<dumas::v1::ComplaintService::Stub> stub =
      dumas::v1::ComplaintService::NewStub(channel);

  dumas::v1::TrackComplaintRequest request;
  request.set_reference_number(reference);
  request.set_tracking_code(code);
  dumas::v1::TrackComplaintResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));

  grpc::Status status = stub->TrackComplaint(&context, request, &response);
  if (!status.ok()) {
    std::cerr << "TrackComplaint failed: " << status.error_code() << " "
              << status.error_message() << "\n";
    return 1;
  }

  const dumas::v1::TrackedComplaint& complaint = response.complaint();
  std::cout << "reference: " << complaint.reference_number() << "\n"
            << "state: " << dumas::v1::ComplaintState_Name(complaint.state()) << "\n"
            << "category: " << complaint.category() << "\n";
  if (complaint.has_sp3d_due_date()) {
    const google::type::Date& due = complaint.sp3d_due_date();
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", due.year(), due.month(),
                  due.day());
    std::cout << "sp3d due: " << date << (complaint.sp3d_sent() ? " (sent)" : "")
              << "\n";
  }
  for (const dumas::v1::PublicEvent& event : complaint.timeline()) {
    std::cout << "  " << FormatTime(event.event_time()) << " "
              << dumas::v1::ComplaintState_Name(event.state()) << ": "
              << event.message() << "\n";
  }
  if (complaint.has_answer()) {
    std::cout << "answer (" << FormatTime(complaint.answer().answer_time())
              << "): " << complaint.answer().text() << "\n";
  }
  return 0;
}
