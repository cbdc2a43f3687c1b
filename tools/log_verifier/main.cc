// dumas-verify-log: verifies a Dumas transparency log from outside, as
// Kompolnas or anyone who keeps its state does. See the usage text.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/log_verifier/log_verifier.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "the Dumas server, host:port");
ABSL_FLAG(std::string, token_file, "", "file holding an OVERSIGHT principal's bearer token");
ABSL_FLAG(std::string, log_key, "",
          "the log's verifier key (origin+keyid+base64), trusted out of band; or @FILE");
ABSL_FLAG(std::string, state_dir, "",
          "where the last verified checkpoint and the leaves seen are kept between runs");
ABSL_FLAG(std::string, witness_key_file, "",
          "optional: a witness seed file (64 hex digits); cosign the verified checkpoint");
ABSL_FLAG(std::string, witness_name, "", "the witness's name, with --witness_key_file");

namespace dumas {
namespace {

constexpr char kUsage[] = R"(dumas-verify-log: verify a Dumas transparency log.

Fetches the latest checkpoint and checks its signature with --log_key; checks
that it extends the checkpoint kept in --state_dir (a consistency proof, or a
split view when the same size has another root); recomputes every leaf from the
change feed and checks each against the log, the root against the checkpoint,
and the leaves kept from earlier runs against the ones served now. On success
it keeps the new checkpoint and leaves in --state_dir (created if missing), and
cosigns with --witness_key_file.

Exit codes: 0 verified; 1 the log was tampered with (the first bad revision is
printed where it can be named); 2 bad usage; 3 the server or state could not be
read.
)";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool WriteFile(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << data;
    if (!out.good()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  absl::ParseCommandLine(argc, argv);
  std::string key_text = absl::GetFlag(FLAGS_log_key);
  if (!key_text.empty() && key_text[0] == '@') key_text = ReadFile(key_text.substr(1));
  absl::StatusOr<VerifierKey> key =
      VerifierKey::Parse(std::string(absl::StripAsciiWhitespace(key_text)));
  const std::string state_dir = absl::GetFlag(FLAGS_state_dir);
  if (!key.ok() || state_dir.empty() || absl::GetFlag(FLAGS_token_file).empty()) {
    std::fprintf(stderr, "%s\nneeds --log_key, --token_file and --state_dir\n", kUsage);
    return 2;
  }
  // The state is created on the first run, readable by its owner only.
  std::error_code created;
  if (std::filesystem::create_directories(state_dir, created)) {
    std::filesystem::permissions(state_dir, std::filesystem::perms::owner_all, created);
  }
  if (created) {
    std::fprintf(stderr, "cannot create %s: %s\n", state_dir.c_str(), created.message().c_str());
    return 3;
  }
  const std::string token(absl::StripAsciiWhitespace(ReadFile(absl::GetFlag(FLAGS_token_file))));
  LogVerifier verifier(
      grpc::CreateChannel(absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials()),
      token, *key);

  absl::StatusOr<VerifiedCheckpoint> latest = verifier.FetchCheckpoint();
  if (absl::IsDataLoss(latest.status())) {
    std::printf("TAMPERED: %s\n", std::string(latest.status().message()).c_str());
    return 1;
  }
  if (!latest.ok()) {
    std::fprintf(stderr, "%s\n", std::string(latest.status().message()).c_str());
    return 3;
  }
  const std::string checkpoint_path = state_dir + "/checkpoint";
  const std::string leaves_path = state_dir + "/leaves";
  std::vector<Hash> known;
  const std::string held_note = ReadFile(checkpoint_path);
  if (!held_note.empty()) {
    absl::StatusOr<SignedNote> note = SignedNote::Parse(held_note);
    absl::StatusOr<Checkpoint> held =
        note.ok() ? Checkpoint::ParseBody(note->body) : absl::StatusOr<Checkpoint>(note.status());
    if (!held.ok()) {
      std::fprintf(stderr, "the kept checkpoint in %s is unreadable\n", checkpoint_path.c_str());
      return 3;
    }
    LogReport consistent = verifier.CheckConsistency(*held, latest->checkpoint);
    if (!consistent.call_error.ok()) {
      std::fprintf(stderr, "%s\n", consistent.problem.c_str());
      return 3;
    }
    if (!consistent.ok) {
      std::printf("TAMPERED: %s\n", consistent.problem.c_str());
      return 1;
    }
    const std::string leaves = ReadFile(leaves_path);
    for (size_t i = 0; i + 32 <= leaves.size(); i += 32) {
      Hash h;
      std::memcpy(h.data(), leaves.data() + i, 32);
      known.push_back(h);
    }
  }
  std::vector<Hash> leaves;
  LogReport report = verifier.RecomputeTree(latest->checkpoint, &known, &leaves);
  if (!report.call_error.ok()) {
    std::fprintf(stderr, "%s\n", report.problem.c_str());
    return 3;
  }
  if (!report.ok) {
    if (report.first_bad_revision > 0) {
      std::printf("TAMPERED at revision %lld: %s\n",
                  static_cast<long long>(report.first_bad_revision), report.problem.c_str());
    } else {
      std::printf("TAMPERED: %s\n", report.problem.c_str());
    }
    return 1;
  }
  std::string leaf_bytes;
  for (const Hash& h : leaves) leaf_bytes.append(reinterpret_cast<const char*>(h.data()), 32);
  if (!WriteFile(leaves_path, leaf_bytes) || !WriteFile(checkpoint_path, latest->note)) {
    std::fprintf(stderr, "cannot write the state in %s\n", state_dir.c_str());
    return 3;
  }
  if (const std::string witness_file = absl::GetFlag(FLAGS_witness_key_file);
      !witness_file.empty()) {
    std::string seed_hex(absl::StripAsciiWhitespace(ReadFile(witness_file)));
    if (seed_hex.size() != 64 ||
        !std::all_of(seed_hex.begin(), seed_hex.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
      std::fprintf(stderr, "%s does not hold 64 hex digits\n", witness_file.c_str());
      return 2;
    }
    const std::string seed = absl::HexStringToBytes(seed_hex);
    absl::StatusOr<Cosigner> witness = Cosigner::FromSeed(absl::GetFlag(FLAGS_witness_name), seed);
    if (!witness.ok()) {
      std::fprintf(stderr, "bad witness: %s\n", std::string(witness.status().message()).c_str());
      return 2;
    }
    if (absl::Status cosigned = verifier.Cosign(*latest, *witness); !cosigned.ok()) {
      std::fprintf(stderr, "cosigning failed: %s\n", std::string(cosigned.message()).c_str());
      return 3;
    }
  }
  std::printf("verified: %lld leaves, root of checkpoint %llu\n",
              static_cast<long long>(report.leaves_checked),
              static_cast<unsigned long long>(latest->checkpoint.tree_size));
  return 0;
}

}  // namespace
}  // namespace dumas

int main(int argc, char** argv) { return dumas::Main(argc, argv); }
