#include "tools/bench_client/bench_calls.h"

#include <array>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace dumas::bench {
namespace {

constexpr std::array<const char*, 6> kCategories = {
    "categories/pelayanan-buruk", "categories/penyalahgunaan-wewenang",
    "categories/kekeliruan-diskresi", "categories/diskriminasi",
    "categories/korupsi", "categories/pelanggaran-ham"};

// About 400 characters, the length of a typical complaint written on a phone.
constexpr char kDescription[] =
    "Pada saat razia kendaraan di Jalan Sam Ratulangi, petugas menahan SIM saya tanpa "
    "menunjukkan surat tilang dan meminta uang damai sebesar Rp 200.000 agar SIM "
    "dikembalikan. Ketika saya menolak dan meminta penjelasan, petugas berbicara kasar "
    "dan menyuruh saya datang ke kantor keesokan harinya. Saya mohon kejadian ini "
    "diperiksa dan SIM saya dikembalikan sesuai prosedur yang berlaku.";

// splitmix64: a fast, well-mixed generator; request ids need to be unique,
// not secret.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Writes a random UUID in the version 4 form into `out` (36 characters).
void RandomUuidV4(uint64_t& state, std::string& out) {
  uint64_t high = NextRandom(state);
  uint64_t low = NextRandom(state);
  high = (high & ~0xF000ULL) | 0x4000ULL;                      // version 4
  low = (low & ~(0xC000ULL << 48)) | (0x8000ULL << 48);       // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  out.resize(36);
  int pos = 0;
  auto put = [&](uint64_t word, int first_nibble, int nibbles) {
    for (int i = 0; i < nibbles; ++i) {
      out[pos++] = kHex[(word >> (4 * (15 - first_nibble - i))) & 0xF];
    }
  };
  put(high, 0, 8);
  out[pos++] = '-';
  put(high, 8, 4);
  out[pos++] = '-';
  put(high, 12, 4);
  out[pos++] = '-';
  put(low, 0, 4);
  out[pos++] = '-';
  put(low, 4, 12);
}

// A NIK of a woman born 5 September 1990 in Palu (72 71), with district and
// sequence taken from `n`, so that up to 989,901 complainants differ.
void NikFor(uint64_t n, std::string& out) {
  const uint64_t district = 1 + (n / 9999) % 99;
  const uint64_t sequence = 1 + n % 9999;
  out = "7271000000000000";
  out[4] = static_cast<char>('0' + district / 10);
  out[5] = static_cast<char>('0' + district % 10);
  out.replace(6, 6, "450990");
  out[12] = static_cast<char>('0' + sequence / 1000);
  out[13] = static_cast<char>('0' + sequence / 100 % 10);
  out[14] = static_cast<char>('0' + sequence / 10 % 10);
  out[15] = static_cast<char>('0' + sequence % 10);
}

}  // namespace

HealthCheckSlot::HealthCheckSlot(grpc::health::v1::Health::Stub* stub, std::string_view service)
    : stub_(stub) {
  request_.set_service(std::string(service));
}

std::unique_ptr<HealthCheckSlot::Reader> HealthCheckSlot::StartCall(grpc::ClientContext* context,
                                                                    grpc::CompletionQueue* cq) {
  return stub_->AsyncCheck(context, request_, cq);
}

absl::StatusOr<std::vector<TrackingPair>> ReadTrackingPairs(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::vector<TrackingPair> pairs;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 == line.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", pairs.size() + 1, ": expected REFERENCE<tab>CODE"));
    }
    pairs.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  if (pairs.empty()) return absl::InvalidArgumentError(absl::StrCat(path, " holds no pairs"));
  return pairs;
}

