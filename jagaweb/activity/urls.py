from django.urls import path

from jagaweb.activity import views

app_name = "activity"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("export.csv", views.export, name="export"),
    path("daily/", views.daily, name="daily"),
]
