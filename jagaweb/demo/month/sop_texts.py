"""What people write in a month of SOP work: the notes of the steps that fill in a case, the complaints the
public sends and the website requests organisations make. Written in Indonesian, as the people who use the
system write them (stored data, not interface text)."""

from __future__ import annotations

# Definition -> step number -> the note its performer writes (the steps `sop.cases.CASE_FIELDS` maps).
CASE_NOTES: dict[str, dict[int, str]] = {
    "pemeliharaan_website": {
        5: "Layanan web tidak merespons karena PHP-FPM kehabisan worker; layanan dijalankan ulang dan "
           "batas worker dinaikkan.",
        6: "Disetujui. Tambahkan pemantauan memori server dan jadwalkan pembaruan PHP pada jam sepi.",
    },
    "pemeliharaan_website_pn": {
        5: "Server aplikasi berhenti setelah pembaruan sistem; layanan dijalankan ulang.",
        7: "Konfigurasi layanan diperbaiki agar berjalan otomatis setelah server dinyalakan ulang.",
    },
    "penjagaan_website": {
        3: "Ditemukan berkas .htaccess dan index.php yang diubah untuk mengalihkan mesin pencari ke situs judi "
           "online; berkas dikarantina dan dipulihkan dari cadangan tepercaya.",
        4: "Pemeriksaan ulang dari empat identitas bersih; tampilan halaman sama dengan acuan.",
        5: "Kata sandi admin CMS diganti, plugin rentan dihapus, dan pemilik situs telah diberi tahu.",
    },
    "pemeliharaan_portal_keluhan": {
        4: "Keluhan benar: tautan unduhan pada halaman mengarah ke berkas yang sudah dipindahkan.",
        5: "Perbarui tautan ke lokasi berkas yang baru dan periksa tautan lain pada halaman yang sama.",
        7: "Tautan diperbaiki dan berkas diunggah ulang.",
        8: "Halaman diperiksa ulang dari jaringan luar; tautan berfungsi.",
        9: "Pelapor telah diberi tahu bahwa keluhannya sudah ditangani.",
    },
}
# (complaint, the page it is about, below the site's address)
COMPLAINTS: list[tuple[str, str]] = [
    ("Tautan unduhan formulir pada halaman layanan tidak dapat dibuka.", "layanan/"),
    ("Halaman berita tidak bisa diakses dari ponsel, muncul pesan kesalahan.", "berita/"),
    ("Informasi jam pelayanan di halaman kontak sudah tidak sesuai.", "kontak/"),
    ("Website sangat lambat dibuka pada pagi hari.", ""),
    ("Dokumen transparansi anggaran tahun ini belum diunggah.", "transparansi-anggaran/"),
    ("Saat membuka website muncul iklan judi online di hasil pencarian Google.", ""),
]
# (website name, what is asked): requests of organisations for a new website or an update
REQUESTS: list[tuple[str, str]] = [
    ("Portal PPID", "Pembuatan portal PPID untuk publikasi informasi publik sesuai UU KIP."),
    ("Website Sistem Informasi Desa", "Pembuatan website profil dan layanan administrasi desa."),
    ("Website Dinas", "Pembaruan tampilan dan penambahan menu layanan pengaduan."),
    ("Portal Data", "Pembuatan portal data terbuka dengan katalog dataset dan visualisasi."),
]
