"""All outbound network I/O: HTTP, e-mail and Apprise, with timeouts, bounded retries and an address policy.

Targets typed in by users (webhook URLs, gateway URLs, SMTP hosts) must not become a way to reach
the machine JagaWeb runs on or the institution's internal network, so every host is resolved and
refused when it is loopback, private, link-local, reserved, multicast or unspecified, unless the
caller passes `allow_private=True` (a superuser's decision, stored on the channel).

HTTP requests are sent to the address that passed the check (the name stays in the Host header and
in TLS), so a DNS answer that changes between check and connect cannot slip past the policy.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import aiohttp.abc
import apprise
import dns.asyncresolver
import dns.exception
import dns.resolver
import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend
from django.utils.translation import gettext as _

from jagaweb import __version__

USER_AGENT = f"JagaWeb/{__version__}"
ALLOWED_SCHEMES = ("http", "https")
RETRY_STATUSES = frozenset({502, 503, 504})
BACKOFF_SECONDS = 0.5  # first pause between attempts; doubles each time, capped by BACKOFF_MAX
BACKOFF_MAX = 4.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# httpx logs every request URL at INFO; some APIs (Telegram) carry the token in the path.
logging.getLogger("httpx").setLevel(logging.WARNING)


class NetError(Exception):
    """Outbound I/O failed; the message is safe to show and names the host, never a secret."""


class BlockedAddress(NetError):
    def __init__(self, host: str, ip: IPAddress, reason: str) -> None:
        self.host, self.ip, self.reason = host, ip, reason
        super().__init__(
            _("Refused to connect to %(host)s (%(ip)s): %(reason)s addresses are not allowed for "
              "this target.") % {"host": host, "ip": ip, "reason": reason}
        )


class BlockedScheme(NetError):
    pass


class UnresolvableHost(NetError):
    pass


class NetTimeout(NetError):
    pass


class ConnectionFailed(NetError):
    pass


def blocked_reason(ip: IPAddress) -> str | None:
    """Why the policy refuses this address, or None for a public one."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    checks = (
        ("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast), ("reserved", ip.is_reserved), ("private", ip.is_private),
    )
    for reason, hit in checks:
        if hit:
            return reason
    return None if ip.is_global else "non-public"


def static_addresses(host: str) -> list[IPAddress] | None:
    """Addresses fixed by JAGAWEB_NET_HOSTS (like /etc/hosts; tests point names at local servers)."""
    fixed = settings.JAGAWEB_NET_HOSTS.get(host.lower().rstrip("."))
    return [ipaddress.ip_address(a) for a in fixed] if fixed else None


def unique_addresses(infos: Iterable[tuple[Any, ...]]) -> list[IPAddress]:
    """The addresses of getaddrinfo's answers, once each, in its order (without an IPv6 zone)."""
    addresses: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


def resolve(host: str, port: int | None = None) -> list[IPAddress]:
    fixed = static_addresses(host)
    if fixed is not None:
        return fixed
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        message = _("Cannot resolve %(host)s: %(error)s") % {"host": host, "error": exc}
        raise UnresolvableHost(message) from exc
    return unique_addresses(infos)


def check_addresses(host: str, addresses: list[IPAddress], *, allow_private: bool) -> list[IPAddress]:
    if not allow_private:
        for ip in addresses:
            reason = blocked_reason(ip)
            if reason is not None:
                raise BlockedAddress(host, ip, reason)
    return addresses


def check_host(host: str, *, allow_private: bool, port: int | None = None) -> list[IPAddress]:
    """Resolve `host`; refuse it when any of its addresses is not public (unless allowed)."""
    return check_addresses(host, resolve(host, port), allow_private=allow_private)


def connect_tcp(host: str, port: int, *, timeout: float, allow_private: bool = True) -> socket.socket:
    """A TCP connection for protocols other than HTTP (SSH/SFTP to backup media, TCP port checks).

    Those hosts are set by administrators and sit on internal networks as often as not, so private
    addresses are allowed unless the caller says otherwise; the address policy still runs here."""
    check_host(host, allow_private=allow_private, port=port)
    return socket.create_connection((host, port), timeout=timeout)


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise NetError(_("Not a valid URL: %(error)s") % {"error": exc}) from exc
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise BlockedScheme(
            _("Only http and https URLs are allowed, not %(scheme)r.") % {"scheme": parsed.scheme}
        )
    if not parsed.host:
        raise NetError(_("The URL has no host."))
    return parsed


