"""WHOIS over TCP port 43, the fallback when RDAP cannot tell when a domain expires.

WHOIS answers are free text, different per registry; the parsers here read the forms the registries
JagaWeb meets actually use:

    Expiration Date:31-Dec-2025 23:59:59 UTC        PANDI (.id, .go.id), older form
    Expiration Date: 2025-12-31T23:59:59Z           PANDI, newer form; many ccTLDs
    Registry Expiry Date: 2025-08-13T04:00:00Z      gTLD registries (.com, .org, ...)
    Registrar Registration Expiration Date: ...     gTLD registrars
    Expiry date:  12-Aug-2025                       Nominet (.uk)
    paid-till:    2025-08-12T21:00:00Z              .ru, .su
    expires:      2025-08-12                        .se, .nu and others
    Expiration Time: 2025-08-12 12:00:00            CNNIC (.cn)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings

from jagaweb import net
from jagaweb.monitor.checks.names import split_host_port

DEFAULT_PORT = 43
# Registry WHOIS servers by TLD: the last resort. Before them come the check's own `whois_server`
# option, then JAGAWEB_WHOIS_SERVERS ({"id": "whois.example:43"}), then the RDAP answer's port43 field.
SERVERS: dict[str, str] = {
    "id": "whois.id",  # PANDI: .id and every second level below it (go.id, ac.id, ...)
    "com": "whois.verisign-grs.com",
    "net": "whois.verisign-grs.com",
    "org": "whois.publicinterestregistry.org",
    "info": "whois.nic.info",
}

EXPIRY_LABELS = (
    "registry expiry date", "registrar registration expiration date", "expiration date", "expiry date",
    "expiration time", "expires on", "expire date", "expires", "paid-till", "renewal date", "valid until",
)
REGISTRAR_LABELS = ("sponsoring registrar organization", "registrar", "sponsoring registrar", "registrar name")
NAMESERVER_LABELS = ("name server", "nserver", "nameserver", "name servers")
NOT_FOUND = (
    "no match", "not found", "no data found", "no entries found", "no object found", "status: free",
    "is available for registration", "domain not found",
)
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}

LINE = re.compile(r"^\s*([A-Za-z][A-Za-z /._-]*?)\s*:\s*(.*?)\s*$")
ISO_DATE = re.compile(r"\b(\d{4})[-./](\d{1,2})[-./](\d{1,2})\b")
DAY_MONTH_NAME = re.compile(r"\b(\d{1,2})[- ./]([A-Za-z]{3})[A-Za-z]*[- ./,]+(\d{4})\b")
DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})[-./](\d{1,2})[-./](\d{4})\b")


@dataclass(frozen=True)
class WhoisDomain:
    expires_on: date | None
    registrar: str = ""
    nameservers: list[str] = field(default_factory=list)
    not_found: bool = False


def parse_date(text: str) -> date | None:
    """The date in a WHOIS value: ISO (2025-08-13T..), 13-Aug-2025, 13.08.2025 (day first)."""
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace(" UTC", "").replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        if match := ISO_DATE.search(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if (match := DAY_MONTH_NAME.search(text)) and match[2].lower() in MONTHS:
            return date(int(match[3]), MONTHS[match[2].lower()], int(match[1]))
        if match := DAY_MONTH_YEAR.search(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None  # a date that does not exist (2025-02-30)
    return None


def parse(text: str) -> WhoisDomain:
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.lstrip().startswith(("%", "#", ">>>")):
            continue  # comments and the gTLD "last update of WHOIS database" footer
        if match := LINE.match(line):
            fields.setdefault(match[1].strip().lower(), []).append(match[2])
    expires_on = next((parsed for label in EXPIRY_LABELS for value in fields.get(label, [])
                       if (parsed := parse_date(value)) is not None), None)
    registrar = next((value for label in REGISTRAR_LABELS for value in fields.get(label, []) if value), "")
    nameservers = sorted({value.split()[0].lower().rstrip(".") for label in NAMESERVER_LABELS
                          for value in fields.get(label, []) if value.strip()})
    lowered = text.lower()
    not_found = expires_on is None and any(marker in lowered for marker in NOT_FOUND)
    return WhoisDomain(expires_on, registrar, nameservers, not_found)


def server_for(domain: str, configured: str = "", rdap_port43: str = "") -> tuple[str, int] | None:
    """Where to ask: the check's option, JAGAWEB_WHOIS_SERVERS, the registry named by RDAP, the table.

    Suffixes are tried longest first, so an override for "go.id" wins over one for "id"."""
    overrides: dict[str, str] = settings.JAGAWEB_WHOIS_SERVERS
    labels = domain.lower().split(".")
    suffixes = [".".join(labels[i:]) for i in range(1, len(labels))]
    candidates = [configured, *(overrides.get(s, "") for s in suffixes), rdap_port43]
    candidates += [SERVERS.get(s, "") for s in suffixes]
    chosen = next((c.strip() for c in candidates if c and c.strip()), "")
    if not chosen:
        return None
    try:
        return split_host_port(chosen, DEFAULT_PORT)
    except ValueError:
        return None


async def lookup(domain: str, server: tuple[str, int], *, allow_private: bool, timeout: float) -> WhoisDomain:
    """Ask `server` about `domain`; raises net.NetError when it cannot be asked."""
    host, port = server
    return parse(await net.whois_query(host, domain, port=port, timeout=timeout, allow_private=allow_private))
