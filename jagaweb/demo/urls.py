from django.urls import path

from jagaweb.demo import views

app_name = "demo"
urlpatterns = [
    path("sites/<slug:slug>/stop/", views.site_stop, name="site_stop"),
    path("sites/<slug:slug>/start/", views.site_start, name="site_start"),
    path("sites/<slug:slug>/attack/", views.site_attack, name="site_attack"),
]
