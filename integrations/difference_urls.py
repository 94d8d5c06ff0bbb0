"""Differences between a linked client and its Xero contact, mounted at
/clients/<pk>/xero/differences/ in engager/urls.py."""

from django.urls import path

from integrations import matching_views

app_name = "xero_differences"

urlpatterns = [
    path("", matching_views.client_xero_differences, name="show"),
    path("<slug:field>/", matching_views.client_xero_difference_resolve, name="resolve"),
]
