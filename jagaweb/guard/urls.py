from django.urls import path

from jagaweb.guard import views_findings, views_images, views_index, views_runs, views_site

app_name = "guard"
urlpatterns = [
    path("", views_index.index, name="index"),
    path("sites/<slug:slug>/", views_site.site_page, name="site"),
    path("sites/<slug:slug>/runs/", views_site.site_runs, name="site_runs"),
    path("sites/<slug:slug>/settings/", views_site.profile_edit, name="profile_edit"),
    path("sites/<slug:slug>/known-good/", views_site.known_good, name="known_good"),
    path("sites/<slug:slug>/check/", views_site.check_now, name="check_now"),
    path("sites/<slug:slug>/restore/", views_site.restore_now, name="restore_now"),
    path("sites/<slug:slug>/pending/", views_runs.pending, name="pending"),
    path("runs/<int:pk>/", views_runs.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views_runs.run_progress, name="run_progress"),
    path("findings/<int:pk>/", views_findings.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/approve/", views_findings.finding_approve, name="finding_approve"),
    path("images/<path:path>", views_images.image, name="image"),
]
