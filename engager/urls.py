from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("core.urls")),
    path("clients/", include("clients.urls")),
    path("clients/xero-matching/", include("integrations.matching_urls")),  # bulk review
    path("clients/<int:pk>/xero/differences/", include("integrations.difference_urls")),
    path("clients/<int:pk>/xero/", include("integrations.client_urls")),  # Link with Xero
    path("clients/<int:client_pk>/invoices/", include("invoicing.urls")),  # Invoice History, Raise invoice
    path("jobs/xero/", include("invoicing.firm_urls")),  # Jobs → Xero, the Debtors widget
    path("jobs/", include("jobs.urls")),
    path("jobs/", include("invoicing.job_urls")),  # a job's Invoice tab, batch billing
    path("settings/integrations/", include("integrations.urls")),
    path("integrations/xero/webhooks/", include("integrations.webhook_urls")),  # Xero posts here
]

if settings.XERO_SANDBOX_ENABLED:
    # Only in sandbox mode; never when real Xero is configured.
    urlpatterns.append(path(f"{settings.XERO_SANDBOX_PREFIX}/", include("xero_sandbox.urls")))
