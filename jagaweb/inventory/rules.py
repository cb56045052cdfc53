"""Inventory rules shared by the forms (UI, import) and the API serializers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jagaweb.inventory.models import Organisation
from jagaweb.inventory.visibility import is_unlimited
from jagaweb.people.scope import organisation_subtree

# Imports read the whole text into memory and validate every row before writing any.
IMPORT_LIMIT_BYTES = 5 * 1024 * 1024

# Site pages live at /inventory/sites/<slug>/, next to these fixed pages.
RESERVED_SLUGS = frozenset({"new", "import", "export"})


def check_site_slug(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved; choose another short name."), params={"slug": slug})


def check_parent(actor: Any, organisation: Organisation | None, parent: Organisation | None) -> None:
    """A parent may not be the organisation itself or one of its units (no cycles).

    Someone who sees only part of the tree must keep organisations under one they see, otherwise a
    new or moved one would vanish from their view the moment it is saved. Call this before the
    organisation is changed: its current `parent_id` tells whether it already was at the top.
    """
    if parent is None:
        already_top = organisation is not None and organisation.pk is not None and not organisation.parent_id
        if not already_top and not is_unlimited(actor):
            raise ValidationError(_("Choose the parent organisation this unit belongs to."))
        return
    if organisation is not None and organisation.pk and parent.pk in organisation_subtree({organisation.pk}):
        raise ValidationError(_("An organisation cannot be placed under itself or one of its units."))
