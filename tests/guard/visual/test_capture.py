"""Screenshots of a local government page as each identity, and their comparison with a baseline."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from jagaweb.guard.choices import Identity
from jagaweb.guard.visual import (
    CHANGED_HASH_DISTANCE,
    CHANGED_RATIO,
    MAX_HEIGHT,
    ShotRequest,
    capture,
    compare_images,
    side_by_side,
)
from tests.guard.visual.browsing import browser_settings
from tests.guard.visual.images import covered, difference_bbox
from tests.guard.visual.server import PageServer
from tests.monitor.servers import closed_port

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "guard" / "visual"
PORTAL = (FIXTURES / "portal.html").read_text()
DEFACED = (FIXTURES / "defaced.html").read_text()
DATE, NEW_DATE = "Senin, 3 Maret 2025", "Selasa, 4 Maret 2025"
# Reports what the page's scripts see, as the path of an image it asks for.
LANGUAGE_BEACON = ("<script>new Image().src = '/seen?' + encodeURIComponent("
                   "navigator.languages.join(',') + '|' + document.referrer);</script>")
ENDLESS = "<!DOCTYPE html><body style='margin:0'><div style='height:50000px;background:#13579b'></div></body>"


@pytest.fixture(scope="module")
def site():
    with PageServer() as server:
        server.page("/", PORTAL).page("/tanggal", PORTAL.replace(DATE, NEW_DATE)).page("/defaced", DEFACED)
        server.page("/bahasa", PORTAL.replace("</body>", LANGUAGE_BEACON + "</body>"))
        server.page("/endless", ENDLESS).page("/seen", b"", content_type="image/gif")
        yield server


@pytest.fixture(scope="module")
def shots(site, tmp_path_factory):
    asked = {
        "baseline": ShotRequest(site.url("/")),
        "again": ShotRequest(site.url("/")),
        "date": ShotRequest(site.url("/tanggal")),
        "defaced": ShotRequest(site.url("/defaced")),
        "unreachable": ShotRequest(f"http://127.0.0.1:{closed_port()}/"),
        "mobile": ShotRequest(site.url("/"), Identity.MOBILE),
        "googlebot": ShotRequest(site.url("/"), Identity.GOOGLEBOT),
        "search": ShotRequest(site.url("/bahasa"), Identity.SEARCH),
        "endless": ShotRequest(site.url("/endless")),
    }
    with browser_settings():
        taken = capture(list(asked.values()), tmp_path_factory.mktemp("shots"), allow_private=True, timeout=20)
    return dict(zip(asked, taken, strict=True))


def png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        assert image.format == "PNG"
        return image.size


def test_desktop_shot_is_the_whole_page_at_desktop_width(shots):
    shot = shots["baseline"]
    assert shot.ok and shot.status == 200 and shot.identity == "normal"
    assert shot.path is not None and png_size(shot.path) == (shot.width, shot.height)
    assert shot.width == 1366 and 900 < shot.height < MAX_HEIGHT  # longer than the window, all of it
    assert shot.final_url == shot.url


def test_mobile_identity_gets_the_phone_layout(shots, site):
    shot = shots["mobile"]
    assert shot.ok and shot.width == 390 and shot.height > shots["baseline"].height  # one column: longer
    agents = [headers["user-agent"] for headers in site.headers_for("/")]
    assert any("Mobile" in agent and "Android" in agent for agent in agents)


def test_identities_send_their_headers(shots, site):
    assert shots["googlebot"].ok and shots["search"].ok
    assert any("Googlebot" in headers["user-agent"] for headers in site.headers_for("/"))
    (search,) = site.headers_for("/bahasa")
    assert search["referer"] == "https://www.google.co.id/"
    assert search["accept-language"].startswith("id-ID")
    # The page's own scripts see the same language and referrer as the headers say.
    seen = [path for path in site.paths if path.startswith("/seen?")]
    assert seen == ["/seen?id-ID%2Cid%2Cen-US%2Cen%7Chttps%3A%2F%2Fwww.google.co.id%2F"]


def test_an_endless_page_is_cut(shots):
    assert shots["endless"].ok and shots["endless"].height == MAX_HEIGHT


def test_an_unreachable_page_gives_an_error_shot_and_the_rest_go_on(shots):
    failed = shots["unreachable"]
    assert not failed.ok and failed.path is None and failed.width == failed.height == 0
    assert "refused" in failed.error.lower()
    later = list(shots).index("unreachable") + 1
    assert all(shot.ok for shot in list(shots.values())[later:])


def test_the_same_page_did_not_change(shots):
    diff = compare_images(shots["baseline"].path, shots["again"].path)
    assert not diff.changed and diff.ratio == 0 and diff.hash_distance == 0 and diff.boxes == ()


def test_a_new_date_is_small_and_located(shots, tmp_path):
    baseline, current = shots["baseline"].path, shots["date"].path
    diff = compare_images(baseline, current)
    assert not diff.changed and 0 < diff.ratio < CHANGED_RATIO / 10
    exact = difference_bbox(baseline, current)
    assert exact is not None and covered(diff.boxes, exact)
    (box,) = diff.boxes
    assert box.bottom <= 36 + 16 and box.right <= 300  # the date, top left in the top bar
    picture = side_by_side(baseline, current, diff, tmp_path / "date.png")
    assert png_size(picture)[0] <= 1600


def test_a_defaced_page_changed(shots):
    diff = compare_images(shots["baseline"].path, shots["defaced"].path)
    assert diff.changed and diff.ratio > 0.5 and diff.hash_distance >= CHANGED_HASH_DISTANCE
    assert shots["defaced"].height == 900  # a short page: the window's height
