"""Behaviour per client over sliding windows, across batches and files, with bounded memory.

Every test runs twice: with the windows counted by the compiled part (native/window.c) and by Polars."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from jagaweb.logwatch.detect import FINDING_SCHEMA, Behaviour, BehaviourConfig
from tests.logwatch.detect.frames import batch, row
from tests.logwatch.native import counting_both_ways

counting = pytest.fixture(autouse=True, params=["native", "polars"])(counting_both_ways)

ATTACKER = "198.51.100.23"
VISITOR = "203.0.113.10"


def login_posts(count: int, *, start: float = 0.0, every: float = 10.0, first_line: int = 1,
                ip: str = ATTACKER, file: str = "access.log") -> list[dict]:
    return [row("/wp-login.php", method="POST", ip=ip, at=start + index * every, line=first_line + index,
                file=file) for index in range(count)]


def rules(findings: pl.DataFrame) -> list[str]:
    return findings.get_column("rule").to_list()


def test_brute_force_split_over_two_batches_and_files():
    watcher = Behaviour()
    first = watcher.feed(batch(login_posts(6, file="access.log.1")))
    second = watcher.feed(batch(login_posts(6, start=60, first_line=1, file="access.log")))
    assert first.is_empty()
    assert second.height == 1
    found = second.row(0, named=True)
    assert (found["category"], found["rule"], found["ip"]) == ("brute-force", "login", ATTACKER)
    # the tenth attempt reached the threshold: it is the fourth line of the second file
    assert (found["file"], found["line"]) == ("access.log", 4)
    assert found["detail"] == "10 login attempts in 5 min"
    assert dict(second.schema) == FINDING_SCHEMA


def test_attempts_too_far_apart_do_not_add_up():
    watcher = Behaviour()
    assert watcher.feed(batch(login_posts(9, every=20))).is_empty()
    assert watcher.feed(batch(login_posts(9, start=3600, every=20))).is_empty()


def test_one_finding_per_client_per_window():
    watcher = Behaviour()
    findings = watcher.feed(batch(login_posts(100, every=3)))  # 300 s: attempts 10..100 all over the threshold
    assert rules(findings) == ["login"]
    later = watcher.feed(batch(login_posts(30, start=400, every=3, first_line=101)))
    assert rules(later) == ["login"]  # a new window, a new finding


def test_other_clients_do_not_count_towards_a_client():
    posts = [row("/wp-login.php", method="POST", ip=f"10.0.0.{index}", at=index, line=index + 1)
             for index in range(50)]
    assert Behaviour().feed(batch(posts)).is_empty()


def test_xmlrpc_and_http_auth_brute_force():
    rows = [row("/xmlrpc.php", method="POST", ip=ATTACKER, at=index) for index in range(5)]
    rows += [row("/admin/", ip="192.0.2.9", status=401, at=index) for index in range(10)]
    found = Behaviour().feed(batch(rows))
    assert sorted(found.select("ip", "rule").rows()) == [("192.0.2.9", "http-auth"), (ATTACKER, "xmlrpc")]


def test_directory_busting_counts_distinct_missing_paths():
    watcher = Behaviour()
    same = [row("/favicon.ico", ip=VISITOR, status=404, at=index) for index in range(40)]
    assert "directory-busting" not in rules(watcher.feed(batch(same)))
    sweep = [row(f"/{word}/", ip=ATTACKER, status=404, at=index)
             for index, word in enumerate(f"admin{n}" for n in range(30))]
    found = watcher.feed(batch(sweep))
    assert found.filter(pl.col("rule") == "directory-busting").get_column("ip").to_list() == [ATTACKER]


def test_error_flood():
    refused = [row("/wp-admin/", ip=ATTACKER, status=403, at=index / 2) for index in range(60)]
    assert "error-flood" in rules(Behaviour().feed(batch(refused)))


def test_rate_spike_and_aggressive_crawling():
    config = BehaviourConfig(spike_pages=50, crawl_pages=100)
    burst = [row(f"/berita/{index}", ip=ATTACKER, at=index / 10) for index in range(60)]  # 60 in 6 s
    steady = [row(f"/halaman/{index}", ip=VISITOR, at=index * 2) for index in range(120)]  # 120 pages in 4 min
    # a page load is a burst of images, styles and scripts: neither a spike nor crawling
    images = [row(f"/images/{index}.jpg?v=2", ip="192.0.2.50", at=index / 20) for index in range(120)]
    found = Behaviour(config).feed(batch(burst + steady + images))
    assert set(found.select("ip", "rule").rows()) == {(VISITOR, "aggressive-crawl"), (ATTACKER, "rate-spike")}


def test_an_ordinary_visit_raises_nothing():
    page = [row(path, ip=VISITOR, at=second) for second, path in enumerate(
        ["/", "/assets/css/style.css", "/assets/js/app.js", "/images/logo.png", "/berita", "/favicon.ico",
         "/berita/2024/pengumuman-cpns?kategori=umum&page=2", "/kontak"])]
    page += [row("/login", method="POST", ip=VISITOR, at=20), row("/admin/", ip=VISITOR, at=21)]
    assert Behaviour().feed(batch(page)).is_empty()


def test_fake_crawler_is_flagged_once_per_window_and_real_ones_not():
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    bingbot = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
    rows = [row("/", ip="66.249.66.1", agent=googlebot, at=1), row("/", ip="157.55.39.1", agent=bingbot, at=2),
            row("/", ip="2001:4860:4801:10::1", agent=googlebot, at=3),
            row("/", ip="192.0.2.222", agent=googlebot, at=4), row("/a", ip="192.0.2.222", agent=googlebot, at=5),
            row("/", ip="192.0.2.223", agent=bingbot, at=6),
            row("/", ip="192.0.2.224", agent="Feedly/1.0 (like FeedFetcher-Google)", at=7)]
    found = Behaviour().feed(batch(rows))
    assert found.select("ip", "rule", "line").rows() == [("192.0.2.222", "fake-crawler", 4),
                                                         ("192.0.2.223", "fake-crawler", 6)]
    assert found.get_column("detail").to_list()[0] == "claims to be Googlebot from outside its owner's networks"


def test_idle_clients_are_forgotten():
    watcher = Behaviour()
    for hour in range(6):
        crowd = [row("/wp-login.php", method="POST", ip=f"10.{hour}.{index // 250}.{index % 250}",
                     at=hour * 3600 + index % 60, line=index + 1) for index in range(1000)]
        watcher.feed(batch(crowd))
        assert watcher.clients() <= 1000  # only this hour's crowd: the previous ones went idle
    quiet = batch([row("/", ip=VISITOR, at=6 * 3600 + 7200)])
    watcher.feed(quiet)
    assert watcher.clients() == 1
    assert watcher.remembered_rows() <= 10


def test_memory_bound_caps_a_rule_that_remembers_too_much():
    watcher = Behaviour(BehaviourConfig(max_rows_per_rule=100, crawl_window=timedelta(hours=1)))
    watcher.feed(batch([row(f"/p/{index}", ip=f"10.1.{index // 250}.{index % 250}", at=index)
                        for index in range(1000)]))
    assert all(rule.counter.carry.height <= 100 for rule in watcher.rules)


def test_batches_out_of_time_order_inside_are_sorted():
    posts = login_posts(10, every=5)
    found = Behaviour().feed(batch(list(reversed(posts))))
    assert found.get_column("rule").to_list() == ["login"]


def test_rows_without_address_or_time_are_skipped():
    frame = batch(login_posts(12)).with_columns(pl.lit(None, dtype=pl.String).alias("ip"))
    assert Behaviour().feed(frame).is_empty()
    assert Behaviour().feed(batch([])).is_empty()


def test_findings_do_not_depend_on_how_the_rows_are_batched():
    """A client gets a new finding once a whole window has passed since its last one, whether the rows come
    in one batch (a scan) or in several (live ingest, every minute)."""
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    rows = [row("/", ip="192.0.2.222", agent=googlebot, at=hours * 3600, line=line)
            for line, hours in enumerate((0, 1.5, 2.2, 2.4, 4.0), start=1)]
    whole = Behaviour().feed(batch(rows))
    watcher = Behaviour()
    parts = [watcher.feed(batch(rows[:2])), watcher.feed(batch(rows[2:4])), watcher.feed(batch(rows[4:]))]
    split = pl.concat([part for part in parts if not part.is_empty()])
    # 1.5 h is a window after 0; 2.2 h and 2.4 h are within an hour of 1.5 h; 4.0 h is not
    assert whole.get_column("line").to_list() == [1, 2, 5]
    assert split.get_column("line").to_list() == [1, 2, 5]
