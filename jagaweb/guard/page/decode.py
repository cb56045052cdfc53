"""Bytes from the wire or the disk into text the parser can take, whatever they are.

Bounded (an attacker's page can be hundreds of megabytes), tolerant of lying or missing charsets and of
truncation in the middle of a character, and honest about binary content instead of parsing it as HTML.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

MAX_BYTES = 3 * 1024 * 1024  # spam and defacements sit in the first few megabytes of any page that matters

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]{1,40})""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_:.-]{1,40})", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_SNIFF = 8192


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    truncated: bool = False
    binary: bool = False


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().lower())
    except LookupError:
        return None
    if not getattr(codec, "_is_text_encoding", True):  # "charset=zlib" or "rot13": not a character set
        return None
    # Pages that declare utf-16 in a <meta> are in fact ASCII-compatible (HTML's own rule); latin-1 labels
    # mean windows-1252 on the web.
    if codec.name.startswith("utf-16") or codec.name == "utf-32":
        return "utf-8"
    return "cp1252" if codec.name in ("latin-1", "iso8859-1", "ascii") else codec.name


def _bom(data: bytes) -> tuple[str | None, int]:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    return None, 0


def looks_binary(text: str) -> bool:
    """NUL bytes or many control characters in the first few kilobytes: an image, archive or executable."""
    head = text[:_SNIFF]
    if "\x00" in head:
        return True
    return len(_CONTROL.findall(head)) > len(head) // 10 + 1


def decode_page(content: str | bytes, *, content_type: str | None = None, max_bytes: int = MAX_BYTES) -> Decoded:
    if isinstance(content, str):
        truncated = len(content) > max_bytes
        text = content[:max_bytes] if truncated else content
        return Decoded(text, "str", truncated, looks_binary(text))
    truncated = len(content) > max_bytes
    data = content[:max_bytes] if truncated else content
    encoding, skip = _bom(data)
    if encoding is None:
        header = _HEADER_CHARSET.search(content_type or "")
        encoding = _codec(header.group(1) if header else None)
    if encoding is None:
        meta = _META_CHARSET.search(data, 0, 4096)
        encoding = _codec(meta.group(1).decode("ascii") if meta else None)
    if encoding == "utf-16":
        text = data.decode("utf-16", errors="replace")
        return Decoded(text, encoding, truncated, looks_binary(text))
    data = data[skip:]
    if encoding is None or encoding == "utf-8":
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            # Cut mid-character by the size bound, or mostly UTF-8 with a few stray bytes: keep it UTF-8.
            # Anything else undeclared is windows-1252 (the web's default for legacy pages).
            if exc.start >= len(data) - 3 or encoding == "utf-8" or _mostly_utf8(data):
                text = data.decode("utf-8", errors="replace")
                encoding = "utf-8"
            else:
                text = data.decode("cp1252", errors="replace")
                encoding = "cp1252"
    else:
        try:
            text = data.decode(encoding, errors="replace")
        except (LookupError, TypeError, ValueError):
            text, encoding = data.decode("utf-8", errors="replace"), "utf-8"
    return Decoded(text, encoding, truncated, looks_binary(text))


def _mostly_utf8(data: bytes) -> bool:
    sample = data[:65536]
    text = sample.decode("utf-8", errors="replace")
    return text.count("\ufffd") * 100 < len(text)
