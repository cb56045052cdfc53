from django.urls import path

from jagaweb.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.ChannelListView.as_view(), name="channel_list"),
    path("channels/new/", views.ChannelCreateView.as_view(), name="channel_create"),
    path("channels/<int:pk>/", views.ChannelDetailView.as_view(), name="channel_detail"),
    path("channels/<int:pk>/edit/", views.ChannelUpdateView.as_view(), name="channel_update"),
    path("channels/<int:pk>/delete/", views.ChannelDeleteView.as_view(), name="channel_delete"),
    path("channels/<int:pk>/test/", views.ChannelTestView.as_view(), name="channel_test"),
    path("deliveries/", views.DeliveryListView.as_view(), name="delivery_list"),
    path("messages/<int:pk>/", views.MessageDetailView.as_view(), name="message_detail"),
]
