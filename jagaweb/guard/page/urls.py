"""Host names out of links, and which hosts count as the site's own.

No public-suffix list is shipped: the second-level suffixes a government site links to (go.id, ac.id, co.uk
and friends) are listed here, and anything else is "last two labels". A wrong guess only ever makes two
hosts of one organisation look like two sites, never a foreign host look like the site's own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_HOST = re.compile(r"^\s*(?:(?:https?:)?//)(?:[^/?#@\s]*@)?\[?([^/?#:\]\s\\]+)", re.IGNORECASE)
_SECOND_LEVEL = frozenset({
    "go.id", "ac.id", "co.id", "or.id", "sch.id", "web.id", "my.id", "net.id", "mil.id", "desa.id", "ponpes.id",
    "biz.id", "id.id", "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "gov.au", "co.jp",
    "com.sg", "gov.sg", "com.my", "gov.my", "co.za", "com.br", "com.cn", "com.tw", "co.kr", "co.in", "gov.in",
    "com.ph", "gov.ph", "co.th", "go.th", "com.vn", "gov.vn", "com.tr", "com.mx",
})
# Where ordinary pages link without anyone hiding anything: social networks, maps, video, app stores, the
# government's own domains, analytics. Only used to keep hidden social-icon menus and tracking frames from
# counting as hidden spam links; a gambling word in such a link still counts.
_BENIGN = frozenset({
    "facebook.com", "fb.com", "fb.me", "instagram.com", "twitter.com", "x.com", "youtube.com", "youtu.be",
    "tiktok.com", "linkedin.com", "whatsapp.com", "wa.me", "t.me", "telegram.me", "google.com", "google.co.id",
    "goo.gl", "g.page", "apple.com", "wordpress.org", "wordpress.com", "w.org", "gravatar.com", "gmail.com",
    "threads.net", "pinterest.com", "flickr.com", "vimeo.com", "play.google.com", "github.com",
    # analytics and tag managers: their <noscript> frames are hidden on purpose, on most sites
    "googletagmanager.com", "google-analytics.com", "doubleclick.net", "googlesyndication.com",
    "googleadservices.com", "statcounter.com", "histats.com", "clarity.ms", "hotjar.com", "youtube-nocookie.com",
    "recaptcha.net", "gstatic.com", "googleapis.com",
})
_BENIGN_SUFFIXES = (".go.id", ".ac.id", ".sch.id", ".desa.id", ".mil.id")


def host_of(url: str) -> str:
    """The lower-case host of an absolute or protocol-relative URL; '' for relative links and other schemes."""
    match = _HOST.match(url)
    if not match:
        return ""
    return match.group(1).rstrip(".").lower()


@functools.lru_cache(maxsize=16384)
def site_of(host: str) -> str:
    """The registrable part of a host: "dinkes.jakarta.go.id" -> "jakarta.go.id", "www.x.com" -> "x.com"."""
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    if ".".join(labels[-2:]) in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def own_sites(hosts: Iterable[str]) -> frozenset[str]:
    return frozenset(site_of(host.lower()) for host in hosts if host)


def is_external(host: str, own: frozenset[str]) -> bool:
    """Relative links ('' host) are the site's own; so is every host under the site's registrable name."""
    return bool(host) and site_of(host) not in own


def is_benign(host: str) -> bool:
    site = site_of(host)
    return site in _BENIGN or host in _BENIGN or host.endswith(_BENIGN_SUFFIXES)
