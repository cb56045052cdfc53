"""The guard's gambling and defacement vocabulary: `find_terms(text)` and friends.

Also for the file and database guards: `find_terms(source_text)` gives the distinct terms by tier; promo
terms are the ones that mean something on their own (see terms.txt for the tiers).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from importlib import resources

from jagaweb.guard.choices import TermTier
from jagaweb.guard.vocabulary.fold import normalise
from jagaweb.guard.vocabulary.matcher import Hits, Term, Vocabulary, of_tier

__all__ = ["Hits", "Term", "Vocabulary", "default_vocabulary", "find_terms", "gambling_host", "normalise", "of_tier",
           "read_terms"]


def read_terms(text: str) -> Iterator[tuple[str, TermTier, str]]:
    """Rows of a terms file: term <TAB> tier <TAB> category; '#' starts a comment line."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"terms line {number}: expected term<TAB>tier<TAB>category, got {line!r}")
        term, tier, category = (part.strip() for part in parts)
        yield term, TermTier(tier), category


@functools.cache
def default_vocabulary() -> Vocabulary:
    text = resources.files(__package__).joinpath("terms.txt").read_text(encoding="utf-8")
    return Vocabulary(read_terms(text))


def find_terms(text: str) -> dict[str, Term]:
    return default_vocabulary().find(text)


def _idna_label(label: str) -> str:
    """A punycode label as the Unicode the visitor reads ("xn--..." hides fancy letters from a plain search)."""
    if not label.startswith("xn--"):
        return label
    try:
        return label.encode("ascii").decode("idna")
    except UnicodeError:
        return label


@functools.lru_cache(maxsize=8192)
def gambling_host(host: str) -> bool:
    """Whether a host name looks like a gambling site's: a gambling stem or a promotion term in it.

    Cached: the same few hundred link hosts (social networks, the site itself) recur on every page."""
    vocabulary = default_vocabulary()
    host = ".".join(_idna_label(label) for label in host.lower().split("."))
    if vocabulary.host_stems_in(host):
        return True
    return bool(of_tier(vocabulary.find(host.replace(".", " ")), TermTier.PROMO))
