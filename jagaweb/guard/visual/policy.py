"""The address policy for everything the screenshot browser fetches: the one place browser traffic is policed.

A page is written by whoever controls the site, which after a defacement is the attacker. Its images,
scripts, redirects, workers and websockets must not turn JagaWeb's server into a way to reach the
institution's internal network, so every connection Chromium opens goes through `visual.proxy`, and the
proxy asks `BrowserPolicy.addresses` (here, and only here) where it may connect.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from jagaweb import net


def normalise_host(host: str) -> str:
    return host.strip().strip("[]").lower().rstrip(".")


@dataclass(frozen=True)
class BrowserPolicy:
    """`allow_private` opens every private address; `private_hosts` opens them only for those names
    (a site on the intranet, without opening the intranet to whatever its pages load)."""

    allow_private: bool
    private_hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def build(cls, *, allow_private: bool, private_hosts: Collection[str] = ()) -> BrowserPolicy:
        return cls(allow_private, frozenset(normalise_host(host) for host in private_hosts))

    def addresses(self, host: str, port: int) -> list[net.IPAddress]:
        """Where the browser may connect for host:port; raises `jagaweb.net.NetError` when it may not.

        The proxy connects to these very addresses, so a DNS answer that changes after the check is
        never used (the same pinning `jagaweb.net.request` does)."""
        name = normalise_host(host)
        allowed = self.allow_private or name in self.private_hosts
        return net.check_host(name, allow_private=allowed, port=port)
