"""Search-engine crawlers: who claims to be one, whether the address belongs to its owner, and (optionally)
what reverse DNS says.

The vectorised check compares the client address with the networks Google and Microsoft crawl from. Those
lists change; an address outside them is a strong hint, not proof, and the owners' documented proof is
forward-confirmed reverse DNS, which `confirm_claims` does through jagaweb.net when asked to.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Crawler:
    name: str
    agent_regex: str  # on the lower-cased User-Agent
    networks: tuple[str, ...]
    dns_suffixes: tuple[str, ...]  # what a genuine address's reverse name ends with


CRAWLERS: tuple[Crawler, ...] = (
    Crawler(
        "Googlebot",
        # "like FeedFetcher-Google" (Feedly) is a comparison, not a claim, so feed fetchers are not listed
        r"googlebot|google-inspectiontool|googleother|adsbot-google|mediapartners-google|storebot-google|"
        r"apis-google",
        ("66.249.64.0/19", "64.233.160.0/19", "66.102.0.0/20", "72.14.192.0/18", "74.125.0.0/16",
         "209.85.128.0/17", "216.239.32.0/19", "192.178.0.0/15", "2001:4860::/32"),
        (".googlebot.com", ".google.com", ".googleusercontent.com"),
    ),
    Crawler(
        "Bingbot",
        r"bingbot|msnbot|bingpreview|adidxbot",
        ("157.54.0.0/15", "157.56.0.0/14", "65.52.0.0/14", "207.46.0.0/16", "40.64.0.0/10", "13.64.0.0/11",
         "20.0.0.0/8", "52.96.0.0/12", "52.145.0.0/16", "52.160.0.0/11", "131.253.0.0/16", "199.30.16.0/20",
         "191.232.0.0/13", "139.217.0.0/16", "51.104.0.0/15", "2620:1ec::/36", "2a01:111::/32"),
        (".search.msn.com",),
    ),
)  # fmt: skip

_NETWORKS = {crawler.name: tuple(ipaddress.ip_network(text) for text in crawler.networks) for crawler in CRAWLERS}


def claimed_crawler(agent: pl.Expr) -> pl.Expr:
    """The name of the crawler the User-Agent claims to be, or null."""
    lowered = agent.fill_null("").str.to_lowercase()
    result = pl.lit(None, dtype=pl.String)
    for crawler in reversed(CRAWLERS):
        result = pl.when(lowered.str.contains(crawler.agent_regex)).then(pl.lit(crawler.name)).otherwise(result)
    return result


@functools.lru_cache(maxsize=65_536)
def from_owner_network(ip: str, crawler_name: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in _NETWORKS[crawler_name] if network.version == address.version)


def _ipv4_ranges(crawler_name: str) -> tuple[pl.Series, pl.Series]:
    """The owner's IPv4 networks as sorted first and last addresses."""
    spans = sorted((int(network.network_address), int(network.broadcast_address))
                   for network in _NETWORKS[crawler_name] if network.version == 4)
    return (pl.Series([first for first, _last in spans], dtype=pl.Int64),
            pl.Series([last for _first, last in spans], dtype=pl.Int64))


_RANGES = {crawler.name: _ipv4_ranges(crawler.name) for crawler in CRAWLERS}


def _ipv4_number(ip: pl.Expr) -> pl.Expr:
    parts = ip.str.split_exact(".", 3)
    octets = [parts.struct.field(f"field_{index}").cast(pl.Int64, strict=False) for index in range(4)]
    return octets[0] * 16_777_216 + octets[1] * 65_536 + octets[2] * 256 + octets[3]


def _outside(numbers: pl.Series, crawler_name: str) -> pl.Series:
    """For IPv4 addresses as numbers: True where no network of the owner holds them (a binary search)."""
    firsts, lasts = _RANGES[crawler_name]
    slot = firsts.search_sorted(numbers, side="right").cast(pl.Int64) - 1
    inside = (slot >= 0) & (numbers <= lasts.gather(slot.clip(lower_bound=0)))
    return ~inside


def claims_outside_owner_networks(claims: pl.DataFrame) -> pl.DataFrame:
    """The rows of `claims` (columns ip, crawler) whose address is not in the crawler owner's networks.

    Each distinct (ip, crawler) is checked once: IPv4 addresses as numbers against the networks' ranges,
    the rest (IPv6, junk) through the ipaddress module."""
    pairs = claims.select("ip", "crawler").unique()
    ipv4 = pairs.get_column("ip").str.contains(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
    numbered = pairs.filter(ipv4).with_columns(_ipv4_number(pl.col("ip")).alias("number")).drop_nulls("number")
    flagged = []
    for crawler in CRAWLERS:
        own = numbered.filter(pl.col("crawler") == crawler.name)
        if not own.is_empty():
            flagged.append(own.filter(_outside(own.get_column("number"), crawler.name)).select("ip", "crawler"))
    others = pairs.filter(~ipv4)
    flagged.append(others.filter(pl.Series([not from_owner_network(ip, name) for ip, name in others.iter_rows()],
                                           dtype=pl.Boolean)))
    return claims.join(pl.concat(flagged), on=["ip", "crawler"], how="semi")


async def crawler_confirmed(ip: str, crawler_name: str, *, timeout: float = 3.0,
                            servers: list[tuple[str, int]] | None = None) -> bool:
    """Forward-confirmed reverse DNS: the address's name ends with the owner's domain and resolves back to it."""
    from jagaweb import net  # Django settings are only needed when DNS is used

    crawler = next(item for item in CRAWLERS if item.name == crawler_name)
    address = ipaddress.ip_address(ip)
    try:
        names = await net.dns_query(address.reverse_pointer, "PTR", timeout=timeout, servers=servers)
    except net.NetError:
        return False
    for name in names:
        host = name.rstrip(".").lower()
        if not host.endswith(crawler.dns_suffixes):
            continue
        record = "A" if address.version == 4 else "AAAA"
        try:
            forward = await net.dns_query(host, record, timeout=timeout, servers=servers)
        except net.NetError:
            continue
        if any(ipaddress.ip_address(answer) == address for answer in forward):
            return True
    return False


async def confirm_claims(findings: pl.DataFrame, *, timeout: float = 3.0,
                         servers: list[tuple[str, int]] | None = None, concurrency: int = 20) -> pl.DataFrame:
    """Fake-bot findings whose address reverse DNS does not confirm (the genuine ones are dropped)."""
    if findings.is_empty():
        return findings
    limit = asyncio.Semaphore(concurrency)
    pairs = findings.select("ip", "crawler").unique().rows()

    async def check(ip: str, crawler_name: str) -> tuple[str, bool]:
        async with limit:
            return ip, await crawler_confirmed(ip, crawler_name, timeout=timeout, servers=servers)

    results = await asyncio.gather(*(check(ip, name) for ip, name in pairs))
    genuine = [ip for ip, confirmed in results if confirmed]
    return findings.filter(~pl.col("ip").is_in(genuine))
