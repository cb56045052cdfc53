"""The http check against real local servers: failures, redirects, conditions, the address policy."""

from __future__ import annotations

import ssl

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from jagaweb.monitor.checks.http import HttpCheck
from jagaweb.monitor.choices import Status
from tests.monitor.servers import WebServer, closed_port, hosts_for, run, spec_for
from tests.monitor.tlsservers import TestPKI

HTTP = HttpCheck()
PAGE = "<html><body><h1>Berita Terbaru</h1><p>Portal Resmi Diskominfo</p></body></html>"


@pytest.fixture
def web():
    with WebServer() as server:
        server.route("/", PAGE)
        yield server


def check(url: str, config: dict | None = None, **options):
    return run(HTTP, spec_for(HTTP, url, config=config, **options))


def test_up_with_status_time_and_size(web):
    outcome = check(web.url("/"))
    assert outcome.status == Status.UP
    assert outcome.facts == {"status_code": 200, "size": len(PAGE)}
    assert outcome.response_ms is not None and 0 < outcome.response_ms < 5000
    assert outcome.message.startswith("HTTP 200 in ")


def test_server_error_is_down(web):
    web.route("/broken", "Internal Server Error", status=500)
    outcome = check(web.url("/broken"))
    assert outcome.status == Status.DOWN
    assert "HTTP status is 500, expected 200-399" in outcome.message
    assert outcome.facts["status_code"] == 500


def test_slow_server_times_out(web):
    web.route("/slow", "late", delay=3)
    outcome = check(web.url("/slow"), timeout=0.3)
    assert outcome.status == Status.DOWN
    assert outcome.message == "127.0.0.1 did not answer within 0.3 s."
    assert outcome.response_ms is None


def test_reset_connection_is_down_with_a_clear_message(web):
    web.route("/reset", reset=True)
    outcome = check(web.url("/reset"))
    assert outcome.status == Status.DOWN
    assert outcome.message == "127.0.0.1 reset the connection."


def test_dropped_connection_is_down(web):
    web.route("/drop", drop=True)
    outcome = check(web.url("/drop"))
    assert outcome.status == Status.DOWN
    assert outcome.message == "127.0.0.1 closed the connection without answering."


def test_refused_connection_names_the_host():
    outcome = check(f"http://127.0.0.1:{closed_port()}/")
    assert outcome.status == Status.DOWN
    assert outcome.message.startswith("Could not connect to 127.0.0.1: ")
    assert "refused" in outcome.message.lower()


@pytest.mark.parametrize(("url", "expected"), [
    ("not a url", "Not a valid URL: it does not start with http:// or https://"),
    ("ftp://portal.example.go.id/", "Only http and https URLs are allowed, not 'ftp'."),
    ("http:///path-only", "The URL has no host."),
    ("http://[::1/", "Not a valid URL"),
])
def test_invalid_url_is_down(url, expected):
    outcome = check(url)
    assert outcome.status == Status.DOWN
    assert expected in outcome.message


def test_unresolvable_host_is_down():
    outcome = check("http://nowhere.invalid/")
    assert outcome.status == Status.DOWN
    assert "Cannot resolve nowhere.invalid" in outcome.message


def test_private_address_is_refused_unless_allowed(web):
    refused = check(web.url("/"), allow_private=False)
    assert refused.status == Status.DOWN
    assert "Refused to connect to 127.0.0.1" in refused.message and "loopback" in refused.message
    assert web.hits == []
    assert check(web.url("/"), allow_private=True).status == Status.UP


def test_named_host_goes_through_the_policy(web):
    with override_settings(JAGAWEB_NET_HOSTS=hosts_for("portal.example.go.id")):
        refused = check(web.url("/", host="portal.example.go.id"), allow_private=False)
        allowed = check(web.url("/", host="portal.example.go.id"))
    assert refused.status == Status.DOWN and "portal.example.go.id (127.0.0.1)" in refused.message
    assert allowed.status == Status.UP


