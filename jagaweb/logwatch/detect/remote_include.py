"""Remote file inclusion: a parameter that an include() would read, pointing at someone else's server.

Links to other sites in parameters are normal (share buttons, redirects, OAuth), so a URL alone is not
enough: it must be cut with a trailing "?" or NUL (to drop the ".php" the include appends), sit in a
parameter named like an include path, point at a bare IP address, or name a known shell.
"""

from __future__ import annotations

from typing import ClassVar

from jagaweb.logwatch.detect.base import Family, Pattern, Source
from jagaweb.logwatch.detect.kinds import Category, Severity

_S = Severity
_TARGET = frozenset({Source.TARGET})
_URL = r"(?:https?|ftps?|php|data|expect|zip|phar|smb)(?::|%3a)//?"
_INCLUDE_PARAMETERS = (
    r"include|inc|incl|require|file|filename|path|page|template|tpl|dir|root|document_root|mosconfig_absolute_path|"
    r"module|mod|conf|config|lang|language|skin|theme|load|content|cat|show|main|body|doc|folder|layout|class_path|"
    r"phpbb_root_path|appserv_root|gallery_basedir|path_to_root|base_path|basepath|base_dir|basedir|abspath|"
    r"rootpath|root_path|sitepath|site_path|incpath|include_path|plugin|pagina|halaman"
)


class RemoteIncludeFamily(Family):
    category = Category.RFI
    tokens: ClassVar[tuple[str, ...]] = ("http:", "https:", "ftp:", "ftps:", "php:", "data:", "expect:", "zip:",
                                         "phar:", "smb:", "http%3a", "https%3a", "ftp%3a")
    patterns = (
        Pattern("url-with-trailing-question-mark", _S.HIGH, r"=\s*(?:https?|ftps?)://[^&\s?]+\?+\s*(?:&|$)",
                "A URL value ending in \"?\": the appended .php becomes a query string on the attacker's server.",
                sources=_TARGET),
        # The URL must name a script, a text file or no file at all: a viewer's ?file=https://.../x.pdf is not one.
        Pattern("include-parameter-url", _S.HIGH, r"[?&;](?:[\w\[\]]*_)?(?:" + _INCLUDE_PARAMETERS
                + r")(?:\[\w*\])?=\s*" + _URL
                + r"[^&\s]*(?:\.(?:txt|php\d?|inc|sh|pl|py|cgi|asp|aspx|jsp|dat|log|gif|jpe?g|"
                r"png)|/[^./&?]*|\?+)\s*(?:&|$)",
                "A URL naming a script, a text file or a bare folder in a parameter named like an include path"
                " (page=, file=, mosConfig_absolute_path=).", sources=_TARGET),
        Pattern("ip-address-url", _S.MEDIUM, r"=\s*(?:https?|ftps?)://\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?/[^&\s]*"
                r"\.(?:txt|php|sh|pl|py|jpg|gif|png|dat)\b",
                "A script or text file on a bare IP address as a parameter value.", sources=_TARGET),
        Pattern("shell-url", _S.HIGH, r"=\s*(?:https?|ftps?)://[^&\s]*\b(?:c99|r57|wso|b374k|shell|backdoor|"
                r"phpshell|injector|r00t|cmd|bot)\w*\.(?:txt|php|jpg|gif|png)\b",
                "A URL naming a known web shell or bot script.", sources=_TARGET),
        Pattern("nul-terminated-url", _S.HIGH, r"=\s*(?:https?|ftps?)(?::|%3a)(?://|%2f%2f)[^&\s]*(?:%00|%2500)",
                "A URL cut short with a NUL byte.", sources=frozenset({Source.RAW})),
    )  # fmt: skip
