from django.urls import path

from jagaweb.logwatch import views_blocklist, views_findings, views_incidents, views_index, views_stats

app_name = "logwatch"
urlpatterns = [
    path("", views_index.index, name="index"),
    path("sites/<slug:slug>/", views_stats.site_page, name="site"),
    path("sites/<slug:slug>/csv/", views_stats.site_csv, name="site_csv"),
    path("sites/<slug:slug>/read/", views_stats.ingest_now, name="ingest_now"),
    path("findings/", views_findings.finding_list, name="finding_list"),
    path("incidents/", views_incidents.incident_list, name="incident_list"),
    path("incidents/<int:pk>/", views_incidents.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/close/", views_incidents.incident_close, name="incident_close"),
    path("blocklist/", views_blocklist.blocklist, name="blocklist"),
]
