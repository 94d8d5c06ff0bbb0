from django.urls import path

from integrations.webhook_views import xero_webhook

app_name = "xero_webhooks"

urlpatterns = [
    path("", xero_webhook, name="receive"),
]
