"""The demo attack: one sample site gets what a judi-online (online gambling) campaign plants on an
Indonesian government site, so the guard has something real to find, alert on and restore.

Planted in the web root (the kit is in `content/attack/`, see its README):

- `.htaccess` that cloaks: Googlebot and visitors from Google get the doorway page instead of the home
  page, and Indonesian visitors from Google are redirected from the news pages to a gambling site. The
  demo's site server follows these rules (`jagaweb.demo.rewrite`), so the cloaking is really served;
- `index.php` with user-agent and referrer cloaking and a remote include;
- a doorway page, `slot-gacor/index.html`, and a copy in fancy Unicode letters (`slot-gacor/maxwin.html`),
  written as spam is written to slip past word filters;
- a webshell among the uploads, `uploads/2024/11/thumb.php`;
- a Search Console verification file, with which the attacker claims the site at Google;
- hidden links to gambling sites in the home page's footer.

The demo has no PHP: its site server serves static files and refuses program files, so the PHP files are
evidence on disk for the guard's file check, never run. Undoing the attack is the guard's job (restore
from the trusted backup), not the demo's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb.activity.choices import Severity
from jagaweb.activity.log import Actor, record
from jagaweb.demo import verbs
from jagaweb.demo.catalog import CONTENT_DIR
from jagaweb.demo.guarding import CHECK_JOB, not_ready
from jagaweb.demo.sites import DemoSite
from jagaweb.inventory.models import Site
from jagaweb.jobs.models import JobRun, ScheduleEntry

KIT = CONTENT_DIR / "attack"
FOOTER_END = "</footer>"
INJECTED_MARK = "left:-9999px"
VERIFICATION_FILE = "google5e1f7c3a9d2b4068.html"
DOORWAY = "slot-gacor/index.html"
FANCY_DOORWAY = "slot-gacor/maxwin.html"
WEBSHELL = "uploads/2024/11/thumb.php"
HOME = "index.html"
# Mathematical sans-serif bold capitals, small letters and digits; full-width forms for every other word.
BOLD_CAPITAL, BOLD_SMALL, BOLD_DIGIT = 0x1D5D4, 0x1D5EE, 0x1D7EC
FULL_WIDTH_OFFSET = 0xFEE0
ZERO_WIDTH_SPACE = "\u200b"
TEXT_BETWEEN_TAGS = re.compile(r">([^<]+)<")
ENTITY_OR_WORD = re.compile(r"(&#?\w+;)|([A-Za-z0-9]+)")


@dataclass(frozen=True)
class Planted:
    path: str  # relative to the web root
    what: Promise | str  # for the person watching the demo


WHAT: dict[str, Promise] = {
    ".htaccess": gettext_lazy("cloaking: Googlebot and visitors from Google get the doorway page"),
    "index.php": gettext_lazy("cloaking by user agent and referrer, and a remote include (never run: no PHP)"),
    DOORWAY: gettext_lazy("doorway page full of gambling spam"),
    FANCY_DOORWAY: gettext_lazy("the same spam in look-alike Unicode letters"),
    WEBSHELL: gettext_lazy("webshell among the uploads (never run: no PHP)"),
    VERIFICATION_FILE: gettext_lazy("Search Console verification file: the attacker claims the site at Google"),
    HOME: gettext_lazy("hidden links to gambling sites in the home page's footer"),
}


def kit_contents() -> list[Planted]:
    """What `plant` puts where, in order."""
    return [Planted(path, what) for path, what in WHAT.items()]


def fill(text: str, site_name: str, site_url: str) -> str:
    return text.replace("[[site_name]]", site_name).replace("[[site_url]]", site_url)


def bold(word: str) -> str:
    def one(char: str) -> str:
        if "A" <= char <= "Z":
            return chr(BOLD_CAPITAL + ord(char) - ord("A"))
        if "a" <= char <= "z":
            return chr(BOLD_SMALL + ord(char) - ord("a"))
        return chr(BOLD_DIGIT + ord(char) - ord("0"))
    return "".join(one(char) for char in word)


def full_width(word: str) -> str:
    return "".join(chr(ord(char) + FULL_WIDTH_OFFSET) for char in word)


def fancy(html: str) -> str:
    """The page with its visible words in look-alike letters: mathematical bold and full-width forms in turn, and
    a zero-width space inside longer words. Tags, attributes and entities are left as they are."""
    count = 0

    def word(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(1):
            return match.group(1)
        count += 1
        style = full_width if count % 2 else bold
        text = match.group(2)
        if len(text) <= 3:
            return style(text)
        return style(text[:2]) + ZERO_WIDTH_SPACE + style(text[2:])

    return TEXT_BETWEEN_TAGS.sub(lambda m: ">" + ENTITY_OR_WORD.sub(word, m.group(1)) + "<", html)


def kit(name: str) -> str:
    return (KIT / name).read_text(encoding="utf-8")


def inject_footer(home: Path, links: str) -> bool:
    """Put the hidden links just before the home page's footer closes; False when there is no footer or the
    links are already there (planting twice changes nothing)."""
    if not home.is_file():
        return False
    page = home.read_text(encoding="utf-8")
    if INJECTED_MARK in page or FOOTER_END not in page:
        return False
    head, _end, tail = page.rpartition(FOOTER_END)
    home.write_text(head + links + "  " + FOOTER_END + tail, encoding="utf-8")
    return True


def plant(web_root: Path, *, site_name: str, site_url: str) -> list[Planted]:
    """Plant the attack in `web_root`; returns what was planted where. Planting twice changes nothing more."""
    doorway = fill(kit("doorway.html"), site_name, site_url)
    texts = {
        ".htaccess": kit("htaccess.txt"), "index.php": kit("index.php.txt"), DOORWAY: doorway,
        FANCY_DOORWAY: fancy(doorway), WEBSHELL: kit("webshell.php.txt"),
        VERIFICATION_FILE: f"google-site-verification: {VERIFICATION_FILE}\n",
    }
    for relative, text in texts.items():
        path = web_root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    home = web_root / HOME
    inject_footer(home, kit("footer-links.html"))
    injected = home.is_file() and INJECTED_MARK in home.read_text(encoding="utf-8")
    return [item for item in kit_contents() if item.path != HOME or injected]


class AttackRefused(Exception):
    """The attack would show nothing now; the message says why, for the person who asked."""


def attack_site(site: Site, demo: DemoSite, actor: Actor) -> list[Planted]:
    """Plant the attack in the sample site's web root, once its guard is ready to see it, and log who did."""
    if demo.is_stopped():
        raise AttackRefused(_("%(site)s is switched off; start it again first.") % {"site": site.name})
    problem = not_ready(site)
    if problem:
        raise AttackRefused(problem)
    planted = plant(demo.web_root, site_name=site.name, site_url=site.url)
    record(verbs.ATTACKED, actor=actor, site=site, severity=Severity.WARNING, site_name=site.name,
           count=len(planted), files=[item.path for item in planted])
    return planted


def queue_check(site: Site, actor: Actor) -> JobRun:
    """A run of the site's scheduled guard check now, for the worker (the command's way; a page queues the
    check in the name of the person who pressed the button)."""
    from jagaweb.jobs.scheduler import run_now, sync_entries

    entry = ScheduleEntry.objects.filter(job=CHECK_JOB, site=site).first()
    if entry is None:
        sync_entries()
        entry = ScheduleEntry.objects.get(job=CHECK_JOB, site=site)
    return run_now(entry, actor=actor)
