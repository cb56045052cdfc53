"""Host names for the tls, dns and domain checks: host and port from a target, and the registered domain.

The registered (registrable) domain is what a registry sells and what RDAP and WHOIS know about:
`portal.kominfo.go.id` is registered as `kominfo.go.id`, because `go.id` is a public suffix of its own.
The full Public Suffix List is thousands of rules; JagaWeb watches Indonesian government sites, so a
small table of the second-level suffixes PANDI runs under `.id` is enough, and any other name is
taken as `<label>.<tld>` (right for .com, .org, .net and most gTLDs). A name under another country's
second-level suffix (example.co.uk) can be set explicitly as the domain check's target.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

# Second-level public suffixes under .id (PANDI's registry): a name directly below one of these is the
# registered domain. https://pandi.id/ lists them as the .id "domain tingkat dua".
ID_SECOND_LEVEL = frozenset({
    "go.id", "co.id", "ac.id", "or.id", "sch.id", "desa.id", "web.id", "my.id", "biz.id", "net.id", "mil.id",
    "ponpes.id",
})
SECOND_LEVEL_SUFFIXES = ID_SECOND_LEVEL


def clean_host(host: str) -> str:
    """Lower case, no trailing dot, no IPv6 brackets; international names in their ASCII (IDNA) form."""
    host = host.strip().strip("[]").rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host  # left as typed; the lookup will say it does not exist


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def split_host_port(target: str, default_port: int) -> tuple[str, int]:
    """`host`, `host:port`, `[v6]:port` or a URL -> (host, port); raises ValueError on nonsense."""
    target = target.strip()
    if "://" in target:
        parts = urlsplit(target)
        host = parts.hostname or ""
        port = parts.port or default_port
    elif target.startswith("["):
        host, _sep, rest = target[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else default_port
    elif target.count(":") == 1:
        host, _sep, port_text = target.partition(":")
        port = int(port_text)
    else:
        host, port = target, default_port  # a bare name, or a bare IPv6 address
    if not host or not 0 < port < 65536:
        raise ValueError(target)
    return clean_host(host), port


def host_of(target: str) -> str:
    """The host name of a URL, `host:port` or bare name; empty when there is none."""
    try:
        return split_host_port(target, 1)[0]
    except ValueError:
        return ""


def tls_target(target: str, site_url: str) -> str:
    """`host:port` for the certificate check: the site's host, port 443 unless the https URL says otherwise."""
    raw = target or site_url
    try:
        if "://" in raw:
            parts = urlsplit(raw)
            # An http:// site is still checked on 443: that is where its certificate would be.
            port = (parts.port or 443) if parts.scheme == "https" else 443
            host = clean_host(parts.hostname or "")
        else:
            host, port = split_host_port(raw, 443)
    except ValueError:
        return raw  # the run reports it as an invalid target
    if not host:
        return raw
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def registered_domain(host: str) -> str | None:
    """The domain a registry holds for `host`; None for an IP address or a name with a single label."""
    host = clean_host(host)
    if not host or is_ip(host):
        return None
    labels = host.split(".")
    if len(labels) < 2:
        return None
    if ".".join(labels[-2:]) in SECOND_LEVEL_SUFFIXES:
        return ".".join(labels[-3:]) if len(labels) >= 3 else None  # "go.id" alone is a suffix, not a domain
    return ".".join(labels[-2:])


def zone_candidates(host: str) -> list[str]:
    """`host` and its parents down to the registered domain: where to look for the zone's NS records."""
    domain = registered_domain(host)
    if domain is None:
        return [clean_host(host)]
    labels = clean_host(host).split(".")
    depth = len(domain.split("."))
    return [".".join(labels[i:]) for i in range(len(labels) - depth + 1)]
