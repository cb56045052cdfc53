"""The TLS certificate check: days to expiry, hostname mismatch, broken chain, outdated protocols.

Up to three handshakes, no request sent: one verifying as a browser would (system CAs plus
JAGAWEB_NET_CA_FILE); when that fails on the certificate, one without verification, so that the
dates, issuer and names of the certificate are still reported; and one offering only TLS 1.0/1.1, to
learn whether the server still accepts them.
"""

from __future__ import annotations

import ssl
import time
import warnings
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb import net
from jagaweb.activity.choices import Severity
from jagaweb.monitor.checks import register
from jagaweb.monitor.checks.base import CheckSpec, CheckType, Context, Notice, Outcome
from jagaweb.monitor.checks.expiry import days_until, threshold_crossed
from jagaweb.monitor.checks.names import split_host_port, tls_target
from jagaweb.monitor.choices import CheckKind, Status

WARN_DAYS = 14  # fewer days left than this: degraded (the 14-day alert has gone out by then)

# OpenSSL's X509_V_ERR_* codes (x509_vfy.h) that name the usual reasons a certificate is refused.
EXPIRED = 10
NOT_YET_VALID = 9
SELF_SIGNED = (18, 19)  # the leaf itself, or a self-signed root in the chain nobody trusts
UNKNOWN_ISSUER = (2, 20, 21)  # issuer not found: an unknown CA, or the server omits the intermediate
HOSTNAME_MISMATCH = 62

# Client-side reasons meaning "this machine's OpenSSL will not even offer TLS 1.0/1.1".
LOCAL_REFUSALS = ("NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE", "NO_SUITABLE_SIGNATURE_ALGORITHM")


