from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("settings/", views.settings_practice, name="settings_practice"),
    path("settings/users/", views.settings_users, name="settings_users"),
    path("settings/users/new/", views.settings_user_add, name="settings_user_add"),
    path("settings/billing/", views.settings_billing, name="settings_billing"),
]
