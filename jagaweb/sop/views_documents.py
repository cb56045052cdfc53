"""The SOP definitions in use, each as its official SOP AP document: shown as HTML, downloaded as PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jagaweb.sop.definitions import SopDefinition, definitions
from jagaweb.sop.render import render_html
from jagaweb.sop.render.pdf import PdfUnavailable, render_pdf_bytes


def definition_or_404(request: HttpRequest) -> SopDefinition:
    try:
        return definitions()[request.GET.get("name", "")]
    except KeyError:
        raise Http404("no such SOP definition") from None


@permission_required("sop.view_run", raise_exception=True)
def definition_list(request: HttpRequest) -> HttpResponse:
    return render(request, "sop/definition_list.html", {"definitions": sorted(definitions().values(),
                                                                              key=lambda d: d.name)})


@permission_required("sop.view_run", raise_exception=True)
def document_html(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_html(definition_or_404(request)))


@permission_required("sop.view_run", raise_exception=True)
def document_pdf(request: HttpRequest) -> HttpResponse:
    definition = definition_or_404(request)
    try:
        pdf = render_pdf_bytes(definition)
    except PdfUnavailable as exc:
        return HttpResponse(_("The PDF cannot be made on this server: %(error)s") % {"error": exc}, status=503,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="SOP-{definition.name}.pdf"'
    return response
