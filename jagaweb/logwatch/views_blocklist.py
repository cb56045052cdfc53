"""The blocklist export: choose the incidents (site, severity, how recent) and the format, then download."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jagaweb.logwatch.blocklist import FORMATS, addresses_of, incidents_for
from jagaweb.logwatch.forms import BlocklistForm
from jagaweb.logwatch.operations import LogwatchError, export_blocklist
from jagaweb.logwatch.views import EXPORT_BLOCKLIST, visible_incidents
from jagaweb.people.scope import visible_sites

PREVIEW = 50


@permission_required(EXPORT_BLOCKLIST, raise_exception=True)
def blocklist(request: HttpRequest) -> HttpResponse:
    sites = visible_sites(request.user).only("pk", "slug", "name").order_by("name")
    form = BlocklistForm(request.GET or None, sites=sites)
    context: dict[str, object] = {"form": form, "preview": None}
    if form.is_valid():
        data = form.cleaned_data
        incidents = visible_incidents(request.user)
        if data["site"] is not None:
            incidents = incidents.filter(site=data["site"])
        if request.GET.get("download"):
            try:
                text = export_blocklist(incidents, data["format"], request.user, min_severity=data["min_severity"],
                                        since=data["since"], open_only=data["open_only"],
                                        include_private=data["include_private"], jail=data["jail"])
            except LogwatchError as exc:
                form.add_error(None, str(exc))
                return render(request, "logwatch/blocklist.html", context, status=400)
            response = HttpResponse(text, content_type="text/plain; charset=utf-8")
            name = f"jagaweb-blocklist-{data['format']}.{FORMATS[data['format']].extension}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        chosen = incidents_for(incidents, min_severity=data["min_severity"], since=data["since"],
                               open_only=data["open_only"])
        addresses = addresses_of(chosen.order_by().values_list("ip", flat=True).distinct(), data["include_private"])
        context["preview"] = addresses[:PREVIEW]
        context["count"] = len(addresses)
        context["query"] = request.GET.urlencode()
    return render(request, "logwatch/blocklist.html", context)
