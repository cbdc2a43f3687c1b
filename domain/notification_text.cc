#include "domain/notification_text.h"

#include <array>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace dumas {
namespace {

constexpr absl::string_view kGreeting = "Yth. Bapak/Ibu Pelapor,\n\n";
constexpr absl::string_view kSignature =
    "\n\nHormat kami,\nPolres Palu — Layanan Pengaduan Masyarakat (Dumas)";
constexpr absl::string_view kTrackingHint =
    "melalui layanan pelacakan pengaduan dengan nomor pengaduan dan kode pelacakan Anda";

// "<intro>:\n\n<text>" when there is a text, else "<intro>." so that a
// missing reason or question never leaves a dangling colon.
std::string WithText(absl::string_view intro, absl::string_view text) {
  if (text.empty()) return absl::StrCat(intro, ".");
  return absl::StrCat(intro, ":\n\n", text);
}

std::string Body(NotificationKind kind, const NotificationFacts& f) {
  const absl::string_view ref = f.reference_number;
  switch (kind) {
    case NotificationKind::kReceipt:
      return absl::StrCat(
          "Terima kasih, pengaduan Anda telah kami terima dengan nomor pengaduan ", ref,
          ".\n\nKode pelacakan: ", f.tracking_code,
          "\nSimpan nomor pengaduan dan kode pelacakan ini: keduanya diperlukan untuk memantau "
          "perkembangan pengaduan Anda. Rahasiakan kode pelacakan dan jangan berikan kepada "
          "siapa pun, termasuk orang yang mengaku sebagai petugas.\n\n"
          "Pengaduan Anda akan kami teliti. Surat Pemberitahuan Perkembangan Penanganan Dumas "
          "(SP3D) akan kami sampaikan paling lambat ",
          IndonesianDate(f.due_date), ".");
    case NotificationKind::kSp3d:
      return absl::StrCat(
          "Pengaduan Anda nomor ", ref, " telah kami teliti dan didisposisikan kepada ",
          f.unit_name.empty() ? absl::string_view("satuan kerja yang berwenang")
                              : absl::string_view(f.unit_name),
          " untuk ditangani sesuai tugas pokok dan fungsinya. Pesan ini merupakan Surat "
          "Pemberitahuan Perkembangan Penanganan Dumas (SP3D).\n\n"
          "Hasil penanganan pengaduan Anda akan kami sampaikan paling lambat ",
          IndonesianDate(f.due_date), ".");
    case NotificationKind::kClarificationRequest:
      return absl::StrCat(
          WithText(absl::StrCat("Untuk menindaklanjuti pengaduan Anda nomor ", ref,
                                ", kami memerlukan keterangan tambahan dari Anda"),
                   f.text),
          "\n\nMohon sampaikan tanggapan Anda ", kTrackingHint, ".");
    case NotificationKind::kArchived:
      return absl::StrCat(
          WithText(absl::StrCat("Pengaduan Anda nomor ", ref,
                                " telah kami teliti. Pengaduan tersebut tidak termasuk perkara "
                                "pengawasan yang ditangani melalui Dumas sehingga kami arsipkan, "
                                "dengan alasan sebagai berikut"),
                   f.text),
          "\n\nApabila Anda memiliki keterangan atau bukti baru, Anda dapat menyampaikan "
          "pengaduan baru.");
    case NotificationKind::kRejected:
      return absl::StrCat(
          WithText(absl::StrCat("Mohon maaf, pengaduan Anda nomor ", ref,
                                " tidak dapat kami tindak lanjuti, dengan alasan sebagai berikut"),
                   f.text),
          "\n\nApabila Anda memiliki keterangan atau bukti yang melengkapi, Anda dapat "
          "menyampaikan pengaduan baru.");
    case NotificationKind::kAnswer:
      return absl::StrCat(
          WithText(absl::StrCat("Berikut jawaban resmi atas pengaduan Anda nomor ", ref), f.text),
          "\n\nApabila Anda tidak sependapat dengan jawaban ini, Anda dapat mengajukan keberatan ",
          kTrackingHint,
          ". Kami juga mengharapkan penilaian Anda (1 sampai 5) atas penanganan pengaduan ini.");
    case NotificationKind::kClosure:
      return absl::StrCat("Penanganan pengaduan Anda nomor ", ref,
                          " telah selesai dan pengaduan ini kami tutup. Terima kasih atas "
                          "kepercayaan dan partisipasi Anda dalam mengawasi pelayanan Polri.");
    case NotificationKind::kPersonalData:  // PersonalDataCopyText writes it
    case NotificationKind::kUnspecified:
      break;
  }
  return absl::StrCat("Ada perkembangan baru atas pengaduan Anda nomor ", ref,
                      ". Silakan pantau ", kTrackingHint, ".");
}

}  // namespace

std::string NotificationText(NotificationKind kind, const NotificationFacts& facts) {
  return absl::StrCat(kGreeting, Body(kind, facts), kSignature);
}

std::string IndonesianDate(absl::CivilDay day) {
  static constexpr std::array<absl::string_view, 12> kMonths = {
      "Januari", "Februari", "Maret",     "April",   "Mei",      "Juni",
      "Juli",    "Agustus",  "September", "Oktober", "November", "Desember"};
  return absl::StrCat(day.day(), " ", kMonths[day.month() - 1], " ", day.year());
}

}  // namespace dumas
