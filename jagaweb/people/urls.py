from django.urls import path

from jagaweb.people import profile, views

app_name = "people"
urlpatterns = [
    path("", views.UserListView.as_view(), name="user_list"),
    path("new/", views.UserFormView.as_view(), name="user_create"),
    path("<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("<int:pk>/edit/", views.UserFormView.as_view(), name="user_update"),
    path("roles/", views.RoleListView.as_view(), name="role_list"),
    path("roles/new/", views.RoleFormView.as_view(), name="role_create"),
    path("roles/<int:pk>/", views.RoleFormView.as_view(), name="role_update"),
    path("me/", profile.ProfileView.as_view(), name="profile"),
]
