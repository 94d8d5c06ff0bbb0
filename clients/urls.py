from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/people/", views.client_people, name="people"),
    path("<int:pk>/people/<int:officer_pk>/remove/", views.officer_remove, name="officer_remove"),
]
