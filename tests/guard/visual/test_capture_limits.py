"""Pages that never finish loading or never stop running scripts still end within the timeout."""

from __future__ import annotations

import pytest

from jagaweb.guard.visual import ShotRequest, capture
from tests.guard.visual.browsing import browser_settings
from tests.guard.visual.server import PageServer

pytestmark = pytest.mark.browser

PAGE = "<!DOCTYPE html><body><h1>Dinas Contoh</h1>{}</body>"


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    with PageServer() as site:
        # The image is answered only when the server stops: the load event never comes.
        site.page("/stuck", PAGE.format('<img src="/never.png">'))
        site.page("/never.png", b"", content_type="image/png", delay=120)
        site.page("/busy", PAGE.format("<script>for (;;) {}</script><p>never parsed</p>"))
        site.page("/fine", PAGE.format("<p>Selamat datang</p>"))
        requests = [ShotRequest(site.url(path)) for path in ("/stuck", "/busy", "/fine")]
        with browser_settings():
            taken = capture(requests, tmp_path_factory.mktemp("limits"), allow_private=True, timeout=5)
        return dict(zip(("stuck", "busy", "fine"), taken, strict=True))


def test_a_page_whose_load_never_ends_is_shot_as_it_stands(shots):
    shot = shots["stuck"]
    assert shot.ok and shot.path is not None and shot.width == 1366


def test_a_page_whose_script_never_ends_gives_an_error(shots):
    shot = shots["busy"]
    assert not shot.ok and shot.path is None and "Timeout" in shot.error


def test_the_next_page_is_shot_after_a_hung_one(shots):
    assert shots["fine"].ok and shots["fine"].path is not None
