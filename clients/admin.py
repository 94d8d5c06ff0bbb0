from django.contrib import admin

from clients.models import Client, Officer


class OfficerInline(admin.TabularInline):
    model = Officer
    fk_name = "company"
    raw_id_fields = ("person",)
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "company_number", "email", "practice")
    list_filter = ("kind", "practice")
    search_fields = ("name", "company_number", "email")
    inlines = [OfficerInline]


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ("person", "role", "company", "practice")
    raw_id_fields = ("company", "person")
