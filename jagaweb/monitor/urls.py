"""Monitoring pages under /monitor/, and the two anonymous addresses: /status/<slug>/ and /hb/<token>."""

from django.urls import path

from jagaweb.monitor import (
    views_checks,
    views_heartbeat,
    views_incidents,
    views_site,
    views_status,
    views_windows,
)
from jagaweb.monitor.views_public import status_page

app_name = "monitor"
urlpatterns = [
    path("monitor/", views_checks.check_list, name="check_list"),
    path("monitor/checks/<int:pk>/", views_checks.check_detail, name="check_detail"),
    path("monitor/checks/<int:pk>/edit/", views_checks.check_update, name="check_update"),
    path("monitor/checks/<int:pk>/delete/", views_checks.check_delete, name="check_delete"),
    path("monitor/checks/<int:pk>/run/", views_checks.check_run, name="check_run"),
    path("monitor/checks/<int:pk>/baseline/", views_checks.check_baseline, name="check_baseline"),
    path("monitor/sites/<slug:slug>/checks/new/", views_checks.check_create, name="check_create"),
    path("monitor/sites/<slug:slug>/settings/", views_site.profile_edit, name="profile_edit"),
    path("monitor/incidents/", views_incidents.incident_list, name="incident_list"),
    path("monitor/incidents/<int:pk>/", views_incidents.incident_detail, name="incident_detail"),
    path("monitor/incidents/<int:pk>/acknowledge/", views_incidents.incident_acknowledge,
         name="incident_acknowledge"),
    path("monitor/maintenance/", views_windows.window_list, name="window_list"),
    path("monitor/maintenance/new/", views_windows.window_create, name="window_create"),
    path("monitor/maintenance/<int:pk>/edit/", views_windows.window_update, name="window_update"),
    path("monitor/maintenance/<int:pk>/delete/", views_windows.window_delete, name="window_delete"),
    path("monitor/status-pages/", views_status.status_page_list, name="status_page_list"),
    path("monitor/status-pages/<int:pk>/", views_status.status_page_edit, name="status_page_edit"),
    path("status/<slug:slug>/", status_page, name="status_page"),
    path("hb/<str:token>", views_heartbeat.heartbeat, name="heartbeat"),
    path("hb/<str:token>/fail", views_heartbeat.heartbeat_fail, name="heartbeat_fail"),
]
