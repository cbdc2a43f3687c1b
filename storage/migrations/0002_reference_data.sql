-- Reference data: the six complaint categories of the source, the units of
-- Polres Palu, and the national holidays of 2026. Staff may add or rename
-- rows later; re-running this file leaves existing rows alone.

INSERT INTO categories (id, indonesian_name, english_name) VALUES
  ('pelayanan-buruk', 'Pelayanan buruk', 'Poor service'),
  ('penyalahgunaan-wewenang', 'Penyalahgunaan wewenang', 'Abuse of authority'),
  ('kekeliruan-diskresi', 'Kekeliruan diskresi', 'Error of discretion'),
  ('diskriminasi', 'Diskriminasi', 'Discrimination'),
  ('korupsi', 'Korupsi', 'Corruption'),
  ('pelanggaran-ham', 'Pelanggaran HAM', 'Human-rights violation')
ON DUPLICATE KEY UPDATE id = id;

INSERT INTO units (id, display_name, kind) VALUES
  ('spkt', 'SPKT (Sentra Pelayanan Kepolisian Terpadu)', 'SPKT'),
  ('propam', 'Si Propam (Seksi Profesi dan Pengamanan)', 'SEKSI'),
  ('siwas', 'Si Was (Seksi Pengawasan)', 'SEKSI'),
  ('sat-reskrim', 'Sat Reskrim (Satuan Reserse Kriminal)', 'SATUAN'),
  ('sat-lantas', 'Sat Lantas (Satuan Lalu Lintas)', 'SATUAN'),
  ('sat-intelkam', 'Sat Intelkam (Satuan Intelijen Keamanan)', 'SATUAN'),
  ('sat-narkoba', 'Sat Resnarkoba (Satuan Reserse Narkoba)', 'SATUAN'),
  ('sat-samapta', 'Sat Samapta (Satuan Samapta Bhayangkara)', 'SATUAN'),
  ('sat-binmas', 'Sat Binmas (Satuan Pembinaan Masyarakat)', 'SATUAN'),
  ('sat-tahti', 'Sat Tahti (Satuan Perawatan Tahanan dan Barang Bukti)', 'SATUAN'),
  ('bag-ops', 'Bag Ops (Bagian Operasi)', 'BAGIAN'),
  ('bag-sdm', 'Bag SDM (Bagian Sumber Daya Manusia)', 'BAGIAN'),
  ('bag-log', 'Bag Log (Bagian Logistik)', 'BAGIAN'),
  ('polsek-palu-barat', 'Polsek Palu Barat', 'POLSEK'),
  ('polsek-palu-timur', 'Polsek Palu Timur', 'POLSEK'),
  ('polsek-palu-selatan', 'Polsek Palu Selatan', 'POLSEK'),
  ('polsek-palu-utara', 'Polsek Palu Utara', 'POLSEK'),
  ('polsek-mantikulore', 'Polsek Mantikulore', 'POLSEK'),
  ('polsek-tawaeli', 'Polsek Tawaeli', 'POLSEK'),
  ('polsek-kawasan-pelabuhan-pantoloan', 'Polsek Kawasan Pelabuhan Pantoloan', 'POLSEK')
ON DUPLICATE KEY UPDATE id = id;

-- National public holidays of 2026 (hari libur nasional), from the best
-- knowledge at the time of writing. CHECK THIS LIST against the SKB 3 Menteri
-- (joint decree of the Ministers of Religious Affairs, Manpower and
-- Administrative Reform) for 2026 before relying on deadlines: the Islamic
-- dates depend on the government's isbat and may move by a day. Cuti bersama
-- (collective leave) days are not listed. Correct them in a new migration.
INSERT INTO holidays (day, name) VALUES
  ('2026-01-01', 'Tahun Baru 2026 Masehi'),
  ('2026-01-16', 'Isra Mikraj Nabi Muhammad SAW'),
  ('2026-02-17', 'Tahun Baru Imlek 2577 Kongzili'),
  ('2026-03-19', 'Hari Suci Nyepi Tahun Baru Saka 1948'),
  ('2026-03-20', 'Hari Raya Idul Fitri 1447 Hijriah'),
  ('2026-03-21', 'Hari Raya Idul Fitri 1447 Hijriah'),
  ('2026-04-03', 'Wafat Yesus Kristus'),
  ('2026-04-05', 'Kebangkitan Yesus Kristus (Paskah)'),
  ('2026-05-01', 'Hari Buruh Internasional'),
  ('2026-05-14', 'Kenaikan Yesus Kristus'),
  ('2026-05-27', 'Hari Raya Idul Adha 1447 Hijriah'),
  ('2026-05-31', 'Hari Raya Waisak 2570 BE'),
  ('2026-06-01', 'Hari Lahir Pancasila'),
  ('2026-06-16', 'Tahun Baru Islam 1448 Hijriah'),
  ('2026-08-17', 'Hari Kemerdekaan Republik Indonesia'),
  ('2026-08-25', 'Maulid Nabi Muhammad SAW'),
  ('2026-12-25', 'Hari Raya Natal')
ON DUPLICATE KEY UPDATE day = day;
