"""Optional reverse-DNS confirmation of fake-crawler findings, through jagaweb.net against a local DNS server."""

from __future__ import annotations

import asyncio

from jagaweb.logwatch.detect import Behaviour, confirm_fake_bots
from jagaweb.logwatch.detect.crawlers import crawler_confirmed
from tests.logwatch.detect.frames import batch, row
from tests.monitor.dnsserver import DnsServer

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
# 192.0.2.10 is outside Google's listed networks but (in this test's DNS) really is a Google crawler;
# 192.0.2.20 names itself googlebot.com, but the name does not resolve back; 192.0.2.30 has no name.
RECORDS = {
    ("10.2.0.192.in-addr.arpa", "PTR"): ["crawl-192-0-2-10.googlebot.com."],
    ("crawl-192-0-2-10.googlebot.com", "A"): ["192.0.2.10"],
    ("20.2.0.192.in-addr.arpa", "PTR"): ["crawl-fake.googlebot.com."],
    ("crawl-fake.googlebot.com", "A"): ["198.51.100.1"],
    ("40.2.0.192.in-addr.arpa", "PTR"): ["host.example.net."],
    ("host.example.net", "A"): ["192.0.2.40"],
}


def test_confirmation_drops_only_crawlers_that_dns_vouches_for():
    rows = [row("/", ip=f"192.0.2.{last}", agent=GOOGLEBOT, at=index) for index, last in enumerate((10, 20, 30, 40))]
    rows.append(row("/.env", ip="192.0.2.99", at=9))
    findings = Behaviour().feed(batch(rows))
    assert findings.get_column("ip").to_list() == ["192.0.2.10", "192.0.2.20", "192.0.2.30", "192.0.2.40"]
    with DnsServer(RECORDS) as server:
        kept = asyncio.run(confirm_fake_bots(findings, timeout=2.0, servers=[("127.0.0.1", server.port)]))
    assert kept.get_column("ip").to_list() == ["192.0.2.20", "192.0.2.30", "192.0.2.40"]
    assert kept.columns == findings.columns


def test_a_silent_resolver_confirms_nothing():
    with DnsServer(RECORDS, silent=True) as server:
        confirmed = asyncio.run(crawler_confirmed("192.0.2.10", "Googlebot", timeout=0.5,
                                                  servers=[("127.0.0.1", server.port)]))
    assert confirmed is False
