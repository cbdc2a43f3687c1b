#include "domain/personal_data.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "domain/notification_text.h"
#include "domain/working_day_calendar.h"

namespace dumas {
namespace {

constexpr absl::string_view kGreeting = "Yth. Bapak/Ibu Pelapor,\n\n";
constexpr absl::string_view kSignature =
    "\n\nHormat kami,\nPolres Palu — Layanan Pengaduan Masyarakat (Dumas)";

// "6 Maret 2026 pukul 09.12 WITA".
std::string IndonesianTime(absl::Time t) {
  const absl::CivilMinute m = absl::ToCivilMinute(t, PaluTimeZone());
  return absl::StrCat(IndonesianDate(absl::CivilDay(m)), " pukul ", m.hour() < 10 ? "0" : "",
                      m.hour(), ".", m.minute() < 10 ? "0" : "", m.minute(), " WITA");
}

absl::string_view StateDescription(ComplaintState state) {
  switch (state) {
    case ComplaintState::kReceived:
      return "diterima dan diregistrasi";
    case ComplaintState::kVerified:
      return "diverifikasi";
    case ComplaintState::kArchived:
      return "diarsipkan";
    case ComplaintState::kRejected:
      return "tidak dapat ditindaklanjuti";
    case ComplaintState::kAssigned:
      return "didisposisikan kepada satuan kerja";
    case ComplaintState::kUnderInvestigation:
      return "dalam penyelidikan";
    case ComplaintState::kConcluded:
      return "pemeriksaan selesai";
    case ComplaintState::kAnswered:
      return "telah dijawab";
    case ComplaintState::kClosed:
      return "ditutup";
    case ComplaintState::kReopened:
      return "dibuka kembali";
    case ComplaintState::kUnspecified:
      break;
  }
  return "-";
}

absl::string_view ChannelDescription(Channel channel) {
  switch (channel) {
    case Channel::kWeb:
      return "situs web";
    case Channel::kFacebook:
      return "Facebook";
    case Channel::kEmail:
      return "email";
    case Channel::kTwitter:
      return "Twitter";
    case Channel::kWhatsapp:
      return "WhatsApp";
    case Channel::kPhone:
      return "telepon";
    case Channel::kWalkIn:
      return "loket SPKT";
    case Channel::kKompolnas:
      return "Kompolnas";
    case Channel::kUnspecified:
      break;
  }
  return "-";
}

// A value, or "-" for one not given.
absl::string_view OrDash(const std::string& value) {
  return value.empty() ? absl::string_view("-") : absl::string_view(value);
}

}  // namespace

std::string ContactCorrectedNote(const ContactDetails& changed) {
  std::vector<absl::string_view> names;
  if (changed.phone.has_value()) names.push_back("nomor telepon");
  if (changed.email.has_value()) names.push_back("email");
  if (changed.address.has_value()) names.push_back("alamat");
  if (changed.reply_address.has_value()) names.push_back("alamat balasan");
  return absl::StrCat("Diperbarui: ", absl::StrJoin(names, ", "), ".");
}

std::string RoleDescription(Role role) {
  switch (role) {
    case Role::kGateway:
      return "sistem kanal pengaduan";
    case Role::kIntake:
      return "petugas penerimaan pengaduan (SPKT/Humas)";
    case Role::kUnit:
      return "petugas satuan kerja yang menangani";
    case Role::kSupervisor:
      return "pimpinan atau pengawas Polres";
    case Role::kOversight:
      return "Kompolnas (Komisi Kepolisian Nasional)";
    case Role::kAdmin:
      return "administrator sistem";
    case Role::kUnspecified:
      break;
  }
  return "petugas";
}

std::string PersonalDataCopyText(const PersonalDataFacts& f) {
  const Identity& id = f.identity;
  std::string text = absl::StrCat(
      kGreeting, "Atas permintaan Anda, berikut salinan data pribadi Anda yang kami simpan "
                 "untuk pengaduan nomor ",
      f.reference_number,
      ", sesuai Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi.\n\n"
      "IDENTITAS\n"
      "Nama lengkap: ", OrDash(id.full_name), "\nNIK: ", OrDash(id.nik),
      "\nNomor telepon: ", OrDash(id.phone), "\nEmail: ", OrDash(id.email),
      "\nAlamat: ", OrDash(id.address), "\nAlamat balasan (", ChannelDescription(f.channel),
      "): ", OrDash(f.reply_address),
      "\nKerahasiaan identitas: ", f.confidential ? "diminta" : "tidak diminta",
      "\nPersetujuan berbagi identitas dengan Kompolnas: ",
      f.share_identity_with_kompolnas ? "ya" : "tidak",
      "\n\nPENGADUAN\nDiterima: ", IndonesianTime(f.create_time),
      "\nStatus: ", StateDescription(f.state), "\nKategori: ", OrDash(f.category_name),
      "\nWaktu kejadian: ", IndonesianTime(f.incident_time),
      "\nLokasi kejadian: ", OrDash(f.incident_location),
      "\nSatuan kerja yang diadukan: ", OrDash(f.subject_unit_name),
      "\nPetugas yang diadukan: ", OrDash(f.officer_name),
      "\nKeterangan petugas: ", OrDash(f.officer_description), "\nUraian:\n", f.description,
      "\n\nAKSES TERHADAP IDENTITAS ANDA\n");
  if (f.identity_reads.empty()) {
    text += "Belum ada yang membaca identitas Anda.";
  } else {
    absl::StrAppend(&text, "Identitas Anda telah dibaca ", f.identity_reads.size(),
                    " kali (waktu, peran dan satuan kerja pembaca):");
    const size_t skipped = f.identity_reads.size() > kMaxListedIdentityReads
                               ? f.identity_reads.size() - kMaxListedIdentityReads
                               : 0;
    if (skipped > 0) {
      absl::StrAppend(&text, "\n- ", skipped, " kali sebelum ",
                      IndonesianTime(f.identity_reads[skipped].time),
                      " (tidak dirinci satu per satu)");
    }
    for (size_t i = skipped; i < f.identity_reads.size(); ++i) {
      const IdentityReadFact& read = f.identity_reads[i];
      absl::StrAppend(&text, "\n- ", IndonesianTime(read.time), ": ", RoleDescription(read.role),
                      read.unit_name.empty() ? "" : ", ", read.unit_name);
    }
  }
  absl::StrAppend(
      &text,
      "\n\nData identitas Anda disimpan terenkripsi dan dimusnahkan setelah masa retensinya "
      "berakhir sejak pengaduan selesai. Apabila data kontak Anda tidak benar, Anda dapat "
      "memperbaikinya melalui layanan pelacakan pengaduan dengan nomor pengaduan dan kode "
      "pelacakan Anda.",
      kSignature);
  return text;
}

}  // namespace dumas