def _send_pinned(
    client: httpx.Client, method: str, url: httpx.URL, addresses: list[IPAddress], **kwargs: Any
) -> httpx.Response:
    """Send to each checked address in turn until one accepts the connection."""
    headers = {**(kwargs.pop("headers", None) or {}), "Host": url.netloc.decode("ascii")}
    last_error: httpx.ConnectError | None = None
    for ip in addresses:
        try:
            return client.request(
                method, url.copy_with(host=str(ip)), headers=headers,
                extensions={"sni_hostname": url.raw_host.decode("ascii")}, **kwargs,
            )
        except httpx.ConnectError as exc:
            last_error = exc
    assert last_error is not None  # resolve() never returns an empty list
    raise last_error


def backoff(attempt: int) -> float:
    return min(BACKOFF_SECONDS * 2 ** (attempt - 1), BACKOFF_MAX)


def request(
    method: str,
    url: str,
    *,
    allow_private: bool = False,
    timeout: float | None = None,
    retries: int | None = None,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    data: Mapping[str, Any] | None = None,
    json: Any = None,
    files: Mapping[str, tuple[str, bytes, str]] | None = None,
) -> httpx.Response:
    """One HTTP request under the policy; retried on timeouts, connection errors and 502/503/504.

    Any other answer (including 4xx/5xx) is returned for the caller to judge. Redirects are not
    followed: a redirect could point anywhere, past the address check. `files` (field: (name, content,
    MIME type)) makes the body multipart with `data` as its other fields; bytes, so a retry sends them again.
    """
    parsed = _parse_url(url)
    host = parsed.raw_host.decode("ascii")  # IDNA-encoded, as DNS, the Host header and TLS want it
    addresses = check_host(host, allow_private=allow_private, port=parsed.port)
    timeout = float(settings.JAGAWEB_NET_TIMEOUT if timeout is None else timeout)
    retries = settings.JAGAWEB_NET_RETRIES if retries is None else max(retries, 0)
    options = {"headers": dict(headers or {}), "params": params, "data": data, "json": json, "files": files}
    with httpx.Client(timeout=timeout, trust_env=False, headers={"User-Agent": USER_AGENT}) as client:
        for attempt in range(1, retries + 2):
            error: NetError | None = None
            try:
                response = _send_pinned(client, method, parsed, addresses, **options)
            except httpx.TimeoutException:
                error = NetTimeout(
                    _("%(host)s did not answer within %(timeout)s s (attempt %(n)s of %(total)s).")
                    % {"host": host, "timeout": f"{timeout:g}", "n": attempt, "total": retries + 1}
                )
            except httpx.TransportError as exc:
                error = ConnectionFailed(
                    _("Could not talk to %(host)s: %(error)s")
                    % {"host": host, "error": str(exc) or type(exc).__name__}
                )
            else:
                if response.status_code not in RETRY_STATUSES or attempt > retries:
                    return response
            if error is not None and attempt > retries:
                raise error
            time.sleep(backoff(attempt))
    raise AssertionError("unreachable")  # the loop always returns or raises on its last attempt


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int = 25
    username: str = ""
    password: str = ""
    use_tls: bool = False  # STARTTLS
    use_ssl: bool = False

    @classmethod
    def from_settings(cls) -> SmtpServer:
        return cls(
            settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD,
            settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL,
        )


