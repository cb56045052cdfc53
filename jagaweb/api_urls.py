"""The REST API: each app contributes its routes from its own `api` module."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("jagaweb.inventory.api")),
    path("", include("jagaweb.activity.api")),
    path("", include("jagaweb.jobs.api")),
    path("", include("jagaweb.notify.api")),
    path("", include("jagaweb.backup.api")),
    path("", include("jagaweb.monitor.api")),
    path("", include("jagaweb.guard.api")),
    path("", include("jagaweb.logwatch.api")),
    path("", include("jagaweb.renewals.api")),
    path("", include("jagaweb.sop.api")),
    path("", include("jagaweb.reports.api")),
    path("", include("jagaweb.people.api")),
]
