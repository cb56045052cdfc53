"""Kinds the database guard uses internally (plain enums: no model stores them yet)."""

from __future__ import annotations

import enum


class Exposure(enum.StrEnum):
    """Who sees a stored value: how far an injection in it reaches. Shifts the finding's severity."""

    SITE_WIDE = "site-wide"  # on every page or changes how the whole site behaves: widgets, menus, header code
    PUBLIC = "public"  # one page visitors and search engines can open: a published post, an approved comment
    HIDDEN = "hidden"  # stored but not shown: drafts, revisions, trash, unpublished modules
    QUEUED = "queued"  # waiting for a moderator (comments): spam there is routine, not an intrusion
