from django.urls import include, path

from jagaweb.people.views import LoginView, LogoutView
from jagaweb.service.views import health, set_language
from jagaweb.sop.views_public import complaint_form

urlpatterns = [
    path("", include("jagaweb.dashboard.urls")),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", health, name="health"),
    path("inventory/", include("jagaweb.inventory.urls")),
    path("activity/", include("jagaweb.activity.urls")),
    path("jobs/", include("jagaweb.jobs.urls")),
    path("notify/", include("jagaweb.notify.urls")),
    path("backup/", include("jagaweb.backup.urls")),
    path("guard/", include("jagaweb.guard.urls")),
    path("logwatch/", include("jagaweb.logwatch.urls")),
    path("renewals/", include("jagaweb.renewals.urls")),
    path("sop/", include("jagaweb.sop.urls")),
    path("reports/", include("jagaweb.reports.urls")),
    path("keluhan/<slug:slug>/", complaint_form, name="complaint_form"),  # a site's public complaint form
    path("", include("jagaweb.monitor.urls")),  # /monitor/..., and the public /status/<slug>/ and /hb/<token>
    path("people/", include("jagaweb.people.urls")),
    path("demo/", include("jagaweb.demo.urls")),  # a demo's sample sites switched off and on
    path("api/", include("jagaweb.api_urls")),
]
