from django.urls import path

from jagaweb.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.RunListView.as_view(), name="run_list"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("schedule/", views.EntryListView.as_view(), name="entry_list"),
    path("schedule/<int:pk>/", views.EntryDetailView.as_view(), name="entry_detail"),
    path("schedule/<int:pk>/run/", views.EntryRunView.as_view(), name="entry_run"),
]
