"""One HTTP fetch for the http and freshness checks: redirects followed by hand, a bounded body, clear errors.

Redirects are followed here rather than by aiohttp so that every hop is recorded and bounded, a
redirect to another scheme is refused with a message, and each new host passes the address policy
(the session's connector applies it to every connection). Every failure becomes a `FetchError` whose
message is translated and safe to show: it names the host and the cause, never the whole exchange.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from django.utils.translation import gettext as _
from multidict import CIMultiDictProxy
from yarl import URL

from jagaweb import net
from jagaweb.monitor.checks.base import Outcome
from jagaweb.monitor.choices import Status

logger = logging.getLogger(__name__)

BODY_LIMIT = 2 * 1024 * 1024  # enough for any home page; a bigger answer is reported as truncated
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ALLOWED_SCHEMES = frozenset({"http", "https"})
CHUNK = 256 * 1024


class FetchError(Exception):
    """The fetch failed; `str()` is the message for the operator."""


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    reason: str
    headers: CIMultiDictProxy[str]
    body: bytes
    truncated: bool
    elapsed_ms: float
    charset: str | None
    hops: list[dict[str, Any]] = field(default_factory=list)  # each redirect answer: {"url", "status"}

    def text(self) -> str:
        """The body as text, in the declared charset when Python knows it; bad bytes never raise."""
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def unexpected(kind: str, exc: Exception) -> Outcome:
    """UNKNOWN for an error no check foresaw; logged with its traceback so it can be fixed."""
    logger.exception("%s check failed unexpectedly", kind)
    return Outcome(Status.UNKNOWN, _("The check failed unexpectedly: %(error)s") % {"error": type(exc).__name__})


def parse_url(raw: str | URL) -> URL:
    """An absolute http(s) URL, or FetchError saying what is wrong with it."""
    try:
        url = raw if isinstance(raw, URL) else URL(raw.strip())
        host = url.host
    except (ValueError, TypeError, UnicodeError) as exc:
        raise FetchError(_("Not a valid URL: %(error)s") % {"error": exc}) from exc
    if not url.scheme:
        raise FetchError(_("Not a valid URL: %(error)s") % {"error": _("it does not start with http:// or https://")})
    if url.scheme not in ALLOWED_SCHEMES:
        raise FetchError(_("Only http and https URLs are allowed, not %(scheme)r.") % {"scheme": url.scheme})
    if not host:
        raise FetchError(_("The URL has no host."))
    return url


def short(url: str | URL, limit: int = 120) -> str:
    text = str(url)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def os_reason(exc: OSError) -> str:
    """"Connection refused" rather than asyncio's "Connect call failed ('10.0.0.1', 80)"."""
    if exc.errno:
        return os.strerror(exc.errno)
    return exc.strerror or str(exc) or type(exc).__name__


def describe(exc: BaseException, host: str, timeout: float) -> str:
    """The operator's words for what went wrong talking to `host`."""
    if isinstance(exc, TimeoutError):  # asyncio's timeout and aiohttp's Server/ConnectionTimeoutError
        return _("%(host)s did not answer within %(timeout)s s.") % {"host": host, "timeout": f"{timeout:.3g}"}
    if isinstance(exc, (net.NetError, FetchError)):
        return str(exc)
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        cert_error = exc.certificate_error
        reason = getattr(cert_error, "verify_message", None) or str(cert_error)
        return _("The TLS certificate of %(host)s is not valid: %(reason)s") % {"host": host, "reason": reason}
    if isinstance(exc, (aiohttp.ClientSSLError, ssl.SSLError)):
        reason = getattr(exc, "reason", None) or str(exc)
        return _("TLS handshake with %(host)s failed: %(reason)s") % {"host": host, "reason": reason}
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = os_reason(exc.os_error)
        return _("Could not connect to %(host)s: %(reason)s") % {"host": host, "reason": reason}
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return _("%(host)s closed the connection without answering.") % {"host": host}
    if isinstance(exc, ConnectionResetError) or getattr(exc, "errno", None) == errno.ECONNRESET:
        return _("%(host)s reset the connection.") % {"host": host}
    if isinstance(exc, aiohttp.ClientPayloadError):
        return _("The answer from %(host)s was cut off or malformed.") % {"host": host}
    if isinstance(exc, aiohttp.ClientResponseError):
        return _("%(host)s sent an invalid HTTP answer: %(reason)s") % {"host": host, "reason": exc.message}
    if isinstance(exc, aiohttp.InvalidURL):
        return _("Not a valid URL: %(error)s") % {"error": exc}
    reason = os_reason(exc) if isinstance(exc, OSError) else str(exc) or type(exc).__name__
    return _("Could not talk to %(host)s: %(error)s") % {"host": host, "error": reason}


async def read_bounded(response: aiohttp.ClientResponse, limit: int) -> tuple[bytes, bool]:
    """At most `limit` bytes of the body, and whether there was more."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = await response.content.read(min(CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if total > limit:
        return body[:limit], True
    return body, False


def _next_url(current: URL, location: str) -> URL:
    try:
        target = current.join(URL(location.strip()))
    except (ValueError, TypeError, UnicodeError) as exc:
        raise FetchError(_("Redirected to an invalid address: %(location)s") % {"location": short(location)}) from exc
    if target.scheme not in ALLOWED_SCHEMES or not target.host:
        raise FetchError(_("Redirected to an address that is not http(s): %(location)s")
                         % {"location": short(location)})
    return target


@dataclass
class _Chain:
    url: URL  # the hop being fetched, so an error names the host that failed
    method: str
    hops: list[dict[str, Any]] = field(default_factory=list)


async def _exchange(session: aiohttp.ClientSession, chain: _Chain, *, limit: int, max_redirects: int,
                    verify_tls: bool, started: float) -> Fetched:
    while True:
        async with session.request(chain.method, chain.url, allow_redirects=False, ssl=verify_tls) as response:
            location = response.headers.get("Location")
            if response.status in REDIRECT_STATUSES and location:
                chain.hops.append({"url": str(chain.url), "status": response.status})
                if len(chain.hops) > max_redirects:
                    raise FetchError(_("More than %(count)s redirects, starting at %(url)s.")
                                     % {"count": max_redirects, "url": short(chain.hops[0]["url"])})
                chain.url = _next_url(chain.url, location)
                if response.status == 303 and chain.method != "HEAD":
                    chain.method = "GET"
                continue
            body, truncated = (b"", False) if chain.method == "HEAD" else await read_bounded(response, limit)
            return Fetched(
                url=str(chain.url), status=response.status, reason=response.reason or "", headers=response.headers,
                body=body, truncated=truncated, elapsed_ms=(time.perf_counter() - started) * 1000,
                charset=response.charset, hops=chain.hops,
            )


async def fetch(session: aiohttp.ClientSession, url: str | URL, *, timeout: float, method: str = "GET",
                limit: int = BODY_LIMIT, max_redirects: int = 10, verify_tls: bool = True) -> Fetched:
    """GET (or HEAD) `url`, following up to `max_redirects` redirects, all within `timeout` seconds."""
    chain = _Chain(parse_url(url), method)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            return await _exchange(session, chain, limit=limit, max_redirects=max_redirects,
                                   verify_tls=verify_tls, started=started)
    except FetchError:
        raise
    except (TimeoutError, net.NetError, aiohttp.ClientError, OSError, ValueError) as exc:
        raise FetchError(describe(exc, chain.url.host or str(chain.url), timeout)) from exc
