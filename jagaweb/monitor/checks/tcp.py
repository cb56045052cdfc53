"""TCP port: does `host:port` accept a connection, and how fast.

The target is `host:port` (or `[v6]:port`); empty means the site's own host on the port its URL
implies (443 for https, 80 for http). Useful for what HTTP does not show: SSH, a database port that
must stay reachable from the application server, a mail server.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jagaweb import net
from jagaweb.monitor.checks import register
from jagaweb.monitor.checks.base import CheckSpec, CheckType, Context, Outcome
from jagaweb.monitor.checks.fetch import unexpected
from jagaweb.monitor.checks.names import clean_host, split_host_port
from jagaweb.monitor.choices import CheckKind, Status

SCHEME_PORTS = {"https": 443, "http": 80}
CLOSE_SECONDS = 1.0  # a polite close; a server that does not answer the FIN must not hold the run


def host_port(target: str) -> tuple[str, int]:
    """(host, port) from `host:port`, `[v6]:port` or a URL; ValueError when there is no port to take."""
    if "://" in target:
        parts = urlsplit(target.strip())
        port = parts.port or SCHEME_PORTS.get(parts.scheme)
        if not parts.hostname or port is None:
            raise ValueError(target)
        return clean_host(parts.hostname), port
    return split_host_port(target, 0)


@register
class TcpCheck(CheckType):
    kind = CheckKind.TCP
    label = _("TCP port")
    default_interval = 60
    counts_for_uptime = True

    def target_for(self, target: str, site_url: str) -> str:
        raw = target or site_url
        try:
            host, port = host_port(raw)
        except ValueError:
            return raw  # the run reports it as an invalid target
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def host_key(self, spec: CheckSpec) -> str:
        try:
            return host_port(spec.target)[0]
        except ValueError:
            return spec.target.lower()

    def clean_config(self, config: dict[str, Any]) -> dict[str, Any]:
        if config:
            raise ValidationError(_("A TCP check has no options; put host:port in the target."))
        return {}

    async def run(self, spec: CheckSpec, context: Context) -> Outcome:
        try:
            return await self._run(spec)
        except Exception as exc:  # a run never raises (see base)
            return unexpected(self.kind, exc)

    async def _run(self, spec: CheckSpec) -> Outcome:
        try:
            host, port = host_port(spec.target)
        except ValueError:
            return Outcome(Status.DOWN, gettext("%(target)s is not host:port (for example portal.go.id:443).")
                           % {"target": spec.target[:100]})
        started = time.perf_counter()
        try:
            _reader, writer = await net.open_connection(host, port, timeout=spec.timeout,
                                                        allow_private=spec.allow_private)
        except TimeoutError:
            message = gettext("%(host)s port %(port)s did not accept a connection within %(timeout)s s.")
            return Outcome(Status.DOWN, message % {"host": host, "port": port, "timeout": f"{spec.timeout:g}"})
        except net.NetError as exc:
            return Outcome(Status.DOWN, str(exc))
        except OSError as exc:
            return Outcome(Status.DOWN, gettext("Could not connect to %(host)s port %(port)s: %(error)s")
                           % {"host": host, "port": port, "error": exc.strerror or exc})
        elapsed = (time.perf_counter() - started) * 1000
        writer.close()
        with suppress(OSError, TimeoutError):
            async with asyncio.timeout(CLOSE_SECONDS):
                await writer.wait_closed()
        return Outcome(Status.UP, gettext("Port %(port)s open, connected in %(ms)s ms.")
                       % {"port": port, "ms": f"{elapsed:.0f}"}, response_ms=round(elapsed, 1),
                       facts={"host": host, "port": port})
