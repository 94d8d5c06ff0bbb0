"""Invoicing pages under a client: mounted at /clients/<int:client_pk>/invoices/ in engager/urls.py."""

from django.urls import path

from invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("", views.invoice_history, name="history"),
    path("sync/", views.invoice_history_sync, name="sync"),
    path("raise/", views.invoice_raise, name="raise"),
    path("raise/totals/", views.invoice_raise_totals, name="raise_totals"),
]
