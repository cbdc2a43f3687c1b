// kompolnas_feed: a Kompolnas consumer of the change feed on the C++ SDK. It
// watches IntegrationService.WatchChanges from the revision after the last
// one it processed, prints each change in commit order, and says where to
// resume.
//
//   DUMAS_TOKEN_FILE=.local/tokens/oversight
//   dumas_kompolnas_feed_example [--after=REVISION] [--until-idle]
//
// Needs an OVERSIGHT token. With --until-idle it stops at the first heartbeat
// (the backlog is consumed); otherwise it runs until the stream ends. Prints
// "resume --after=N" last: N is the last revision processed, which a real
// consumer stores with what it made of the changes, in one transaction.
// Exit status: 0, 1 on a failed call, 2 on bad usage.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dumas/client.h"
#include "dumas/v1/integration_service.grpc.pb.h"

int main(int argc, char** argv) {
  int64_t after = 0;
  bool until_idle = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--after=")) {
      after = std::strtoll(argv[i] + 8, nullptr, 10);
    } else if (arg == "--until-idle") {
      until_idle = true;
    } else {
      std::fprintf(stderr, "usage: dumas_kompolnas_feed_example [--after=REVISION] [--until-idle]\n");
      return 2;
    }
  }
  std::string error;
  std::optional<dumas::client::ChannelOptions> options =
      dumas::client::ChannelOptions::FromEnvironment(&error);
  if (!options) {
    std::fprintf(stderr, "settings: %s\n", error.c_str());
    return 2;
  }
  const dumas::client::Connection dumas(*options);
  dumas::v1::IntegrationService::Stub stub(dumas.channel());

  dumas::v1::WatchChangesRequest request;
  request.set_after_revision(after);
  // A stream is not retried by the SDK: the consumer resumes from its own
  // last revision, which is what makes the feed exactly-once.
  std::unique_ptr<grpc::ClientContext> context = dumas.NewContext(std::chrono::hours(24));
  std::unique_ptr<grpc::ClientReader<dumas::v1::WatchChangesResponse>> stream =
      stub.WatchChanges(context.get(), request);
  dumas::v1::WatchChangesResponse message;
  int64_t last = after;
  while (stream->Read(&message)) {
    if (message.has_heartbeat()) {
      if (until_idle && message.heartbeat().head_revision() <= last) {
        context->TryCancel();
        break;
      }
      continue;
    }
    const dumas::v1::Change& change = message.change();
    if (change.revision() != last + 1) {
      std::fprintf(stderr, "gap: revision %lld after %lld\n",
                   static_cast<long long>(change.revision()), static_cast<long long>(last));
      return 1;
    }
    last = change.revision();
    std::printf("%lld %s %s %s -> %s\n", static_cast<long long>(last), change.complaint().c_str(),
                change.event().type().c_str(),
                dumas::v1::ComplaintState_Name(change.event().from_state()).c_str(),
                dumas::v1::ComplaintState_Name(change.event().to_state()).c_str());
  }
  grpc::Status status = stream->Finish();
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
    std::fprintf(stderr, "WatchChanges failed: %d %s\n", static_cast<int>(status.error_code()),
                 status.error_message().c_str());
    return 1;
  }
  std::printf("resume --after=%lld\n", static_cast<long long>(last));
  return 0;
}
