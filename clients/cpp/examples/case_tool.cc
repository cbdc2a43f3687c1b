// case_tool: moves a complaint through its lifecycle, as an internal case
// tool of Polres Palu would, on the C++ SDK: RECEIVED -> VERIFIED ->
// ASSIGNED (the routing rule picks the unit) -> UNDER_INVESTIGATION ->
// CONCLUDED -> ANSWERED -> CLOSED, each change naming the etag last read.
//
//   DUMAS_TOKEN_FILE=supervisor.token dumas_case_tool_example complaints/K7QM-4R9X-2HTZ
//
// Needs a SUPERVISOR token (DUMAS_TOKEN_FILE) and the address in
// DUMAS_ADDRESS. Prints each transition. Exit status: 0 when closed, 1 on a
// failed call, 2 on bad usage.
#include <cstdio>
#include <string>

#include "dumas/client.h"
#include "dumas/v1/complaint_service.grpc.pb.h"

namespace {

using dumas::client::Connection;
using Stub = dumas::v1::ComplaintService::Stub;

int Failed(const char* what, const grpc::Status& status) {
  std::fprintf(stderr, "%s failed: %d %s\n", what, static_cast<int>(status.error_code()),
               status.error_message().c_str());
  return 1;
}

// Sends one state change built by `fill` on the complaint as last read, and
// returns the complaint as it is after it.
template <typename Request, typename Response>
bool Step(const Connection& dumas, Stub& stub,
          grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
          const char* what, dumas::v1::Complaint& complaint, Request request) {
  request.set_name(complaint.name());
  request.set_etag(complaint.etag());
  Response response;
  if (grpc::Status s = dumas.Call(method, stub, request, &response); !s.ok()) {
    Failed(what, s);
    return false;
  }
  std::printf("%-20s %s -> %s\n", what,
              dumas::v1::ComplaintState_Name(complaint.state()).c_str(),
              dumas::v1::ComplaintState_Name(response.complaint().state()).c_str());
  complaint = response.complaint();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: dumas_case_tool_example complaints/REFERENCE\n");
    return 2;
  }
  std::string error;
  std::optional<dumas::client::ChannelOptions> options =
      dumas::client::ChannelOptions::FromEnvironment(&error);
  if (!options) {
    std::fprintf(stderr, "settings: %s\n", error.c_str());
    return 2;
  }
  const Connection dumas(*options);
  Stub stub(dumas.channel());

  dumas::v1::GetComplaintRequest get;
  get.set_name(argv[1]);
  dumas::v1::GetComplaintResponse got;
  if (grpc::Status s = dumas.Call(&Stub::GetComplaint, stub, get, &got); !s.ok()) {
    return Failed("GetComplaint", s);
  }
  dumas::v1::Complaint complaint = got.complaint();

  dumas::v1::VerifyComplaintRequest verify;
  verify.set_internal_note("Dugaan pungli oleh petugas lalu lintas: ranah pengawasan.");
  dumas::v1::AssignComplaintRequest assign;  // the routing rule picks the unit
  assign.set_internal_note("Disposisi sesuai tupoksi.");
  dumas::v1::StartInvestigationRequest start;
  dumas::v1::ConcludeComplaintRequest conclude;
  conclude.set_outcome(dumas::v1::OUTCOME_SUBSTANTIATED);
  conclude.set_findings("Klarifikasi saksi dan rekaman pos membenarkan pengaduan.");
  dumas::v1::AnswerComplaintRequest answer;
  answer.set_answer("Pengaduan Anda terbukti; petugas yang bersangkutan diproses disiplin.");
  dumas::v1::CloseComplaintRequest close;

  const bool done =
      Step(dumas, stub, &Stub::VerifyComplaint, "VerifyComplaint", complaint, verify) &&
      Step(dumas, stub, &Stub::AssignComplaint, "AssignComplaint", complaint, assign) &&
      Step(dumas, stub, &Stub::StartInvestigation, "StartInvestigation", complaint, start) &&
      Step(dumas, stub, &Stub::ConcludeComplaint, "ConcludeComplaint", complaint, conclude) &&
      Step(dumas, stub, &Stub::AnswerComplaint, "AnswerComplaint", complaint, answer) &&
      Step(dumas, stub, &Stub::CloseComplaint, "CloseComplaint", complaint, close);
  if (!done) return 1;
  std::printf("handled by %s\n", complaint.handling_unit().c_str());
  return 0;
}