def test_redirect_chain_is_recorded(web):
    web.redirect("/a", "/b", status=301)
    web.redirect("/b", web.url("/c"), status=302)
    web.redirect("/c", "/", status=307)
    outcome = check(web.url("/a"))
    assert outcome.status == Status.UP
    assert outcome.facts["redirects"] == [
        {"url": web.url("/a"), "status": 301}, {"url": web.url("/b"), "status": 302},
        {"url": web.url("/c"), "status": 307},
    ]
    assert outcome.facts["final_url"] == web.url("/")
    assert web.hits == ["/a", "/b", "/c", "/"]


def test_too_many_redirects_is_down(web):
    web.redirect("/loop", "/loop")
    outcome = check(web.url("/loop"), {"max_redirects": 3})
    assert outcome.status == Status.DOWN
    assert outcome.message == f"More than 3 redirects, starting at {web.url('/loop')}."
    assert len(web.hits) == 4


def test_each_redirect_hop_is_resolved_and_named(web):
    """Every hop opens its own connection through the policy connector, so the new host is looked up
    (and judged) again; the message names the hop that failed, not the first URL."""
    web.redirect("/", "http://nowhere.invalid/landing")
    outcome = check(web.url("/"))
    assert outcome.status == Status.DOWN
    assert "Cannot resolve nowhere.invalid" in outcome.message
    assert web.hits == ["/"]


def test_redirect_to_another_scheme_is_refused(web):
    web.redirect("/", "file:///etc/passwd")
    outcome = check(web.url("/"))
    assert outcome.status == Status.DOWN
    assert outcome.message == "Redirected to an address that is not http(s): file:///etc/passwd"


def test_max_redirects_zero_judges_the_redirect_itself(web):
    web.redirect("/old", "/", status=301)
    outcome = check(web.url("/old"), {"max_redirects": 0})
    assert outcome.status == Status.DOWN
    assert outcome.message == f"More than 0 redirects, starting at {web.url('/old')}."


def test_keyword_present_and_absent(web):
    present = check(web.url("/"), {"conditions": [{"field": "keyword", "op": "contains", "value": "Berita"}]})
    missing = check(web.url("/"), {"conditions": [{"field": "keyword", "op": "contains", "value": "Pengumuman"}]})
    assert present.status == Status.UP
    assert missing.status == Status.DOWN and "keyword 'Pengumuman' not found" in missing.message


def test_unwanted_keyword_and_case(web):
    web.route("/judi", "<p>Situs SLOT GACOR terpercaya</p>")
    config = {"conditions": [{"field": "keyword", "op": "not contains", "value": "slot gacor", "ignore_case": True}]}
    assert check(web.url("/"), config).status == Status.UP
    outcome = check(web.url("/judi"), config)
    assert outcome.status == Status.DOWN and "unwanted keyword 'slot gacor' found" in outcome.message
    case_sensitive = {"conditions": [{"field": "keyword", "op": "not contains", "value": "slot gacor"}]}
    assert check(web.url("/judi"), case_sensitive).status == Status.UP


def test_keyword_in_a_declared_charset(web):
    web.route("/latin", "<p>Pengumuman Kepala Dinas: café</p>".encode("iso-8859-1"),
              content_type="text/html; charset=iso-8859-1")
    web.route("/bogus", b"<p>Berita \xff\xfe</p>", content_type="text/html; charset=nonsense-42")
    latin = check(web.url("/latin"), {"conditions": [{"field": "keyword", "op": "contains", "value": "café"}]})
    bogus = check(web.url("/bogus"), {"conditions": [{"field": "keyword", "op": "contains", "value": "Berita"}]})
    assert latin.status == Status.UP
    assert bogus.status == Status.UP


def test_size_condition_and_bounded_body(web):
    web.route("/big", b"x" * (3 * 1024 * 1024))
    small = check(web.url("/"), {"conditions": [{"field": "size", "op": ">=", "value": 1000}]})
    assert small.status == Status.DOWN
    assert f"size (bytes) is {len(PAGE)}, expected >= 1000" in small.message
    big = check(web.url("/big"), {"conditions": [{"field": "size", "op": ">=", "value": 1000}]})
    assert big.status == Status.UP
    assert big.facts["size"] == 2 * 1024 * 1024 and big.facts["truncated"] is True


