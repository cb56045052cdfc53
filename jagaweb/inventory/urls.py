from django.urls import path

from jagaweb.inventory import views
from jagaweb.inventory.crud import crud_urls

app_name = "inventory"
urlpatterns = [
    # Before the site pages, whose <slug> would otherwise take these words (they are reserved slugs).
    path("sites/import/", views.SiteImportView.as_view(), name="site_import"),
    path("sites/export/", views.site_export, name="site_export"),
    *crud_urls("sites", views.SITES),
    *crud_urls("organisations", views.ORGANISATIONS),
    *crud_urls("servers", views.SERVERS),
    *crud_urls("third-parties", views.THIRD_PARTIES),
]
