"""Blocklists of the addresses behind incidents, for the tools that enforce them.

One function per format in one registry (`FORMATS`); each takes the sorted addresses and returns the file:

* `fail2ban`: `fail2ban-client set <jail> banip <ip>` lines, a shell script for a running fail2ban (the jail,
  "jagaweb" unless given, must exist: any jail with a ban action, e.g. a `[jagaweb]` jail with
  `enabled = true`, `filter =` and the usual `banaction`); bans expire with the jail's `bantime`.
* `nginx`: `deny <ip>;` lines, for an `include` inside `http`, `server` or `location`.
* `apache`: a `<RequireAll>` block with `Require all granted` and one `Require not ip <ip>` per address
  (Apache 2.4 mod_authz_host), for a `<Directory>` or `<Location>`.
* `ipset`: `ipset -exist create`/`add` commands for the sets `jagaweb-block` (IPv4) and `jagaweb-block6`
  (IPv6); match them in iptables/ip6tables with `-m set --match-set jagaweb-block src -j DROP`.
* `plain`: one address per line (for anything else: CrowdSec decisions import, a cloud firewall).

Only valid IP addresses are listed (a log may hold host names); loopback, link-local, multicast and
unspecified addresses never, and private ones only when asked: behind a proxy every client may look like
the proxy, and banning it would lock everybody out.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from jagaweb.logwatch.models import SEVERITY_ORDER, Incident, IncidentState

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_JAIL = "jagaweb"
IPV4_SET, IPV6_SET = "jagaweb-block", "jagaweb-block6"
SINCE = re.compile(r"^\s*(\d{1,5})\s*([mhdw]?)\s*$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks", "": "days"}


@dataclass(frozen=True)
class BlocklistFormat:
    name: str
    label: str
    extension: str
    render: Callable[[list[Address], str], str]


FORMATS: dict[str, BlocklistFormat] = {}


def register(name: str, label: str, extension: str) -> Callable[[Callable[[list[Address], str], str]],
                                                                 Callable[[list[Address], str], str]]:
    def add(render: Callable[[list[Address], str], str]) -> Callable[[list[Address], str], str]:
        FORMATS[name] = BlocklistFormat(name, label, extension, render)
        return render
    return add


def header(addresses: list[Address], comment: str = "#") -> str:
    return f"{comment} JagaWeb blocklist: {len(addresses)} addresses, {timezone.now():%Y-%m-%d %H:%M %Z}\n"


@register("fail2ban", "fail2ban (fail2ban-client banip)", "sh")
def fail2ban(addresses: list[Address], jail: str) -> str:
    return header(addresses) + "".join(f"fail2ban-client set {jail} banip {address}\n" for address in addresses)


@register("nginx", "nginx (deny)", "conf")
def nginx(addresses: list[Address], jail: str) -> str:
    return header(addresses) + "".join(f"deny {address};\n" for address in addresses)


@register("apache", "Apache (Require not ip)", "conf")
def apache(addresses: list[Address], jail: str) -> str:
    lines = ["<RequireAll>", "    Require all granted", *(f"    Require not ip {address}" for address in addresses),
             "</RequireAll>"]
    return header(addresses) + "\n".join(lines) + "\n"


@register("ipset", "ipset", "sh")
def ipset(addresses: list[Address], jail: str) -> str:
    lines = [f"ipset -exist create {IPV4_SET} hash:ip family inet",
             f"ipset -exist create {IPV6_SET} hash:ip family inet6"]
    lines += [f"ipset -exist add {IPV4_SET if address.version == 4 else IPV6_SET} {address}" for address in addresses]
    return header(addresses) + "\n".join(lines) + "\n"


@register("plain", "plain list", "txt")
def plain(addresses: list[Address], jail: str) -> str:
    return "".join(f"{address}\n" for address in addresses)


def parse_since(text: str) -> timedelta:
    """"7d", "12h", "30m", "2w" or a bare number of days."""
    match = SINCE.match(text or "")
    if not match:
        raise ValueError(f"not a duration: {text!r} (for example 7d, 12h, 30m)")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def blockable(text: str, include_private: bool = False) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback or address.is_link_local or address.is_multicast or address.is_unspecified:
        return None
    if address.is_private and not include_private:
        return None
    return address


def incidents_for(incidents: QuerySet[Incident], *, min_severity: str = "", since: datetime | None = None,
                  open_only: bool = False) -> QuerySet[Incident]:
    if min_severity:
        incidents = incidents.filter(severity__in=SEVERITY_ORDER[SEVERITY_ORDER.index(min_severity):])
    if since is not None:
        incidents = incidents.filter(last_seen__gte=since)
    if open_only:
        incidents = incidents.filter(state=IncidentState.OPEN)
    return incidents


def addresses_of(ips: Iterable[str], include_private: bool = False) -> list[Address]:
    found = {address for ip in ips if (address := blockable(ip, include_private)) is not None}
    return sorted(found, key=lambda address: (address.version, int(address)))


def render(format_name: str, addresses: list[Address], jail: str = DEFAULT_JAIL) -> str:
    if format_name not in FORMATS:
        raise ValueError(f"unknown blocklist format {format_name!r}; known: {', '.join(FORMATS)}")
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", jail):
        raise ValueError(f"not a jail name: {jail!r}")
    return FORMATS[format_name].render(addresses, jail)


def blocklist(incidents: QuerySet[Incident], format_name: str, *, min_severity: str = "",
              since: datetime | None = None, open_only: bool = False, include_private: bool = False,
              jail: str = DEFAULT_JAIL) -> tuple[str, int]:
    """The file for the incidents' addresses, and how many addresses it lists."""
    chosen = incidents_for(incidents, min_severity=min_severity, since=since, open_only=open_only)
    addresses = addresses_of(chosen.order_by().values_list("ip", flat=True).distinct(), include_private)
    return render(format_name, addresses, jail), len(addresses)
