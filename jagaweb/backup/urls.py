from django.urls import path

from jagaweb.backup import views_index, views_restore, views_runs, views_site, views_targets

app_name = "backup"
urlpatterns = [
    path("", views_index.index, name="index"),
    path("sites/<slug:slug>/", views_site.site_page, name="site"),
    path("sites/<slug:slug>/runs/", views_site.site_runs, name="site_runs"),
    path("sites/<slug:slug>/plan/", views_site.plan_edit, name="plan_edit"),
    path("sites/<slug:slug>/run/", views_site.run_now, name="run_now"),
    path("sites/<slug:slug>/verify/", views_site.verify, name="verify_now"),
    path("sites/<slug:slug>/restore/", views_restore.restore, name="restore"),
    path("sites/<slug:slug>/restore-database/", views_restore.restore_database, name="restore_database"),
    path("sites/<slug:slug>/pending/", views_runs.pending, name="pending"),
    path("snapshots/<int:pk>/trust/", views_site.snapshot_trust, name="snapshot_trust"),
    path("runs/<int:pk>/", views_runs.run_detail, name="run_detail"),
    path("targets/", views_targets.TargetListView.as_view(), name="target_list"),
    path("targets/new/", views_targets.TargetCreateView.as_view(), name="target_create"),
    path("targets/<int:pk>/", views_targets.TargetDetailView.as_view(), name="target_detail"),
    path("targets/<int:pk>/edit/", views_targets.TargetUpdateView.as_view(), name="target_update"),
    path("targets/<int:pk>/delete/", views_targets.TargetDeleteView.as_view(), name="target_delete"),
]
