"""Helpers for the page guard tests: the fixture pages and their analysis."""

from __future__ import annotations

from pathlib import Path

from jagaweb.guard.page import PageVerdict, analyse_page

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "guard" / "pages"
SITE = "https://diskominfo.contoh.go.id/"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def analyse(name: str, **options: object) -> PageVerdict:
    options.setdefault("url", SITE)
    return analyse_page(page(name), filename=name, **options)  # type: ignore[arg-type]


def html(body: str, *, head: str = "", title: str = "Dinas Contoh") -> str:
    """A small ordinary page around `body`, with navigation (so it is not shaped like a defacement)."""
    return (f"<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>"
            "<nav><a href='/'>Beranda</a> <a href='/profil/'>Profil</a> <a href='/berita/'>Berita</a>"
            " <a href='/kontak/'>Kontak</a></nav>"
            "<main><h1>Dinas Contoh</h1><p>Informasi layanan publik, agenda kegiatan dan berita terbaru dari dinas."
            f"</p>{body}</main><footer><p>Kabupaten Contoh</p></footer></body></html>")
