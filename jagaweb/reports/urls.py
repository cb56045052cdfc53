from django.urls import path

from jagaweb.reports import views, views_schedules

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("new/", views.report_create, name="report_create"),
    path("pending/", views.pending, name="pending"),
    path("schedules/", views_schedules.schedule_list, name="schedule_list"),
    path("schedules/new/", views_schedules.schedule_create, name="schedule_create"),
    path("schedules/<int:pk>/edit/", views_schedules.schedule_update, name="schedule_update"),
    path("schedules/<int:pk>/delete/", views_schedules.schedule_delete, name="schedule_delete"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/acknowledge/", views.acknowledge_report, name="acknowledge"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
]
