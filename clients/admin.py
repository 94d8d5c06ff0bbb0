from django.contrib import admin

from clients.models import Client, Officer
from clients.services import individual_name


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

    def save_model(self, request, obj, form, change):
        if not obj.is_company:  # as the services do: an individual's name is "First Last"
            obj.name = individual_name(first_name=obj.first_name, last_name=obj.last_name)
        super().save_model(request, obj, form, change)


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ("person", "role", "company", "practice")
    raw_id_fields = ("company", "person")
