import xml.etree.ElementTree as ET
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from jagaweb.demo.catalog import SAMPLE_SITES
from jagaweb.demo.render import render_text
from jagaweb.demo.sites import load_sites, plan_sites, save_state

TODAY = date(2026, 11, 21)  # a Saturday
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.lang = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(values[name])


@pytest.fixture
def installed(tmp_path):
    sites = plan_sites(tmp_path, [18081, 18082, 18083])
    for site in sites:
        assert site.install_content(TODAY)
    return sites


def test_placeholders():
    base = "http://127.0.0.1:8081/"
    assert render_text("[[base]]/feed.xml", TODAY, base) == "http://127.0.0.1:8081/feed.xml"
    assert render_text("© [[year]]", TODAY, base) == "© 2026"
    assert render_text("[[date:0:id]]", TODAY, base) == "21 November 2026"
    assert render_text("[[date:2:hari]]", TODAY, base) == "Kamis, 19 November 2026"
    assert render_text("[[date:-11:iso]]", TODAY, base) == "2026-12-02"
    assert render_text("[[date:1:rfc]]", TODAY, base) == "Fri, 20 Nov 2026 09:00:00 +0700"
    with pytest.raises(ValueError, match="unknown placeholder"):
        render_text("[[tanggal]]", TODAY, base)


@pytest.mark.parametrize("index", range(len(SAMPLE_SITES)))
def test_each_site_is_complete_and_current(installed, index):
    site = installed[index]
    root = site.web_root
    for required in ("index.html", "feed.xml", "sitemap.xml", "robots.txt"):
        assert (root / required).is_file(), required
    assert list(root.rglob("*.css"))
    pages = list(root.rglob("*.html"))
    assert len(pages) >= 5
    for path in root.rglob("*"):
        if path.is_file():
            assert "[[" not in path.read_text(encoding="utf-8"), path

    feed = ET.parse(root / "feed.xml").getroot()
    assert feed.tag == "rss"
    published = [parsedate_to_datetime(item.findtext("pubDate")) for item in feed.iter("item")]
    assert len(published) >= 2
    assert TODAY - max(published).date() <= timedelta(days=7)
    for item in feed.iter("item"):
        assert item.findtext("link").startswith(site.url)

    urls = ET.parse(root / "sitemap.xml").getroot().findall(f"{SITEMAP_NS}url")
    assert len(urls) >= len(pages) - 1
    for url in urls:
        assert url.findtext(f"{SITEMAP_NS}loc").startswith(site.url)
        date.fromisoformat(url.findtext(f"{SITEMAP_NS}lastmod"))
    assert f"Sitemap: {site.url}sitemap.xml" in (root / "robots.txt").read_text()


@pytest.mark.parametrize("index", range(len(SAMPLE_SITES)))
def test_internal_links_lead_somewhere(installed, index):
    root = installed[index].web_root
    for page in root.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.lang == "id", page
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or not parts.path:
                continue  # mailto:, in-page anchors
            assert parts.path.startswith("/"), (page, link)
            target = root / parts.path.lstrip("/")
            if parts.path.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), (page, link)


def test_installed_content_is_kept_unless_replaced(installed):
    site = installed[0]
    (site.web_root / "index.html").write_text("diubah")
    assert not site.install_content(TODAY)
    assert (site.web_root / "index.html").read_text() == "diubah"
    assert site.install_content(TODAY - timedelta(days=200), replace=True)
    assert "diubah" not in (site.web_root / "index.html").read_text()
    assert "Mei 2026" in (site.web_root / "berita" / "index.html").read_text()  # rendered as of 200 days ago


def test_stop_and_start_a_site(installed):
    site = installed[1]
    assert not site.is_stopped()
    site.stop()
    assert site.is_stopped()
    site.start()
    assert not site.is_stopped()


def test_state_round_trip(tmp_path, installed):
    save_state(tmp_path, 18000, installed)
    assert load_sites(tmp_path) == installed
    assert load_sites(tmp_path / "elsewhere") == []