def test_slow_answer_is_degraded_when_the_condition_says_so(web):
    web.route("/sluggish", PAGE, delay=0.3)
    config = {"conditions": [{"field": "response_ms", "op": "<", "value": 100, "otherwise": "degraded"}]}
    outcome = check(web.url("/sluggish"), config)
    assert outcome.status == Status.DEGRADED
    assert "response time (ms) is " in outcome.message and "expected < 100" in outcome.message
    assert outcome.response_ms is not None and outcome.response_ms >= 300
    assert check(web.url("/"), config).status == Status.UP


def test_combined_conditions_all_report_every_failure(web):
    web.route("/slow-500", "Maaf", status=503, delay=0.2)
    config = {"conditions": [
        {"field": "status", "op": "in", "value": "200-399"},
        {"field": "keyword", "op": "contains", "value": "Berita"},
        {"field": "response_ms", "op": "<", "value": 100, "otherwise": "degraded"},
    ], "match": "all"}
    assert check(web.url("/"), config).status == Status.UP
    outcome = check(web.url("/slow-500"), config)
    assert outcome.status == Status.DOWN  # the worst failure decides
    assert "HTTP status is 503, expected 200-399" in outcome.message
    assert "keyword 'Berita' not found" in outcome.message
    assert "response time (ms)" in outcome.message


def test_match_any_needs_one_holding_condition(web):
    web.route("/english", "<h1>Latest news</h1>")
    config = {"conditions": [
        {"field": "keyword", "op": "contains", "value": "Berita"},
        {"field": "keyword", "op": "contains", "value": "news"},
    ], "match": "any"}
    assert check(web.url("/"), config).status == Status.UP
    assert check(web.url("/english"), config).status == Status.UP
    web.route("/other", "<h1>Selamat datang</h1>")
    outcome = check(web.url("/other"), config)
    assert outcome.status == Status.DOWN
    assert "'Berita' not found" in outcome.message and "'news' not found" in outcome.message


def test_status_condition_replaces_the_default(web):
    web.route("/gone", "hilang", status=410)
    assert check(web.url("/gone")).status == Status.DOWN
    exactly_410 = {"conditions": [{"field": "status", "op": "==", "value": 410}]}
    any_4xx = {"conditions": [{"field": "status", "op": "in", "value": "4xx"}]}
    assert check(web.url("/gone"), exactly_410).status == Status.UP
    assert check(web.url("/gone"), any_4xx).status == Status.UP
    # A keyword condition alone keeps the 200-399 rule: an error page showing the keyword is no working site.
    web.route("/error-with-keyword", "Berita", status=500)
    config = {"conditions": [{"field": "keyword", "op": "contains", "value": "Berita"}]}
    assert check(web.url("/error-with-keyword"), config).status == Status.DOWN


def test_final_url_condition_catches_a_hijacking_redirect(web):
    web.redirect("/", web.url("/slot-online"))
    web.route("/slot-online", "<h1>Daftar</h1>")
    config = {"conditions": [{"field": "final_url", "op": "not contains", "value": "slot"}]}
    outcome = check(web.url("/"), config)
    assert outcome.status == Status.DOWN
    assert f"final URL {web.url('/slot-online')} contains 'slot'" in outcome.message


def test_head_method(web):
    outcome = check(web.url("/"), {"method": "HEAD"})
    assert outcome.status == Status.UP
    assert outcome.facts["size"] == 0


def test_stale_invalid_options_give_unknown(web):
    spec = spec_for(HTTP, web.url("/"))
    broken = type(spec)(**{**spec.__dict__, "config": {"conditions": [{"field": "status", "op": "in", "value": "x"}]}})
    outcome = run(HTTP, broken)
    assert outcome.status == Status.UNKNOWN
    assert "options are invalid" in outcome.message


# --- clean_config ---

def test_clean_config_fills_defaults():
    assert HTTP.clean_config({}) == {"method": "GET", "conditions": [], "match": "all", "max_redirects": 10,
                                     "verify_tls": True}


