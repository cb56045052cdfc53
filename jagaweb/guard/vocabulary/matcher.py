"""Finding vocabulary terms in text: distinct terms, by tier, in time linear in the text.

The text is normalised and cut into words once (a C-speed translate and split). One-word terms are a set
intersection with the text's words; a phrase is looked for only when all its words occur in the text (a
set test), by one substring search in the joined words. No Python code runs per word of the page.

"slot-gacor", "slot_gacor", "slot.gacor" and "slot gacor" are the same two words; "slotgacor" (written
together, as in host names and slugs) is matched because every phrase is also registered joined. Words
mixing letters and digits ("slot88", "slotgacor88") are also read as their letter and digit parts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jagaweb.guard.choices import TermTier
from jagaweb.guard.vocabulary.fold import deleet, fold_case, leet_words, normalise

# ASCII punctuation separates words (non-ASCII punctuation became spaces while folding).
_SEPARATORS = {code: " " for code in range(128) if not chr(code).isalnum()}
_PARTS = re.compile(r"[^\W\d_]+|\d+")
_ASCII_PARTS = re.compile(r"[a-z]+|[0-9]+")  # the same for ASCII text, several times faster
# Site brands: a gambling word glued to a number ("slot88", "dewaslot777"). Not "jackpot51" or "poker42":
# English words people use as user names.
_BRAND = re.compile(r"(slot|toto|togel|gacor|judi|sbobet|maxwin)\d{2,}")
_JOINED_MIN = 6  # "hk pools" -> "hkpools"; shorter joined forms would collide with ordinary words


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # normalised, words separated by one space
    tier: TermTier
    category: str


Hits = Mapping[str, Term]  # distinct terms found, by their normalised text


@dataclass
class Scan:
    """A text as the vocabulary saw it: normalised, cut into words, and the distinct terms in it."""

    norm: str
    tokens: list[str]
    terms: dict[str, Term]


def tokens_of(normalised: str) -> list[str]:
    return normalised.translate(_SEPARATORS).split()


def _mixed(word: str) -> bool:
    return not word.isalpha() and not word.isdigit()


def _mixed_words(words: set[str]) -> list[str]:
    return [word for word in [word for word in words if not word.isalpha()] if not word.isdigit()]


def _split_mixed(tokens: list[str]) -> list[str]:
    return [part for token in tokens for part in (_PARTS.findall(token) if _mixed(token) else (token,))]


class Vocabulary:
    """A compiled term list; `find` returns the distinct terms a text contains."""

    def __init__(self, entries: Iterable[tuple[str, TermTier, str]]) -> None:
        self.singles: dict[str, Term] = {}
        self.phrases: dict[str, list[tuple[tuple[str, ...], Term]]] = {}  # by first word
        self.host_stems: list[str] = []
        self.host_exceptions: list[str] = []
        for raw, tier, category in entries:
            norm = normalise(raw)
            words = tokens_of(norm)
            if not words:
                continue
            term = Term(" ".join(words), tier, category)
            if tier == TermTier.HOST:
                self.host_stems.append("".join(words))
            elif tier == TermTier.HOST_NOT:
                self.host_exceptions.append("".join(words))
            else:
                self._register(words, term)
        # Longest first, so that an exception containing another ("judiciary", "judicial") wins.
        self.host_exceptions.sort(key=len, reverse=True)
        self._host_stem = re.compile("|".join(map(re.escape, sorted(self.host_stems, key=len, reverse=True))) or "$^")
        self._single_keys = frozenset(self.singles)
        self._first_words = frozenset(self.phrases)

    def _register(self, words: list[str], term: Term) -> None:
        variants = [words]
        parts = [part for word in words for part in _PARTS.findall(word)]
        if parts != words:
            variants.append(parts)  # "slot88" is also "slot 88", "depo 10k" also "depo 10 k"
        for variant in variants:
            if len(variant) == 1:
                self._add_single(variant[0], term)
            else:
                self.phrases.setdefault(variant[0], []).append((tuple(variant), term))
        joined = "".join(words)
        if len(words) > 1 and len(joined) >= _JOINED_MIN and joined.isalpha():
            self._add_single(joined, term)

    def _add_single(self, key: str, term: Term) -> None:
        current = self.singles.get(key)
        # One key, two tiers: the stronger reading is kept.
        if current is None or _RANK[term.tier] > _RANK[current.tier]:
            self.singles[key] = term

    def find(self, text: str) -> dict[str, Term]:
        """Distinct terms in `text` (any tier), keyed by normalised term text."""
        return self.scan(text).terms

    def scan(self, text: str) -> Scan:
        if not text:
            return Scan("", [], {})
        norm = fold_case(text)
        tokens = tokens_of(norm)
        present = set(tokens)
        mixed = _mixed_words(present)
        # Leetspeak only lives in words mixing letters and digits: the text is de-leeted when one does.
        if mixed and leet_words(mixed):
            norm = deleet(norm)
            tokens = tokens_of(norm)
            present = set(tokens)
            mixed = _mixed_words(present)
        return Scan(norm, tokens, self._terms(tokens, present, mixed))

    def _terms(self, tokens: list[str], present: set[str], mixed: list[str]) -> dict[str, Term]:
        found: dict[str, Term] = {}
        # One regex call over all mixed words, not one per word: scripts have hundreds of them.
        mixed_text = " ".join(mixed)
        parts = _ASCII_PARTS if mixed_text.isascii() else _PARTS
        extra = parts.findall(mixed_text) if mixed else []  # "slotgacor88" -> "slotgacor", "88"
        present.update(extra)
        singles = self.singles
        for key in self._single_keys.intersection(present):
            term = singles[key]
            found[term.text] = term
        joined: str | None = None
        split: str | None = None
        from_parts = set(extra)
        for first in self._first_words.intersection(present):
            for words, term in self.phrases[first]:
                if term.text in found or not all(word in present for word in words[1:]):
                    continue
                phrase = " " + " ".join(words) + " "
                if joined is None:
                    joined = " " + " ".join(tokens) + " "
                if phrase in joined:
                    found[term.text] = term
                elif from_parts.intersection(words):  # "situs slot88resmi" holds "situs slot"
                    if split is None:
                        split = " " + " ".join(_split_mixed(tokens)) + " "
                    if phrase in split:
                        found[term.text] = term
        for match in _BRAND.finditer(mixed_text):
            brand, stem = match.group(), match.group(1)
            # "slotgacor88" is one word: "gacor88" adds nothing once "slot gacor" is there.
            if brand not in found and not any(stem in text for text, term in found.items()
                                              if term.tier == TermTier.PROMO):
                found[brand] = Term(brand, TermTier.PROMO, "brand")
        return found

    def host_stems_in(self, host: str) -> list[str]:
        """Gambling stems in a host name ("slot-gacor88.example.invalid" -> ["slot", "gacor"])."""
        name = normalise(host).replace("-", "").replace("_", "")
        for exception in self.host_exceptions:
            if exception in name:
                name = name.replace(exception, ".")
        return self._host_stem.findall(name)


_RANK = {TermTier.WEAK: 0, TermTier.NEWS: 0, TermTier.DEFACE_WEAK: 1, TermTier.TOPIC: 2, TermTier.DEFACE: 3,
         TermTier.PROMO: 3, TermTier.HOST: -1, TermTier.HOST_NOT: -1}


def of_tier(hits: Hits, *tiers: TermTier) -> set[str]:
    return {text for text, term in hits.items() if term.tier in tiers}
