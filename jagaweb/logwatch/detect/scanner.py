"""Scanners and bad bots by their User-Agent: attack tools, vulnerability scanners, address harvesters.

Scripted clients (curl, python-requests, Go) are left alone: monitoring and feeds use them every minute,
and they say nothing about intent. Search-engine and SEO crawlers are left alone too; behaviour rules judge
how they crawl, and the fake-bot rule whether they are who they claim to be.
"""

from __future__ import annotations

from typing import ClassVar

from jagaweb.logwatch.detect.base import Family, Pattern, Source
from jagaweb.logwatch.detect.kinds import Category, Severity

_S = Severity
_AGENT = frozenset({Source.AGENT})
_ATTACK_TOOLS = (
    "sqlmap", "sqlninja", "havij", "pangolin", "bsqlbf", "bbqsql", "mysqloit", "absinthe", "nikto", "w3af",
    "arachni", "skipfish", "wapiti", "uniscan", "webshag", "commix", "xsstrike", "xsser", "fimap", "dotdotpwn",
    "dirbuster", "gobuster", "dirsearch", "feroxbuster", "wfuzz", "ffuf", "fuzz faster", "hydra", "medusa/",
    "brutus", "crimscanner", "morfeus", "zmeu", "jorgee", "paros", "webinspect", "appscan", "burp", "zaproxy",
    "owasp zap", "wpscan", "joomscan", "droopescan", "cmsmap", "whatweb", "wafw00f", "nuclei", "jaeles",
    "acunetix", "netsparker", "invicti", "nessus", "openvas", "qualysguard", "nmap scripting engine", "nmap nse",
    "masscan", "zgrab", "goby", "black widow", "blackwidow", "cgichk", "grendel-scan", "webvulncrawl",
    "security kol", "nsauditor", "l9explore", "l9tcpid", "interactsh", "fofa", "log4j-scan",
)  # fmt: skip
_BAD_BOTS = (
    "emailcollector", "emailsiphon", "emailspider", "emailwolf", "email extractor", "extractorpro",
    "webemailextrac", "atomic_email_hunter", "mail sweeper", "contactbot", "contentsmartz", "trackback/",
    "sogou music spider", "webbandit", "cherrypicker", "emailmagnet", "webstripper", "websucker", "webzip",
    "teleport pro", "offline explorer", "psycheclone", "datacha0s", "autoemailspider", "atspider",
    "bwh3_user_agent", "franklin locator", "guestbook auto submitter", "industry program", "missauga locate",
    "missouri college browse", "mizzu labs", "mo college", "program shareware", "under the rainbow",
    "wells search", "wep search", "full web bot", "educate search", "isc systems irc", "iupui research bot",
    "larbin-experimental", "lincoln state web browser", "lmqueuebot", "mac finder", "mfc foundation class",
    "microsoft url control", "nameofagent", "nasa search", "searchbotng", "shablastbot", "telesoft",
    "vadixbot", "xaldon webspider", "dbrowse", "ebrowse", "dsurf15", "esurf15", "fsurf15", "rsurf15",
    "demo bot", "china local browse",
)  # fmt: skip


_RESEARCH_SCANNERS = (
    "censysinspect", "expanse, a palo alto", "internetmeasurement", "internet-measurement", "netsystemsresearch",
    "shodan", "leakix", "onyphe", "binaryedge", "criminalip", "odin.io", "project25499", "securitytrails",
    "hello, world", "hello world",
)  # fmt: skip


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(word.replace(".", r"\.").replace(" ", r"\s") for word in words)


class ScannerFamily(Family):
    category = Category.SCANNER
    tokens: ClassVar[tuple[str, ...]] = _ATTACK_TOOLS + _BAD_BOTS + _RESEARCH_SCANNERS
    patterns = (
        Pattern("attack-tool", _S.MEDIUM, r"(?:" + _alternation(_ATTACK_TOOLS) + r")",
                "An attack or vulnerability-scanning tool (sqlmap, Nikto, WPScan, Nuclei...).", sources=_AGENT),
        Pattern("internet-scanner", _S.INFO, r"(?:" + _alternation(_RESEARCH_SCANNERS) + r")",
                "Internet-wide scanners and botnets announcing themselves (Censys, Expanse, Shodan, \"Hello, world\").",
                sources=_AGENT),
        Pattern("bad-bot", _S.LOW, r"(?:" + _alternation(_BAD_BOTS) + r")",
                "An address harvester, site ripper or trackback spammer.", sources=_AGENT),
    )  # fmt: skip