def test_clean_config_normalises_conditions():
    cleaned = HTTP.clean_config({"method": "get", "max_redirects": "5", "conditions": [
        {"field": "status", "op": "in", "value": ["200-299", 301]},
        {"field": "response_ms", "op": "<", "value": "2000", "otherwise": "degraded"},
        {"field": "keyword", "op": "contains", "value": "Berita"},
    ]})
    assert cleaned["method"] == "GET" and cleaned["max_redirects"] == 5
    assert cleaned["conditions"] == [
        {"field": "status", "op": "in", "otherwise": "down", "value": "200-299,301"},
        {"field": "response_ms", "op": "<", "otherwise": "degraded", "value": 2000},
        {"field": "keyword", "op": "contains", "otherwise": "down", "value": "Berita", "ignore_case": False},
    ]


@pytest.mark.parametrize(("config", "message"), [
    ({"conditions": [{"field": "colour", "op": "==", "value": 1}]}, "Condition 1: unknown field 'colour'"),
    ({"conditions": [{"field": "status", "op": "contains", "value": "x"}]},
     "status cannot be compared with 'contains'"),
    ({"conditions": [{"field": "status", "op": "in", "value": "399-200"}]}, "'399-200' is not a status list"),
    ({"conditions": [{"field": "status", "op": "in", "value": "200-700"}]}, "is not a status list"),
    ({"conditions": [{"field": "response_ms", "op": "<", "value": "fast"}]}, "'fast' is not a number"),
    ({"conditions": [{"field": "size", "op": ">", "value": -5}]}, "-5 is not a number of zero or more"),
    ({"conditions": [{"field": "keyword", "op": "contains", "value": ""}]}, "must be text of 1 to 500"),
    ({"conditions": [{"field": "status", "op": "==", "value": 200, "otherwise": "up"}]}, "otherwise must be"),
    ({"conditions": [{"field": "status", "op": "==", "value": 200, "colour": 1}]}, "unknown option colour"),
    ({"conditions": "status is 200"}, "Conditions must be a list."),
    ({"method": "POST"}, "The method must be GET or HEAD."),
    ({"match": "most"}, "Match must be 'all' or 'any'."),
    ({"max_redirects": 99}, "Maximum redirects must be a whole number from 0 to 20."),
    ({"verbose": True}, "Unknown option: verbose."),
    (["GET"], "The options must be a JSON object."),
    ({"method": "HEAD", "conditions": [{"field": "keyword", "op": "contains", "value": "x"}]}, "need the GET method"),
])
def test_clean_config_rejects_with_clear_messages(config, message):
    with pytest.raises(ValidationError) as caught:
        HTTP.clean_config(config)
    assert any(message in text for text in caught.value.messages), caught.value.messages


def test_clean_config_reports_every_bad_condition():
    with pytest.raises(ValidationError) as caught:
        HTTP.clean_config({"conditions": [{"field": "x"}, {"field": "size", "op": ">", "value": 1}, {"field": "y"}]})
    assert [text[:12] for text in caught.value.messages] == ["Condition 1:", "Condition 3:"]


# --- HTTPS ---

@pytest.fixture
def pki(tmp_path):
    return TestPKI(tmp_path)


def https_server(pair):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pair.cert, pair.key)
    return WebServer(tls=context)


def test_https_with_a_trusted_certificate(pki):
    with https_server(pki.leaf("portal", ["portal.example.go.id"])) as web, override_settings(
        JAGAWEB_NET_HOSTS=hosts_for("portal.example.go.id"), JAGAWEB_NET_CA_FILE=str(pki.ca_file),
    ):
        web.route("/", PAGE)
        outcome = check(web.url("/", host="portal.example.go.id"))
    assert outcome.status == Status.UP, outcome.message


def test_https_with_a_self_signed_certificate(pki):
    with https_server(pki.leaf("self", ["portal.example.go.id"], self_signed=True)) as web, override_settings(
        JAGAWEB_NET_HOSTS=hosts_for("portal.example.go.id"), JAGAWEB_NET_CA_FILE=str(pki.ca_file),
    ):
        web.route("/", PAGE)
        url = web.url("/", host="portal.example.go.id")
        refused = check(url)
        unverified = check(url, {"verify_tls": False})
    assert refused.status == Status.DOWN
    assert refused.message.startswith("The TLS certificate of portal.example.go.id is not valid: ")
    assert "self-signed" in refused.message or "self signed" in refused.message
    assert unverified.status == Status.UP
