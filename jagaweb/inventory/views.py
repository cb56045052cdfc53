"""Inventory pages: the four CRUD specs, what their detail pages show, and site import/export."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView

from jagaweb.activity.models import Event
from jagaweb.inventory import panels
from jagaweb.inventory.choices import TransferFormat
from jagaweb.inventory.crud import PAGE_SIZE, Crud
from jagaweb.inventory.filters import OrganisationFilter, ServerFilter, SiteFilter, ThirdPartyFilter
from jagaweb.inventory.forms import (
    ContactFormSet,
    ImportForm,
    OrganisationForm,
    ServerForm,
    SiteForm,
    ThirdPartyForm,
)
from jagaweb.inventory.models import Organisation, Server, Site, ThirdParty
from jagaweb.inventory.transfer import export_sites, import_sites
from jagaweb.inventory.visibility import (
    organisations_for,
    servers_for,
    sites_for,
    third_parties_for,
)

EVENTS_ON_SITE_PAGE = 20


def site_context(site: Site, request: HttpRequest) -> dict[str, Any]:
    user = request.user
    events = None
    if user.has_perm("activity.view_event"):
        events = Event.objects.filter(site=site).select_related("actor")[:EVENTS_ON_SITE_PAGE]
    return {
        "third_parties": site.third_parties.all(),
        "tags": site.tags.all(),
        "has_db_password": bool(site.db_password),
        "panels": panels.fill(site, user),
        "events": events,
    }


def some_sites(request: HttpRequest, list_filter: str = "", **lookup: Any) -> dict[str, Any]:
    """The reader's first sites matching `lookup`, how many there are, and where all are listed."""
    sites = sites_for(request.user).filter(**lookup).select_related("organisation").defer("db_password")
    sites_url = f"{reverse('inventory:site_list')}?{list_filter}" if list_filter else ""
    first = sites.order_by("name", "pk")[:PAGE_SIZE]
    return {"sites": first, "site_count": sites.count(), "sites_url": sites_url}


def organisation_context(organisation: Organisation, request: HttpRequest) -> dict[str, Any]:
    children = organisations_for(request.user).filter(parent=organisation)
    listed = urlencode({"organisation": organisation.code})
    return {"children": children, **some_sites(request, listed, organisation=organisation)}


def server_context(server: Server, request: HttpRequest) -> dict[str, Any]:
    return some_sites(request, urlencode({"server": server.hostname}), server=server)


def third_party_context(third_party: ThirdParty, request: HttpRequest) -> dict[str, Any]:
    return {
        "contacts": third_party.contacts.all(),
        "servers": servers_for(request.user).filter(hosting=third_party),
        **some_sites(request, third_parties=third_party),
    }


SITES = Crud(
    model=Site, scope=sites_for, form_class=SiteForm, filterset_class=SiteFilter,
    list_template="inventory/site_list.html", detail_template="inventory/site_detail.html",
    related=("organisation", "server"), prefetch=("tags",), defer=("db_password",),
    detail_context=site_context, lookup="slug",
)
ORGANISATIONS = Crud(
    model=Organisation, scope=organisations_for, form_class=OrganisationForm,
    filterset_class=OrganisationFilter,
    list_template="inventory/organisation_list.html", detail_template="inventory/organisation_detail.html",
    related=("parent",), detail_context=organisation_context,
)
SERVERS = Crud(
    model=Server, scope=servers_for, form_class=ServerForm, filterset_class=ServerFilter,
    list_template="inventory/server_list.html", detail_template="inventory/server_detail.html",
    related=("hosting",), detail_context=server_context,
)
THIRD_PARTIES = Crud(
    model=ThirdParty, scope=third_parties_for, form_class=ThirdPartyForm, filterset_class=ThirdPartyFilter,
    list_template="inventory/thirdparty_list.html", detail_template="inventory/thirdparty_detail.html",
    formset_class=ContactFormSet, formset_label="contacts", detail_context=third_party_context,
)


class SiteImportView(PermissionRequiredMixin, FormView):
    permission_required = ("inventory.add_site", "inventory.change_site")
    form_class = ImportForm
    template_name = "inventory/site_import.html"

    def form_valid(self, form: ImportForm) -> HttpResponse:
        data = form.cleaned_data
        result = import_sites(
            data["text"], data["format"], self.request.user, dry_run=data["dry_run"], source=data["source"]
        )
        if result.ok and not result.dry_run:
            counts = {
                "new": len(result.created), "updated": len(result.updated), "same": len(result.unchanged),
            }
            message = _("Imported: %(new)d new, %(updated)d updated, %(same)d unchanged.")
            messages.success(self.request, message % counts)
            return HttpResponseRedirect(reverse("inventory:site_list"))
        return self.render_to_response(self.get_context_data(form=form, result=result))


@permission_required("inventory.view_site", raise_exception=True)
def site_export(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", TransferFormat.CSV)
    if fmt not in TransferFormat.values:
        fmt = TransferFormat.CSV
    filterset = SiteFilter(request.GET, queryset=sites_for(request.user), request=request)
    sites = filterset.qs if filterset.is_valid() else Site.objects.none()
    text = export_sites(sites, fmt, actor=request.user)
    content_type = "text/csv" if fmt == TransferFormat.CSV else "application/yaml"
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    filename = f"sites-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
