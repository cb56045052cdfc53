"""Screenshots and marked differences of the sites a user sees, read from the guard media folder."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from jagaweb.guard.images import content_type_of, image_file, site_slug_of
from jagaweb.guard.views import VIEW_RUNS
from jagaweb.people.scope import visible_sites

CACHE_SECONDS = 3600


@require_GET
@permission_required(VIEW_RUNS, raise_exception=True)
def image(request: HttpRequest, path: str) -> FileResponse:
    slug = site_slug_of(path)
    # Another organisation's site and a refused path answer alike, so neither tells the other apart.
    if slug is None or not visible_sites(request.user).filter(slug=slug).exists():
        raise Http404
    found = image_file(path)
    if found is None:
        raise Http404
    response = FileResponse(found.open("rb"), content_type=content_type_of(found))
    # Screenshots can show what an attacker put on a page: kept by the user's browser only, never by a proxy.
    response["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