class LegacyProbe:
    """How the server took an offer of TLS 1.0/1.1 only (facts["legacy_probe"])."""

    ACCEPTED = "accepted"
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"  # the local OpenSSL cannot offer them: nothing is known
    FAILED = "failed"  # no answer (timeout, connection lost): nothing is known
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Certificate:
    not_after: str
    days_left: int
    issuer: str
    subject: str
    names: list[str]
    self_signed: bool

    @classmethod
    def from_der(cls, der: bytes, context: Context) -> Certificate:
        cert = x509.load_der_x509_certificate(der)
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = [str(name) for name in san.get_values_for_type(x509.DNSName)]
            names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
        except x509.ExtensionNotFound:
            names = [str(attr.value) for attr in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
        not_after = cert.not_valid_after_utc.astimezone(UTC)
        return cls(
            not_after=not_after.isoformat(), days_left=days_until(not_after, context.now),
            issuer=cert.issuer.rfc4514_string(), subject=cert.subject.rfc4514_string(), names=names,
            self_signed=cert.issuer == cert.subject,
        )

    def facts(self) -> dict[str, Any]:
        return {"not_after": self.not_after, "days_left": self.days_left, "issuer": self.issuer,
                "subject": self.subject, "names": self.names}


def chain_problem(error: ssl.SSLCertVerificationError, host: str, cert: Certificate | None) -> str:
    """A sentence for why verification failed, from OpenSSL's verify code."""
    code = error.verify_code
    not_after = cert.not_after[:10] if cert else "?"
    if code == EXPIRED:
        return _("The certificate of %(host)s expired on %(date)s.") % {"host": host, "date": not_after}
    if code == NOT_YET_VALID:
        return _("The certificate of %(host)s is not valid yet.") % {"host": host}
    if code == HOSTNAME_MISMATCH:
        names = ", ".join(cert.names) if cert and cert.names else "?"
        return _("The certificate is for %(names)s, not for %(host)s.") % {"names": names, "host": host}
    if code in SELF_SIGNED:
        return _("The certificate of %(host)s is self-signed; browsers do not trust it.") % {"host": host}
    if code in UNKNOWN_ISSUER:
        return _("The certificate chain of %(host)s is broken: the issuer is unknown or the server does not send "
                 "the intermediate certificate.") % {"host": host}
    return _("The certificate of %(host)s is not trusted: %(reason)s.") % {
        "host": host, "reason": error.verify_message or error.reason or error}


@register
class TlsCheck(CheckType):
    kind = CheckKind.TLS
    label = gettext_lazy("TLS certificate")
    default_interval = 12 * 3600

    def target_for(self, target: str, site_url: str) -> str:
        return tls_target(target, site_url)

    def host_key(self, spec: CheckSpec) -> str:
        try:
            return split_host_port(spec.target, 443)[0]
        except ValueError:
            return spec.target.lower()

    def clean_config(self, config: dict[str, Any]) -> dict[str, Any]:
        cleaned = dict(config)
        warn_days = cleaned.setdefault("warn_days", WARN_DAYS)
        if not isinstance(warn_days, int) or isinstance(warn_days, bool) or not 0 <= warn_days <= 365:
            raise ValidationError({"warn_days": _("Enter a whole number of days from 0 to 365.")})
        if not isinstance(cleaned.setdefault("check_weak_protocols", True), bool):
            raise ValidationError({"check_weak_protocols": _("Enter true or false.")})
        return cleaned

    async def run(self, spec: CheckSpec, context: Context) -> Outcome:
        try:
            host, port = split_host_port(spec.target, 443)
        except ValueError:
            return Outcome(Status.UNKNOWN, _("Not a valid host or host:port: %(target)r.") % {"target": spec.target})
        started = time.monotonic()
        facts: dict[str, Any] = {"host": host, "port": port}
        problem = ""
        peer: net.TlsPeer | None = None
        verify_error: ssl.SSLCertVerificationError | None = None
        try:
            peer = await self._handshake(spec, host, port, verify=True)
        except ssl.SSLCertVerificationError as exc:
            verify_error = exc
        except ssl.SSLError as exc:
            problem = _("TLS handshake with %(host)s failed: %(reason)s.") % {"host": host, "reason": exc.reason or exc}
        except (net.NetError, OSError) as exc:  # TimeoutError is an OSError
            return self._unreachable(host, port, exc, spec.timeout, facts)
        elapsed = (time.monotonic() - started) * 1000

        if verify_error is not None:
            try:
                peer = await self._handshake(spec, host, port, verify=False)
            except (ssl.SSLError, net.NetError, OSError):
                peer = None  # verification already said what is wrong; the dates are a bonus
        cert = self._certificate(peer, context, facts)
        if peer is not None:
            facts["protocol"] = peer.protocol
        if verify_error is not None:
            facts["chain_error"] = verify_error.verify_message or str(verify_error.reason)
            problem = chain_problem(verify_error, host, cert)

        weak = await self._legacy_probe(spec, host, port, facts)
        if problem:
            if weak and peer is None:
                problem += " " + _("It accepts only the outdated %(protocol)s.") % {"protocol": weak}
            return Outcome(Status.DOWN, problem, elapsed, facts)
        return self._judge(spec, host, cert, weak, elapsed, facts)

    async def _handshake(self, spec: CheckSpec, host: str, port: int, *, verify: bool) -> net.TlsPeer:
        return await net.tls_peer(host, port, timeout=spec.timeout, allow_private=spec.allow_private,
                                  context=net.tls_context(verify=verify))

    def _certificate(self, peer: net.TlsPeer | None, context: Context, facts: dict[str, Any]) -> Certificate | None:
        if peer is None or not peer.certificate:
            return None
        try:
            cert = Certificate.from_der(peer.certificate, context)
        except ValueError:
            return None  # a certificate cryptography cannot read; the handshake verdict still stands
        facts.update(cert.facts())
        return cert

    def _unreachable(self, host: str, port: int, exc: BaseException, timeout: float,
                     facts: dict[str, Any]) -> Outcome:
        if isinstance(exc, TimeoutError):
            message = _("%(host)s port %(port)s did not complete a TLS handshake within %(timeout)s s.") % {
                "host": host, "port": port, "timeout": f"{timeout:g}"}
        elif isinstance(exc, net.NetError):
            message = str(exc)
        else:
            message = _("Could not talk TLS to %(host)s port %(port)s: %(error)s") % {
                "host": host, "port": port, "error": getattr(exc, "strerror", None) or exc}
        return Outcome(Status.DOWN, message, None, facts)

    async def _legacy_probe(self, spec: CheckSpec, host: str, port: int, facts: dict[str, Any]) -> str:
        """The outdated protocol the server accepted ("TLSv1", "TLSv1.1"), or "" (refused or unknown)."""
        if not spec.config.get("check_weak_protocols", True):
            facts["legacy_probe"] = LegacyProbe.SKIPPED
            return ""
        if not (ssl.HAS_TLSv1 or ssl.HAS_TLSv1_1):
            facts["legacy_probe"] = LegacyProbe.UNAVAILABLE
            return ""
        try:
            with warnings.catch_warnings():
                # Python deprecates TLS 1.0/1.1; offering them here is the point of the probe.
                warnings.simplefilter("ignore", DeprecationWarning)
                context = net.tls_context(verify=False, legacy=True)
        except (ValueError, ssl.SSLError):
            facts["legacy_probe"] = LegacyProbe.UNAVAILABLE
            return ""
        try:
            peer = await net.tls_peer(host, port, timeout=spec.timeout, allow_private=spec.allow_private,
                                      context=context)
        except ssl.SSLError as exc:
            local = exc.reason in LOCAL_REFUSALS
            facts["legacy_probe"] = LegacyProbe.UNAVAILABLE if local else LegacyProbe.REFUSED
            return ""
        except (net.ConnectionFailed, ConnectionError, EOFError):
            # The port took a connection a moment ago: hanging up on an old ClientHello is a refusal.
            facts["legacy_probe"] = LegacyProbe.REFUSED
            return ""
        except (net.NetError, OSError):
            facts["legacy_probe"] = LegacyProbe.FAILED
            return ""
        facts["legacy_probe"] = LegacyProbe.ACCEPTED
        facts["weak_protocol"] = peer.protocol
        return peer.protocol

    def _judge(self, spec: CheckSpec, host: str, cert: Certificate | None, weak: str, elapsed: float,
               facts: dict[str, Any]) -> Outcome:
        if cert is None:
            return Outcome(Status.UNKNOWN, _("%(host)s sent no readable certificate.") % {"host": host},
                           elapsed, facts)
        warn_days = int(spec.config.get("warn_days", WARN_DAYS))
        notes = []
        status = Status.UP
        if cert.days_left < warn_days:
            status = Status.DEGRADED
            notes.append(_("The certificate expires in %(days)s days (%(date)s).")
                         % {"days": cert.days_left, "date": cert.not_after[:10]})
        if weak:
            status = Status.DEGRADED
            notes.append(_("The server still accepts the outdated %(protocol)s; turn off TLS 1.0 and 1.1.")
                         % {"protocol": weak})
        if not notes:
            notes.append(_("Valid for %(days)s more days (until %(date)s), %(protocol)s.")
                         % {"days": cert.days_left, "date": cert.not_after[:10],
                            "protocol": facts.get("protocol", "?")})
        return Outcome(status, " ".join(notes), elapsed, facts)

    def notices(self, spec: CheckSpec, outcome: Outcome) -> list[Notice]:
        days_left, not_after = outcome.facts.get("days_left"), outcome.facts.get("not_after")
        if not isinstance(days_left, int) or not isinstance(not_after, str):
            return []
        threshold = threshold_crossed(days_left)
        if threshold is None:
            return []
        return [Notice(
            key=f"cert:{not_after[:10]}:{threshold}",
            verb="monitor.cert_expiring",
            severity=Severity.CRITICAL if threshold <= 7 else Severity.WARNING,
            data={"site_name": spec.site_name, "host": outcome.facts.get("host", spec.target),
                  "days_left": days_left, "not_after": not_after[:10], "threshold": threshold,
                  "issuer": outcome.facts.get("issuer", "")},
        )]
