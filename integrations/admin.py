from django.contrib import admin

from integrations.models import XeroActivity, XeroConnection, XeroContact, XeroSyncRun


@admin.register(XeroConnection)
class XeroConnectionAdmin(admin.ModelAdmin):
    # Token fields are deliberately absent (they are not editable, and never shown).
    list_display = ("practice", "tenant_name", "status", "connected_at", "last_sync_at")
    list_filter = ("status",)
    fields = (
        "practice", "status", "tenant_name", "tenant_id", "connection_id", "short_code", "country_code",
        "base_currency", "timezone", "scopes", "expires_at", "connected_by", "connected_at",
        "disconnected_at", "last_error", "last_checked_at", "last_sync_at",
    )  # fmt: skip
    readonly_fields = fields


@admin.register(XeroContact)
class XeroContactAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "email", "company_number", "practice")
    search_fields = ("name", "email", "company_number")
    list_filter = ("status",)


@admin.register(XeroSyncRun)
class XeroSyncRunAdmin(admin.ModelAdmin):
    list_display = ("practice", "status", "contacts_synced", "created_at", "finished_at")


@admin.register(XeroActivity)
class XeroActivityAdmin(admin.ModelAdmin):
    list_display = ("created_at", "practice", "action", "outcome", "user", "xero_id")
    list_filter = ("outcome", "action")
