"""Undo the cheap ways PHP malware hides its words, so the behaviour rules can read them.

Escaped strings ("\\x65\\x76al"), base64 (and gzip/deflate inside it), chr() chains, short pieces glued with
dots ('ev'.'al'), strrev() and str_rot13() of literals. Each decoded string is returned lower-cased; decoding
repeats on what it found, a few levels deep, within a size budget so a hostile file cannot make it explode.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import zlib

MAX_DEPTH = 3
MAX_OUTPUT = 2 * 1024 * 1024  # characters of decoded text per file
MAX_PIECES = 4000

# Double-quoted strings (the only PHP strings whose escapes are decoded); the two branches never overlap,
# so matching stays linear on any input.
_DQ_STRING = re.compile(r'"((?:[^"\\]|\\.){4,20000})"', re.S)
_NUM_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{1,2}|[0-7]{1,3})")
_HAS_NUM_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]|[0-7])")
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "f": "\f", "e": "\x1b", "$": "$", '"': '"', "\\": "\\"}
# 24 characters are 18 bytes: short hidden names and URLs count; binary data (hashes, tables) is dropped below.
_BASE64 = re.compile(r"""['"]\s*([A-Za-z0-9+/]{24,}={0,2})\s*['"]""")
_CHR_CHAIN = re.compile(r"(?:chr\s*\(\s*(?:\d+|0x[0-9a-f]+)\s*\)\s*\.\s*){3,}chr\s*\(\s*(?:\d+|0x[0-9a-f]+)\s*\)", re.I)
_CHR_ARG = re.compile(r"chr\s*\(\s*(\d+|0x[0-9a-f]+)\s*\)", re.I)
# Pieces of a name: no "$" or brackets, which a stretch between the quotes of two array keys would have.
_PIECES = re.compile(r"""(['"])[^'"\\\n$\[\]]{0,12}\1(?:\s*\.\s*(['"])[^'"\\\n$\[\]]{0,12}\2){1,40}""")
_PIECE = re.compile(r"""(['"])([^'"\\\n$\[\]]{0,12})\1""")
_STRREV = re.compile(r"""strrev\s*\(\s*(['"])([^'"\\]{3,400})\1""", re.I)
_ROT13 = re.compile(r"""str_rot13\s*\(\s*(['"])([^'"\\]{3,400})\1""", re.I)


def _unescape(body: str) -> str:
    def one(match: re.Match[str]) -> str:
        token = match.group(1)
        if token[0] == "x":
            return chr(int(token[1:], 16))
        if token[0].isdigit():
            return chr(int(token, 8) & 0xFF)
        return _SIMPLE_ESCAPES.get(token, "\\" + token)

    return _ESCAPE.sub(one, body)


def _printable(data: bytes) -> bool:
    if not data:
        return False
    sample = data[:4096]
    good = sum(1 for byte in sample if 32 <= byte < 127 or byte in (9, 10, 13))
    return good * 10 >= len(sample) * 9


def _inflate(data: bytes) -> bytes | None:
    """gzinflate (raw deflate), gzuncompress (zlib) and gzdecode (gzip), bounded to 1 MiB out."""
    for wbits in (-15, 15, 31):
        try:
            out = zlib.decompressobj(wbits).decompress(data, 1024 * 1024)
        except zlib.error:
            continue
        if out:
            return out
    return None


def _from_base64(blob: str) -> str | None:
    try:
        raw = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None
    if _printable(raw):
        return raw.decode("latin-1")
    inflated = _inflate(raw)
    if inflated is not None and _printable(inflated):
        return inflated.decode("latin-1")
    # A custom alphabet (strtr before base64_decode) leaves nothing readable: that is for the other rules.
    return None


def _chr_chain(chain: str) -> str:
    out = []
    for arg in _CHR_ARG.findall(chain):
        value = int(arg, 16) if arg.lower().startswith("0x") else int(arg)
        out.append(chr(value & 0xFF))
    return "".join(out)


def _escaped(body: str) -> bool:
    """Hidden words are written as escapes from end to end; a long stretch of code between two unrelated
    quotes (quotes are not parsed here) has a few at most."""
    if "\\" not in body:
        return False
    escapes = _NUM_ESCAPE.findall(body)
    return len(escapes) >= 4 and sum(map(len, escapes)) * 5 >= len(body) * 2


_UNSAFE_IN_LITERAL = str.maketrans({'"': "'", "\\": "/", "\n": " ", "\r": " ", "\x00": " "})


def _as_literal(value: str) -> str:
    return '"' + value.translate(_UNSAFE_IN_LITERAL) + '"'


def inline_literals(text: str) -> str:
    """`text` with escaped strings, chr() chains and glued pieces replaced in place by the string they make.

    PHP itself reads "\\x2fh\\x6fme" as "/home" and 'ev'.'al' as "eval": written out, the behaviour rules
    see `include "/home/.../favicon.ico"` where the file had a wall of escapes. Line breaks stay where they were.
    """

    def escaped(match: re.Match[str]) -> str:
        body = match.group(1)
        return _as_literal(_unescape(body)) if _escaped(body) and "\n" not in body else match.group(0)

    def chain(match: re.Match[str]) -> str:
        return _as_literal(_chr_chain(match.group(0)))

    def pieces(match: re.Match[str]) -> str:
        if "\n" in match.group(0):
            return match.group(0)
        return _as_literal("".join(piece.group(2) for piece in _PIECE.finditer(match.group(0))))

    if _HAS_NUM_ESCAPE.search(text):
        text = _DQ_STRING.sub(escaped, text)
    if "chr" in text or "CHR" in text:
        text = _CHR_CHAIN.sub(chain, text)
    if "." in text:
        text = _PIECES.sub(pieces, text)
    return text


def _found_in(text: str) -> list[str]:
    found: list[str] = []
    if _HAS_NUM_ESCAPE.search(text):
        found.extend(_unescape(m.group(1)) for m in _DQ_STRING.finditer(text) if _escaped(m.group(1)))
    for match in _BASE64.finditer(text):
        decoded = _from_base64(match.group(1))
        if decoded is not None:
            found.append(decoded)
    if "chr" in text or "CHR" in text:
        found.extend(_chr_chain(m.group(0)) for m in _CHR_CHAIN.finditer(text))
    if "." in text:
        for match in _PIECES.finditer(text):
            joined = "".join(piece.group(2) for piece in _PIECE.finditer(match.group(0)))
            if len(joined) >= 4:
                found.append(joined)
    found.extend(m.group(2)[::-1] for m in _STRREV.finditer(text))
    found.extend(codecs.decode(m.group(2), "rot13") for m in _ROT13.finditer(text))
    return found


def decode_hidden(text: str) -> list[str]:
    out: list[str] = []
    budget = MAX_OUTPUT
    layer = [text]
    for _depth in range(MAX_DEPTH):
        next_layer: list[str] = []
        for source in layer:
            for decoded in _found_in(source):
                if budget <= 0 or len(out) >= MAX_PIECES:
                    return out
                decoded = decoded[:budget]
                budget -= len(decoded)
                out.append(decoded.lower())
                next_layer.append(decoded)
        if not next_layer:
            break
        layer = next_layer
    return out