def send_email(
    subject: str,
    body: str,
    to: Iterable[str],
    *,
    from_email: str | None = None,
    smtp: SmtpServer | None = None,
    allow_private: bool = False,
    timeout: float | None = None,
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> int:
    """Send one plain-text e-mail through SMTP; returns the number of messages sent (1).

    Without `smtp`, the server from the deployment's settings is used and trusted (it is often
    localhost). A server typed into a channel is checked against the address policy.
    `attachments`: files as (name, content, MIME type).
    """
    server = smtp or SmtpServer.from_settings()
    if smtp is not None:
        check_host(server.host, allow_private=allow_private, port=server.port)
    timeout = float(settings.JAGAWEB_NET_TIMEOUT if timeout is None else timeout)
    connection = EmailBackend(
        host=server.host, port=server.port, username=server.username, password=server.password,
        use_tls=server.use_tls, use_ssl=server.use_ssl, timeout=timeout, fail_silently=False,
    )
    # A title is one line; a newline in a header would be refused (and is an injection attempt).
    subject = " ".join(subject.split())
    sender = from_email or settings.DEFAULT_FROM_EMAIL
    message = EmailMessage(subject, body, sender, list(to), connection=connection)
    for name, content, mime_type in attachments:
        message.attach(name, content, mime_type)
    try:
        return message.send()
    except TimeoutError as exc:
        raise NetTimeout(_("SMTP server %(host)s did not answer within %(timeout)s s.")
                         % {"host": server.host, "timeout": f"{timeout:g}"}) from exc
    except (smtplib.SMTPException, OSError) as exc:
        error = _("SMTP server %(host)s: %(error)s") % {"host": server.host, "error": exc}
        raise ConnectionFailed(error) from exc


APPRISE_TYPES = {"info": apprise.NotifyType.INFO, "warning": apprise.NotifyType.WARNING,
                 "critical": apprise.NotifyType.FAILURE}


def _apprise_hosts(plugin: Any) -> list[str]:
    """Hosts the plugin will connect to that the URL chose (not fixed service endpoints)."""
    hosts = []
    if "host" in getattr(plugin, "template_tokens", {}) and plugin.host:
        hosts.append(str(plugin.host))
    smtp_host = getattr(plugin, "smtp_host", None)
    if smtp_host and smtp_host not in hosts:
        hosts.append(str(smtp_host))
    return hosts


def notify_apprise(
    url: str, title: str, body: str, *, allow_private: bool = False, severity: str = "info",
    timeout: float | None = None,
) -> None:
    """Send through any service Apprise knows; the URL itself holds the credentials."""
    plugin = apprise.Apprise.instantiate(url)
    if not plugin:
        raise NetError(_("Apprise does not recognise this URL."))
    for host in _apprise_hosts(plugin):
        try:
            check_host(host, allow_private=allow_private)
        except UnresolvableHost:
            continue  # a name that does not resolve is not a way into the local network
    timeout = float(settings.JAGAWEB_NET_TIMEOUT if timeout is None else timeout)
    plugin.socket_connect_timeout = plugin.socket_read_timeout = timeout
    sender = apprise.Apprise()
    sender.add(plugin)
    with apprise.LogCapture(level=logging.WARNING) as captured:
        kind = APPRISE_TYPES.get(severity, apprise.NotifyType.INFO)
        ok = sender.notify(body=body, title=title, notify_type=kind)
        detail = captured.getvalue().strip().splitlines()
    if not ok:
        reason = detail[-1].split(" - ", 2)[-1] if detail else _("no details")
        raise ConnectionFailed(_("Apprise could not deliver the message: %(reason)s") % {"reason": reason})


# ---- asynchronous I/O for the monitoring engine (thousands of checks at once) ----
# aiohttp rather than httpx here: measured on loopback, 0.17 ms of CPU per request against 2.6 ms
# (pooled) for httpx's async client, which decides whether 10,000 sites fit in a fraction of a core.


def tls_context(*, verify: bool = True, legacy: bool = False) -> ssl.SSLContext:
    """Client TLS settings: the system's CAs plus JAGAWEB_NET_CA_FILE (an internal or test CA).

    `legacy` allows TLS 1.0/1.1 and old ciphers: only to find out whether a server still accepts them."""
    context = ssl.create_default_context()
    if settings.JAGAWEB_NET_CA_FILE:
        context.load_verify_locations(cafile=str(settings.JAGAWEB_NET_CA_FILE))
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if legacy:
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


async def resolve_async(host: str, port: int | None = None) -> list[IPAddress]:
    fixed = static_addresses(host)
    if fixed is not None:
        return fixed
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(_("Cannot resolve %(host)s: %(error)s") % {"host": host, "error": exc}) from exc
    return unique_addresses(infos)


async def check_host_async(host: str, *, allow_private: bool, port: int | None = None) -> list[IPAddress]:
    return check_addresses(host, await resolve_async(host, port), allow_private=allow_private)


class PolicyResolver(aiohttp.abc.AbstractResolver):
    """aiohttp's name lookup with the address policy: a refused address never gets a connection."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[aiohttp.abc.ResolveResult]:
        addresses = await check_host_async(host, allow_private=self.allow_private, port=port)
        return [
            {"hostname": host, "host": str(ip), "port": port, "proto": 0, "flags": socket.AI_NUMERICHOST,
             "family": socket.AF_INET6 if ip.version == 6 else socket.AF_INET}
            for ip in addresses
        ]

    async def close(self) -> None:
        return None


class PolicyConnector(aiohttp.TCPConnector):
    """aiohttp skips the resolver for literal addresses (http://10.0.0.1/), so those are checked here."""

    def __init__(self, *, allow_private: bool, **kwargs: Any) -> None:
        super().__init__(resolver=PolicyResolver(allow_private=allow_private), **kwargs)
        self.allow_private = allow_private

    async def _resolve_host(self, host: str, port: int, traces: Any = None) -> list[aiohttp.abc.ResolveResult]:
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            pass
        else:
            check_addresses(host, [literal], allow_private=self.allow_private)
        return await super()._resolve_host(host, port, traces=traces)


def http_session(*, allow_private: bool, connections: int = 200, dns_cache_seconds: int = 300
                 ) -> aiohttp.ClientSession:
    """A pooled HTTP session under the policy; create it inside the running event loop, close it after."""
    connector = PolicyConnector(
        allow_private=allow_private, limit=connections, limit_per_host=0,
        ttl_dns_cache=dns_cache_seconds, ssl=tls_context(),
    )
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": USER_AGENT}, trust_env=False)


async def open_connection(
    host: str, port: int, *, timeout: float, allow_private: bool, tls: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TCP (or TLS) stream under the policy, for TCP, TLS and WHOIS checks."""
    async with asyncio.timeout(timeout):
        addresses = await check_host_async(host, allow_private=allow_private, port=port)
        last_error: OSError | None = None
        for ip in addresses:
            try:
                return await asyncio.open_connection(
                    str(ip), port, ssl=tls, server_hostname=(server_hostname or host) if tls else None,
                )
            except ssl.SSLError:
                raise
            except OSError as exc:
                last_error = exc
        assert last_error is not None
        reason = os.strerror(last_error.errno) if last_error.errno else str(last_error)
        raise ConnectionFailed(_("Could not connect to %(host)s port %(port)s: %(error)s")
                               % {"host": host, "port": port, "error": reason})


def nameservers() -> list[tuple[str, int]]:
    """JAGAWEB_DNS_NAMESERVERS as (address, port); empty means the system's resolver configuration."""
    servers = []
    for item in settings.JAGAWEB_DNS_NAMESERVERS:
        address, _sep, port = item.rpartition(":") if item.count(":") == 1 else (item, "", "53")
        servers.append((address.strip("[]"), int(port or 53)))
    return servers


async def dns_query(name: str, rdtype: str, *, timeout: float,
                    servers: list[tuple[str, int]] | None = None) -> list[str]:
    """The answers for one name and record type, sorted; an empty list when the name has none of that type."""
    resolver = dns.asyncresolver.Resolver(configure=not (servers or nameservers()))
    chosen = servers or nameservers()
    if chosen:
        resolver.nameservers = [address for address, _port in chosen]
        resolver.port = chosen[0][1]
    resolver.lifetime = timeout
    try:
        answer = await resolver.resolve(name, rdtype, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN as exc:
        raise UnresolvableHost(_("%(name)s does not exist in DNS (NXDOMAIN).") % {"name": name}) from exc
    except dns.exception.Timeout as exc:
        raise NetTimeout(_("No DNS server answered for %(name)s within %(timeout)s s.")
                         % {"name": name, "timeout": f"{timeout:g}"}) from exc
    except dns.exception.DNSException as exc:
        raise NetError(_("DNS lookup of %(name)s failed: %(error)s") % {"name": name, "error": exc}) from exc
    return sorted(rdata.to_text() for rdata in answer)


@dataclass(frozen=True)
class TlsPeer:
    """What one TLS handshake showed: the peer's leaf certificate (DER) and the negotiated protocol."""

    certificate: bytes | None
    protocol: str
    cipher: str


async def tls_peer(host: str, port: int, *, timeout: float, allow_private: bool, context: ssl.SSLContext,
                   server_hostname: str | None = None) -> TlsPeer:
    """Handshake, note the certificate and protocol, hang up: what certificate checks need, nothing sent.

    A certificate the context refuses raises ssl.SSLCertVerificationError (its verify_code says why);
    other handshake failures raise ssl.SSLError; connection failures NetError or TimeoutError."""
    _reader, writer = await open_connection(host, port, timeout=timeout, allow_private=allow_private, tls=context,
                                            server_hostname=server_hostname)
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        cipher = writer.get_extra_info("cipher")
        certificate = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        protocol = (ssl_object.version() if ssl_object is not None else None) or ""
        return TlsPeer(certificate, protocol, cipher[0] if cipher else "")
    finally:
        # Abort rather than close: a graceful TLS shutdown waits for the peer, and nothing was sent anyway.
        writer.transport.abort()


async def whois_query(server: str, query: str, *, timeout: float, allow_private: bool, port: int = 43,
                      limit: int = 256 * 1024) -> str:
    """One WHOIS question (RFC 3912): send the query line on TCP port 43, read until the server hangs up.

    The answer is capped at `limit` bytes (real ones are a few KiB) and decoded as UTF-8, replacing
    what is not: some registries still answer in Latin-1."""
    chunks: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await open_connection(server, port, timeout=timeout, allow_private=allow_private)
            try:
                writer.write(query.encode("utf-8") + b"\r\n")
                await writer.drain()
                size = 0
                while size < limit:
                    chunk = await reader.read(min(65536, limit - size))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
            finally:
                writer.close()
    except TimeoutError as exc:
        raise NetTimeout(_("WHOIS server %(host)s did not answer within %(timeout)s s.")
                         % {"host": server, "timeout": f"{timeout:g}"}) from exc
    except OSError as exc:
        raise ConnectionFailed(_("WHOIS server %(host)s: %(error)s")
                               % {"host": server, "error": exc.strerror or exc}) from exc
    return b"".join(chunks).decode("utf-8", errors="replace")
