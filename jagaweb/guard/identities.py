"""Who the page guard pretends to be. Cloaking code (in .htaccess, index.php or a plugin) decides by the
User-Agent, the Referer and the Accept-Language what to show, so each identity sends exactly what its real
counterpart sends: a desktop browser, Googlebot, a phone, and an Indonesian visitor arriving from a Google
search (the usual target of judi-online cloaking).
"""

from __future__ import annotations

from dataclasses import dataclass

from jagaweb.guard.choices import Identity

_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
_CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Safari/537.36")
_MOBILE = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Mobile Safari/537.36")
_GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@dataclass(frozen=True)
class Profile:
    identity: Identity
    headers: dict[str, str]

    @property
    def user_agent(self) -> str:
        return self.headers["User-Agent"]


PROFILES: dict[Identity, Profile] = {
    # A plain desktop visitor typing the address: no referrer. English first, so a cloak that only
    # shows its spam to Indonesian-language visitors differs from the "search" identity below.
    Identity.NORMAL: Profile(Identity.NORMAL, {
        "User-Agent": _CHROME, "Accept": _ACCEPT, "Accept-Language": "en-US,en;q=0.9",
    }),
    # Googlebot sends no Referer and, as a rule, no Accept-Language.
    Identity.GOOGLEBOT: Profile(Identity.GOOGLEBOT, {
        "User-Agent": _GOOGLEBOT, "Accept": _ACCEPT, "From": "googlebot(at)googlebot.com",
    }),
    Identity.MOBILE: Profile(Identity.MOBILE, {
        "User-Agent": _MOBILE, "Accept": _ACCEPT, "Accept-Language": "id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7",
    }),
    # A visitor in Indonesia clicking a Google result: Google sends only its origin as the referrer.
    Identity.SEARCH: Profile(Identity.SEARCH, {
        "User-Agent": _CHROME, "Accept": _ACCEPT, "Accept-Language": "id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7",
        "Referer": "https://www.google.co.id/",
    }),
}


def headers_for(identity: Identity | str) -> dict[str, str]:
    return dict(PROFILES[Identity(identity)].headers)
