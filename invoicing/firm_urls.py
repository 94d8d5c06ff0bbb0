"""Jobs → Xero and the Debtors widget: mounted at /jobs/xero/ in engager/urls.py."""

from django.urls import path

from invoicing import firm_views

app_name = "xero_invoices"

urlpatterns = [
    path("", firm_views.xero_invoices, name="list"),
    path("export.csv", firm_views.xero_invoices_csv, name="export"),
    path("sync/", firm_views.xero_invoices_sync, name="sync"),
    path("widgets/debtors/", firm_views.debtors_widget, name="debtors_widget"),
]
