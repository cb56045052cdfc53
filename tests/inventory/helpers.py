"""Helpers shared by the inventory tests."""

from __future__ import annotations

from jagaweb.inventory.models import Site

SECRET = "Sangat-Rahasia-9876"


def site_form_data(site: Site, **changes) -> dict:
    """What the site edit form posts when nothing is changed, updated with `changes`."""
    data = {
        "slug": site.slug,
        "name": site.name,
        "url": site.url,
        "organisation": site.organisation_id,
        "server": site.server_id or "",
        "third_parties": [tp.pk for tp in site.third_parties.all()],
        "cms": site.cms,
        "web_root": site.web_root,
        "db_engine": site.db_engine,
        "db_host": site.db_host,
        "db_port": site.db_port or "",
        "db_name": site.db_name,
        "db_user": site.db_user,
        "db_password": "",
        "access_logs": "\n".join(site.access_logs),
        "tags": " ".join(t.name for t in site.tags.all()),
        "is_active": "on" if site.is_active else "",
        "notes": site.notes,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
