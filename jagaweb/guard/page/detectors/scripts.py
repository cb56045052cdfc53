"""Scripts and frames that do not belong: obfuscated inline code, code or frames from gambling hosts,
frames too small or hidden to be seen."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page.detectors.base import Detector
from jagaweb.guard.page.document import Page
from jagaweb.guard.page.result import Reason, evidence
from jagaweb.guard.page.urls import is_benign, is_external, site_of
from jagaweb.guard.vocabulary import gambling_host

# Decoding fed straight into eval or document.write, Dean Edwards' packer, long runs of \x escapes: how
# injected code hides. One pattern each, so that each starts with a literal the regex engine can jump to
# (one alternation tried at every "e" of a script costs a quarter of a millisecond per 8 KB).
_OBFUSCATED = (
    re.compile(r"eval\s*\(\s*(?:atob|unescape|decodeURIComponent|String\.fromCharCode|function\s*\(\s*p\s*,\s*a\s*,"
               r"\s*c\s*,\s*k)"),
    re.compile(r"document\.write\s*\(\s*(?:unescape|atob|decodeURIComponent)\s*\("),
    re.compile(r"\\x[0-9a-fA-F]{2}(?:\\x[0-9a-fA-F]{2}){79}"),
)
_WRITES_LINKS = (
    re.compile(r"document\.write(?:ln)?\s*\([^;]{0,300}<a\s[^>]{0,200}href", re.IGNORECASE),
    re.compile(r"\.innerHTML\s*[+]?=[^;]{0,300}<a\s[^>]{0,200}href", re.IGNORECASE),
)


class ScriptDetector(Detector):
    kind = "script"

    def detect(self, page: Page) -> list[Reason]:
        reasons = []
        inline = [script.inline for script in page.scripts if script.inline]
        obfuscated = [code[:80] for code in inline if any(pattern.search(code) for pattern in _OBFUSCATED)]
        if obfuscated:
            reasons.append(Reason("script.obfuscated", _("Obfuscated inline script (decoded and run)"),
                                  Verdict.SUSPICIOUS, 25, evidence(obfuscated)))
        if any(pattern.search(code) for code in inline if "<a" in code.lower() for pattern in _WRITES_LINKS):
            reasons.append(Reason("script.writes_links", _("A script writes links into the page"),
                                  Verdict.SUSPICIOUS, 10))
        hosts = [script.host for script in page.scripts] + [frame.host for frame in page.frames]
        sources = {site_of(host) for host in hosts if host and gambling_host(host)}
        if sources:
            reasons.append(Reason("script.gambling_source", _("Scripts or frames loaded from gambling sites"),
                                  Verdict.JUDOL, 50, evidence(sources)))
        hidden_frames = {frame.host for frame in page.frames
                         if frame.hidden and frame.host and not is_benign(frame.host)
                         and (not page.own or is_external(frame.host, page.own))}
        if hidden_frames:
            reasons.append(Reason("frame.hidden", _("Hidden frame showing another site"), Verdict.SUSPICIOUS, 30,
                                  evidence(hidden_frames)))
        return reasons
