"""A job's Invoice tab and batch billing: mounted at /jobs/ in engager/urls.py."""

from django.urls import path

from invoicing import batch_views, job_views

app_name = "job_invoices"

urlpatterns = [
    path("<int:job_pk>/invoice/", job_views.job_invoices, name="tab"),
    path("<int:job_pk>/invoice/raise/", job_views.job_invoice_raise, name="raise"),
    path("<int:job_pk>/invoice/link/", job_views.job_invoice_link, name="link"),
    path("<int:job_pk>/invoice/links/<int:link_pk>/unlink/", job_views.job_invoice_unlink, name="unlink"),
    path("billing/", batch_views.billing_preview, name="billing"),
    path("billing/runs/<int:pk>/", batch_views.billing_run, name="billing_run"),
    path("billing/runs/<int:pk>/retry/", batch_views.billing_retry, name="billing_retry"),
]
