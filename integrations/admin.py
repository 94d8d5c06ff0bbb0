from django.contrib import admin

from integrations.models import (
    XeroActivity,
    XeroConnection,
    XeroContact,
    XeroReferenceItem,
    XeroSyncRun,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records Engager keeps itself (the Xero mirror, the audit log): look, never touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
class XeroContactAdmin(ReadOnlyAdmin):
    """The mirror is Xero's data: a change here would be overwritten by the next sync."""

    list_display = ("name", "status", "email", "company_number", "practice")
    search_fields = ("name", "email", "company_number")
    list_filter = ("status",)


@admin.register(XeroReferenceItem)
class XeroReferenceItemAdmin(ReadOnlyAdmin):
    list_display = ("kind", "code", "name", "practice")
    search_fields = ("code", "name")
    list_filter = ("kind",)


@admin.register(XeroSyncRun)
class XeroSyncRunAdmin(ReadOnlyAdmin):
    list_display = ("practice", "status", "contacts_synced", "created_at", "finished_at")
    list_filter = ("status",)


@admin.register(XeroActivity)
class XeroActivityAdmin(ReadOnlyAdmin):
    """The audit log: nobody edits or deletes its entries."""

    list_display = ("created_at", "practice", "action", "outcome", "user", "xero_id")
    list_filter = ("outcome", "action")
