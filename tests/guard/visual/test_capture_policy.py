"""Nothing a captured page loads may reach a private address unless allowed: page, subresources, redirect
hops, scripts, workers, websockets, frames, preconnects.

127.0.0.1 is private itself, so the site is reached by name (JAGAWEB_NET_HOSTS points portal.example.go.id
and intranet.example.go.id at 127.0.0.1) and opened with `private_hosts`: the page loads, and the second
server - standing for the intranet - must see no connection at all. The same page with allow_private=True
reaches it by every one of those ways, which shows that each probe works.
"""

from __future__ import annotations

import pytest

from jagaweb.guard.visual import ShotRequest, capture
from tests.guard.visual.browsing import INTRANET_HOST, PORTAL_HOST, browser_settings, local_names
from tests.guard.visual.server import PageServer

pytestmark = pytest.mark.browser

# Everything that reaches the intranet server, by the path it asks for.
PROBES = {"/img.png", "/literal.png", "/redirected.png", "/style.css", "/frame", "/fetch", "/worker", "/ws"}


def probe_page(inside: PageServer) -> str:
    named, literal = f"http://{INTRANET_HOST}:{inside.port}", f"http://127.0.0.1:{inside.port}"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="preconnect" href="{named}"><link rel="stylesheet" href="{named}/style.css"></head>
<body><h1>Dinas Contoh</h1>
<img src="{named}/img.png"><img src="{literal}/literal.png"><img src="/hop">
<iframe src="{named}/frame"></iframe>
<script>
  fetch("{named}/fetch", {{mode: "no-cors"}}).catch(function () {{}});
  new Worker("/worker.js");
  try {{ new WebSocket("ws://{INTRANET_HOST}:{inside.port}/ws"); }} catch (e) {{}}
</script>
<img src="/late.png">
</body></html>"""


def serve_probe(site: PageServer, inside: PageServer) -> None:
    site.page("/probe", probe_page(inside))
    site.redirect("/hop", f"http://{INTRANET_HOST}:{inside.port}/redirected.png")
    site.redirect("/away", f"http://{INTRANET_HOST}:{inside.port}/landing")
    worker = f'fetch("http://{INTRANET_HOST}:{inside.port}/worker", {{mode: "no-cors"}}).catch(function () {{}});'
    site.page("/worker.js", worker, content_type="application/javascript")
    # Holds the load event for a second, so the script's requests have been made when the shot is taken.
    site.page("/late.png", b"", content_type="image/png", delay=1.0)


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    """One capture with allow_private=False: the servers afterwards, and the shots by name."""
    with PageServer() as site, PageServer() as inside:
        serve_probe(site, inside)
        asked = {
            "probe": ShotRequest(site.url("/probe", host=PORTAL_HOST)),
            "by-address": ShotRequest(site.url("/probe")),
            "redirected": ShotRequest(site.url("/away", host=PORTAL_HOST)),
            "unresolvable": ShotRequest("http://nowhere.invalid/"),
            "file": ShotRequest("file:///etc/passwd"),
        }
        with browser_settings(JAGAWEB_NET_HOSTS=local_names()):
            shots = capture(list(asked.values()), tmp_path_factory.mktemp("refused"), allow_private=False,
                            private_hosts=[PORTAL_HOST], timeout=20)
    return site, inside, dict(zip(asked, shots, strict=True))


@pytest.fixture(scope="module")
def allowed(tmp_path_factory):
    with PageServer() as site, PageServer() as inside:
        serve_probe(site, inside)
        with browser_settings(JAGAWEB_NET_HOSTS=local_names()):
            (shot,) = capture([ShotRequest(site.url("/probe", host=PORTAL_HOST))], tmp_path_factory.mktemp("allowed"),
                              allow_private=True, timeout=20)
    return site, inside, shot


def test_every_probe_reaches_the_intranet_when_private_addresses_are_allowed(allowed):
    _site, inside, shot = allowed
    assert shot.ok and shot.refused == ()
    assert {path.split("?")[0] for path in inside.paths} >= PROBES


def test_the_page_loads_but_nothing_it_asks_for_reaches_the_intranet(refused):
    site, inside, shots = refused
    shot = shots["probe"]
    assert shot.ok and shot.status == 200 and shot.path is not None
    assert {"/probe", "/hop", "/worker.js", "/late.png"} <= set(site.paths)  # the page did ask
    assert inside.paths == [] and inside.connections == 0
    assert shot.refused == (f"127.0.0.1:{inside.port}", f"{INTRANET_HOST}:{inside.port}")


def test_private_hosts_opens_only_the_name_not_the_address(refused):
    site, _inside, shots = refused
    shot = shots["by-address"]
    assert not shot.ok and shot.path is None
    assert "127.0.0.1" in shot.error and "loopback" in shot.error
    assert site.paths.count("/probe") == 1  # only the request by name arrived


def test_a_page_redirecting_into_the_intranet_is_refused(refused):
    _site, inside, shots = refused
    shot = shots["redirected"]
    assert not shot.ok and INTRANET_HOST in shot.error and "loopback" in shot.error
    assert shot.final_url == f"http://{INTRANET_HOST}:{inside.port}/landing"
    assert inside.connections == 0


def test_unresolvable_names_and_other_schemes_are_errors(refused):
    _site, _inside, shots = refused
    assert "Cannot resolve nowhere.invalid" in shots["unresolvable"].error
    assert "Only http and https" in shots["file"].error and shots["file"].path is None
