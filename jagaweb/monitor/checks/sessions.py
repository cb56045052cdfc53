"""The network sessions checks share (`Context.sessions`), and running one check on its own.

One pooled aiohttp session per address policy: a check that may reach private addresses must never
borrow a connection (or a cached DNS answer) from one that may not, and vice versa. Sessions are
created on first use because aiohttp binds them to the running event loop.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType

import aiohttp
from django.conf import settings
from django.utils import timezone

from jagaweb import net
from jagaweb.monitor.checks.base import CheckSpec, CheckType, Context, Outcome


class Sessions:
    def __init__(self, *, connections: int | None = None) -> None:
        # The pool must hold as many connections as the engine runs checks at once; otherwise checks
        # wait in aiohttp's queue and that wait is counted as the site's response time.
        self.connections = connections or settings.JAGAWEB_MONITOR_CONCURRENCY
        self._http: dict[bool, aiohttp.ClientSession] = {}

    def http(self, allow_private: bool) -> aiohttp.ClientSession:
        session = self._http.get(allow_private)
        if session is None or session.closed:
            session = net.http_session(allow_private=allow_private, connections=self.connections)
            self._http[allow_private] = session
        return session

    async def close(self) -> None:
        sessions = list(self._http.values())
        self._http.clear()
        for session in sessions:
            await session.close()

    async def __aenter__(self) -> Sessions:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.close()


async def run_once(check_type: CheckType, spec: CheckSpec, now: datetime | None = None) -> Outcome:
    """One run with sessions of its own ("check now" buttons, the CLI, tests)."""
    async with Sessions(connections=4) as sessions:
        return await check_type.run(spec, Context(now or timezone.now(), sessions))
