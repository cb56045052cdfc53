"""What a file rule sees (`FileContext`), what it says (`Hit`), and the shape every rule has (`Rule`)."""

from __future__ import annotations

import enum
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.rules.decode import decode_hidden, inline_literals
from jagaweb.guard.rules.php import REQUEST_INPUT_RE, TaintScopes, strip_comments, taint_scopes, tainted_at
from jagaweb.guard.rules.terms import find_terms_quickly, may_have_terms
from jagaweb.guard.vocabulary import Term, find_terms

# Extensions Apache/PHP-FPM setups execute as PHP (the odd ones are how upload filters are bypassed).
PHP_EXEC_EXTENSIONS = frozenset({"php", "php3", "php4", "php5", "php7", "php8", "pht", "phtml", "phar"})
# PHP source that is included rather than requested (Drupal modules, old includes).
PHP_SOURCE_EXTENSIONS = PHP_EXEC_EXTENSIONS | frozenset({"inc", "module", "install", "theme", "profile"})
CONFIG_NAMES = frozenset({".htaccess", ".user.ini", "php.ini", "web.config"})
MARKUP_EXTENSIONS = frozenset(
    {"html", "htm", "shtml", "xhtml", "xml", "txt", "js", "mjs", "json", "svg", "sql", "tpl", "twig", "md", "csv"}
    | {"asp", "aspx"}
)
MEDIA_EXTENSIONS = frozenset(
    {
        "jpg", "jpeg", "png", "gif", "ico", "bmp", "webp", "tif", "tiff", "avif", "heic",
        "woff", "woff2", "ttf", "otf", "eot", "mp3", "mp4", "webm", "ogg", "wav", "avi", "mov",
        "pdf", "zip", "gz", "tgz", "rar", "7z", "swf", "css",
    }
)  # fmt: skip


_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])
_PHP_OPEN = re.compile(rb"<\?php\s", re.I)


class FileKind(enum.Enum):
    PHP = "php"  # a PHP source file by its name
    CONFIG = "config"  # .htaccess, .user.ini, php.ini, web.config
    MARKUP = "markup"  # HTML, text, scripts, data: where spam and defacements are written
    MEDIA = "media"  # images, fonts, archives: only a bounded head and tail are read
    OTHER = "other"
    SYMLINK = "symlink"  # never followed; only its target text is known


@dataclass(frozen=True, slots=True)
class Hit:
    """One observation of one rule. `with_company` hits count only when other hits already say something."""

    code: str
    points: int
    reason: str
    verdict: Verdict = Verdict.SUSPICIOUS
    with_company: bool = False


def kind_of(name: str, ext: str) -> FileKind:
    if name in CONFIG_NAMES:
        return FileKind.CONFIG
    if ext in PHP_SOURCE_EXTENSIONS:
        return FileKind.PHP
    if ext in MARKUP_EXTENSIONS:
        return FileKind.MARKUP
    if ext in MEDIA_EXTENSIONS:
        return FileKind.MEDIA
    return FileKind.OTHER


class FileContext:
    """One file as the rules see it: its place in the tree and a bounded copy of its bytes.

    Text views are computed once, on first use, because most rules need only one or two of them.
    """

    def __init__(
        self, path: str, data: bytes, *, size: int, truncated: bool = False, link_target: str | None = None
    ) -> None:
        self.path = path.replace("\\", "/").lstrip("/")
        segments = [s for s in self.path.split("/") if s]
        self.name = segments[-1].lower() if segments else ""
        self.dirs = tuple(s.lower() for s in segments[:-1])
        self.ext = self.name.rsplit(".", 1)[-1] if "." in self.name.lstrip(".") else ""
        self.data = data
        self.size = size
        self.truncated = truncated
        self.link_target = link_target
        self.kind = FileKind.SYMLINK if link_target is not None else kind_of(self.name, self.ext)

    @cached_property
    def is_binary(self) -> bool:
        head = self.data[:8192]
        if b"\x00" in head:
            return True
        if not head:
            return False
        # Text in any ASCII-compatible encoding has few control bytes; compressed or image data has many.
        controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
        return controls * 20 > len(head)

    @cached_property
    def text(self) -> str:
        """Latin-1 never fails and keeps one character per byte, so offsets and odd bytes survive."""
        return self.data.decode("latin-1")

    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def words(self) -> str:
        """The bytes as UTF-8 text (bad sequences replaced), for vocabulary and page-like content."""
        return self.data.decode("utf-8", errors="replace")

    @cached_property
    def terms(self) -> dict[str, Term]:
        """Gambling and defacement vocabulary in the file (`jagaweb.guard.vocabulary`), computed once."""
        if self.data.isascii():
            return find_terms(self.words) if may_have_terms(self.data) else {}
        return find_terms_quickly(self.words)

    @cached_property
    def has_php(self) -> bool:
        if self.kind is FileKind.PHP:
            return not self.is_binary or b"<?" in self.data[:64]
        return _PHP_OPEN.search(self.data) is not None

    @cached_property
    def decoded(self) -> list[str]:
        """Strings hidden by escapes, base64, chr() chains, pieces or strrev, decoded and lower-cased."""
        return decode_hidden(self.text) if self.has_php or self.kind is FileKind.CONFIG else []

    @cached_property
    def stripped(self) -> str:
        """Lower-cased PHP with hidden literals written out (`decode.inline_literals`) and without comments
        (docblocks quote code: "`$callback( $args )`")."""
        if not self.has_php:
            return self.lower
        return strip_comments(inline_literals(self.text).lower())

    @cached_property
    def code(self) -> str:
        """The lower-cased code without comments, followed by what `decoded` found, to see through simple hiding."""
        if not self.decoded:
            return self.stripped
        return self.stripped + "\n" + "\n".join(self.decoded)

    @cached_property
    def _taint(self) -> TaintScopes:
        return taint_scopes(self.code) if self.has_php else []

    @cached_property
    def _request_taint(self) -> TaintScopes:
        return taint_scopes(self.code, REQUEST_INPUT_RE) if self.has_php else []

    def tainted_at(self, offset: int) -> frozenset[str]:
        """Variables carrying request input in the function around `offset` of `code`."""
        return tainted_at(self._taint, offset)

    def request_tainted_at(self, offset: int) -> frozenset[str]:
        """The same, for request input other than uploaded files."""
        return tainted_at(self._request_taint, offset)

    def where(self, offset: int, within: str | None = None) -> str:
        """' (line N)' for an offset in `within` (default `code`); offsets past the file fall in decoded strings."""
        text = self.stripped if within is None else within
        if offset >= len(text):
            return _(" (in a decoded string)")
        return self.where_line(text.count("\n", 0, offset) + 1)

    def where_line(self, line: int) -> str:
        return _(" (line %(line)d)") % {"line": line}


class Rule(ABC):
    """One kind of evidence. Rules never raise on odd input; they answer the hits they see."""

    code: ClassVar[str]
    kinds: ClassVar[frozenset[FileKind]]

    def applies(self, ctx: FileContext) -> bool:
        return ctx.kind in self.kinds

    @abstractmethod
    def check(self, ctx: FileContext) -> list[Hit]: ...
