"""Fetching a page as one identity, through `jagaweb.net` (address policy, timeouts, retries).

Redirects within the site (http -> https, / -> /id/) are followed; a redirect to another site is not: it
is reported to the analysis as the page's `location`, because where a cloaked site sends a visitor is the
evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from jagaweb import net
from jagaweb.guard.choices import Identity
from jagaweb.guard.identities import headers_for
from jagaweb.guard.page.decode import MAX_BYTES
from jagaweb.guard.page.urls import host_of, site_of

REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Fetched:
    url: str  # the address that answered (after redirects within the site)
    status: int
    body: bytes
    content_type: str
    location: str = ""  # a redirect to another site, not followed


def fetch_page(url: str, identity: Identity | str = Identity.NORMAL, *, allow_private: bool = False,
               timeout: float | None = None) -> Fetched:
    """GET `url` with the identity's headers. Raises `jagaweb.net.NetError` when no answer comes."""
    headers = headers_for(identity)
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        response = net.request("GET", current, headers=headers, allow_private=allow_private, timeout=timeout)
        body = response.content[:MAX_BYTES]
        content_type = response.headers.get("content-type", "")
        location = response.headers.get("location", "")
        if response.status_code not in REDIRECTS or not location:
            return Fetched(current, response.status_code, body, content_type)
        target = urljoin(current, location.strip())
        if site_of(host_of(target)) != site_of(host_of(current)):
            return Fetched(current, response.status_code, body, content_type, target)
        current = target
    return Fetched(current, response.status_code, body, content_type, current)
