"""Bulk review (Clients → Match clients to Xero), mounted at /clients/xero-matching/ in engager/urls.py."""

from django.urls import path

from integrations import matching_views

app_name = "xero_matching"

urlpatterns = [
    path("", matching_views.xero_matching, name="index"),
    path("start/", matching_views.xero_matching_start, name="start"),
    path("runs/<int:run_pk>/", matching_views.xero_matching_run, name="run"),
    path("runs/<int:run_pk>/retry/", matching_views.xero_matching_retry, name="retry"),
]
