"""Webshell access: known shell names, scripts run from upload folders, disguised extensions, shell commands.

Defacers of Indonesian sites leave shells under names like IndoXploit, alfa, wso or a short "x.php", and
in upload folders a CMS never runs code from (including Indonesian ones: gambar, berkas, lampiran, unggah).
A 2xx answer means the shell is there.
"""

from __future__ import annotations

from typing import ClassVar

from jagaweb.logwatch.detect.base import Family, Pattern, Source
from jagaweb.logwatch.detect.kinds import Category, Severity

_S = Severity
_PATH = frozenset({Source.PATH})
_TARGET = frozenset({Source.TARGET})
# Extensions the server runs rather than sends (a .py or .sh under /files/ is a download).
# Trailing dots and spaces are dropped by Windows servers ("x.php. ").
_SCRIPT = r"\.(?:php\d?|phtml|pht|phar|asp|aspx|ashx|asmx|jsp|jspx|cgi)[\s.]*$"
_KNOWN_SHELLS = (
    r"c99\w*|c100|r57\w*|r58|wso[\d.]*\w*|b374k\w*|alfa(?:-?rex|shell|_?data|_?new|\d+)?|indoxploit\w*|marijuana\w*|sh3ll\w*|webshell\w*|cmdshell|"
    r"phpshell|priv8\w*|k2ll33d|leafmailer\w*|0byt3m1n1|gel4y\w*|haxor\w*|xleet\w*|madspot|anonsec\w*|"
    r"shell\d*|shell_?\w{0,8}|fox_?wso|mini_?shell\d*|minishell|s72|sadrazam|kacak|zerion|tryag|symlink_?sa|"
    r"bypass_?\w*shell|hacked_?by\w*"
)
_SHORT_NAMES = (
    r"x|xx|xxx|xl|up|upl|uploader|cmd|sh|lol|hehe|1337|0x|ws|zz|ok|kk|jmc|wp|mini|bypass|tinyfilemanager|"
    r"wp-(?:conflg|confiq|atom|blockk?|logins|tmp|2019|shell)|about1|ccx|cong|sx|xmrlpc|defau1t|filemanager1"
)
# Folders CMSs fill with uploads only: code there was put there by someone.
_UPLOAD_FOLDERS = (
    r"wp-content/uploads|uploads?|upload_files|userfiles|user_files|images?|img|pictures|photos?|foto|gambar|"
    r"berkas|lampiran|unggah|unggahan|attachments?|assets/(?:images|img|uploads|files)|sites/[^/]+/files|"
    r"storage/app/public|public/uploads|data/uploads?|\.well-known|wp-content/themes/[^/]+/images"
)
# Folders that usually hold data but sometimes code ("/download/file.php" is phpBB's own): a weaker sign.
_LOOSE_FOLDERS = r"files|tmp|temp|cache|media"


class WebshellFamily(Family):
    category = Category.WEBSHELL
    tokens: ClassVar[tuple[str, ...]] = (
        ".php", ".phtml", ".pht", ".phar", ".inc", ".asp", ".ashx", ".asmx", ".jsp", ".cgi", ".pl", ".py", ".sh",
        ";.", "filesman", "cmd=", "command=", "exec=", "execute=", "shell=",
    )  # fmt: skip
    patterns = (
        Pattern("known-shell", _S.HIGH, r"/(?:" + _KNOWN_SHELLS + r")\.(?:php\d?|phtml|pht|phar|asp|aspx|jsp)$",
                "A file named like a known web shell (wso, alfa, IndoXploit, b374k, c99...).",
                sources=_PATH, served=_S.CRITICAL),
        Pattern("shell-like-name", _S.MEDIUM, r"^/(?:[^/]+/)?(?:" + _SHORT_NAMES + r")\.(?:php\d?|phtml|pht|phar)$",
                "A short or look-alike script name that shell uploaders use (x.php, up.php, wp-conflg.php), near the"
                " web root.",
                sources=_PATH, served=_S.HIGH),
        Pattern("script-in-upload-folder", _S.HIGH, r"/(?:" + _UPLOAD_FOLDERS + r")/(?:[^/]+/)*[^/]+" + _SCRIPT,
                "A script requested from an upload or image folder.", sources=_PATH, served=_S.CRITICAL),
        Pattern("script-in-data-folder", _S.MEDIUM, r"/(?:" + _LOOSE_FOLDERS + r")/(?:[^/]+/)*[^/]+" + _SCRIPT,
                "A script requested from a files, cache or temporary folder.", sources=_PATH, served=_S.HIGH),
        Pattern("disguised-extension", _S.HIGH, r"\.(?:php\d?|phtml|pht|phar|asp|aspx|jsp)\.(?:jpe?g|png|gif|bmp|"
                r"ico|webp)$|\.(?:jpe?g|png|gif|ico|bmp|webp|txt)/[^/]*\.php$|"
                r";\.(?:jpe?g|png|gif|txt)$|\.(?:asp|aspx|php);",
                "A script hidden behind an image extension (shell.php.jpg, x.asp;.jpg, a.jpg/.php).",
                sources=_PATH, served=_S.CRITICAL),
        Pattern("shell-parameter", _S.HIGH, r"\.(?:php\d?|phtml|asp|aspx|jsp|cgi)\?(?:[^&]*&)*(?:cmd|command|exec|"
                r"execute|shell|cmdline)=|[?&](?:a=filesman|filesman\b|a=phpeval|act=(?:cmd|upload|phpinfo)\b)",
                "A script called with a command parameter (?cmd=) or a known shell's own actions (FilesMan).",
                sources=_TARGET, served=_S.CRITICAL),
    )  # fmt: skip