absl::Status WriteTrackingPairs(const std::string& path, const std::vector<TrackingPair>& pairs) {
  std::ofstream out(path, std::ios::trunc);
  for (const TrackingPair& pair : pairs) {
    out << pair.reference_number << '\t' << pair.tracking_code << '\n';
  }
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

TrackComplaintSlot::TrackComplaintSlot(
    dumas::v1::ComplaintService::Stub* stub,
    const std::vector<dumas::v1::TrackComplaintRequest>* requests, int slot, int slots)
    : stub_(stub),
      requests_(*requests),
      stride_(static_cast<size_t>(slots)),
      next_(static_cast<size_t>(slot) % requests->size()) {}

std::unique_ptr<TrackComplaintSlot::Reader> TrackComplaintSlot::StartCall(
    grpc::ClientContext* context, grpc::CompletionQueue* cq) {
  const dumas::v1::TrackComplaintRequest& request = requests_[next_];
  next_ = (next_ + stride_) % requests_.size();
  return stub_->AsyncTrackComplaint(context, request, cq);
}

SubmitComplaintSlot::SubmitComplaintSlot(dumas::v1::ComplaintService::Stub* stub,
                                         std::string_view token, uint64_t seed, int slot,
                                         int slots, std::vector<TrackingPair>* pairs)
    : stub_(stub),
      authorization_(absl::StrCat("Bearer ", absl::string_view(token.data(), token.size()))),
      pairs_(pairs),
      rng_state_(seed ^ (0x9E3779B97F4A7C15ULL * static_cast<uint64_t>(slot + 1))),
      sequence_(seed % 500000 + static_cast<uint64_t>(slot)),
      stride_(static_cast<uint64_t>(slots)) {
  dumas::v1::Complaint& complaint = *request_.mutable_complaint();
  complaint.set_description(kDescription);
  *complaint.mutable_incident_time() = [] {
    google::protobuf::Timestamp t;
    t.set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(50)));
    return t;
  }();
  complaint.set_incident_location("Jalan Sam Ratulangi dekat Taman GOR, Palu Timur, Kota Palu");
  complaint.set_category(kCategories[static_cast<size_t>(slot) % kCategories.size()]);
  complaint.set_channel(dumas::v1::CHANNEL_WHATSAPP);
  complaint.set_reply_address("+6281234567890");
  dumas::v1::ComplaintSubject& subject = *complaint.mutable_subject();
  subject.set_unit("units/sat-lantas");
  subject.set_officer_name("Bripka Andi");
  subject.set_officer_description("Petugas berseragam, bertubuh tinggi, memakai kacamata hitam");
  dumas::v1::Complainant& complainant = *complaint.mutable_complainant();
  complainant.set_full_name("Siti Rahmawati");
  complainant.set_phone("081234567890");
  complainant.set_email("siti.rahmawati@contoh.id");
  complainant.set_address("Jl. Moh. Hatta No. 12, Kelurahan Lolu Utara, Palu Timur, Kota Palu");
}

std::unique_ptr<SubmitComplaintSlot::Reader> SubmitComplaintSlot::StartCall(
    grpc::ClientContext* context, grpc::CompletionQueue* cq) {
  RandomUuidV4(rng_state_, *request_.mutable_request_id());
  NikFor(sequence_, *request_.mutable_complaint()->mutable_complainant()->mutable_nik());
  sequence_ += stride_;
  context->AddMetadata("authorization", authorization_);
  return stub_->AsyncSubmitComplaint(context, request_, cq);
}

void SubmitComplaintSlot::OnOk() {
  if (pairs_ == nullptr) return;
  pairs_->push_back({response().reference_number(), response().tracking_code()});
}

VerifyComplaintSlot::VerifyComplaintSlot(
    dumas::v1::ComplaintService::Stub* stub, std::string_view token,
    const std::vector<dumas::v1::VerifyComplaintRequest>* requests, std::atomic<size_t>* next)
    : stub_(stub),
      authorization_(absl::StrCat("Bearer ", absl::string_view(token.data(), token.size()))),
      requests_(*requests),
      next_(*next) {}

bool VerifyComplaintSlot::TakeNext() {
  current_ = next_.fetch_add(1, std::memory_order_relaxed);
  return current_ < requests_.size();
}

std::unique_ptr<VerifyComplaintSlot::Reader> VerifyComplaintSlot::StartCall(
    grpc::ClientContext* context, grpc::CompletionQueue* cq) {
  context->AddMetadata("authorization", authorization_);
  return stub_->AsyncVerifyComplaint(context, requests_[current_], cq);
}

ListComplaintsSlot::ListComplaintsSlot(dumas::v1::ComplaintService::Stub* stub,
                                       std::string_view token,
                                       const dumas::v1::ListComplaintsRequest* request)
    : stub_(stub),
      authorization_(absl::StrCat("Bearer ", absl::string_view(token.data(), token.size()))),
      request_(*request) {}

std::unique_ptr<ListComplaintsSlot::Reader> ListComplaintsSlot::StartCall(
    grpc::ClientContext* context, grpc::CompletionQueue* cq) {
  context->AddMetadata("authorization", authorization_);
  return stub_->AsyncListComplaints(context, request_, cq);
}

}  // namespace dumas::bench
