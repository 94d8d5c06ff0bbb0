from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.integrations_index, name="index"),
    path("xero/", views.xero_settings, name="xero"),
    path("xero/authorise/", views.xero_authorise, name="xero_authorise"),
    path("xero/callback/", views.xero_callback, name="xero_callback"),
    path("xero/organisation/", views.xero_organisation, name="xero_organisation"),
    path("xero/sync/", views.xero_sync, name="xero_sync"),
    path("xero/sync/<int:pk>/", views.xero_sync_status, name="xero_sync_status"),
    path("xero/disconnect/", views.xero_disconnect, name="xero_disconnect"),
    path("xero/activity/", views.xero_activity, name="xero_activity"),
]
