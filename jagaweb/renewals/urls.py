from django.urls import path

from jagaweb.renewals import views, views_edit

app_name = "renewals"
urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("export.csv", views.service_export, name="service_export"),
    path("new/", views_edit.service_create, name="service_create"),
    path("<int:pk>/", views.service_detail, name="service_detail"),
    path("<int:pk>/edit/", views_edit.service_update, name="service_update"),
    path("<int:pk>/delete/", views_edit.service_delete, name="service_delete"),
    path("<int:pk>/renew/", views_edit.renew, name="renew"),
    path("<int:pk>/refresh/", views_edit.refresh, name="refresh"),
    path("invoices/<int:pk>/", views.invoice, name="invoice"),
]
