from django.contrib import admin

from core.models import AddOn, Membership, Practice


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "created_at")
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(AddOn)
class AddOnAdmin(admin.ModelAdmin):
    list_display = ("description", "practice", "monthly_price", "started_at", "ended_at")
    list_filter = ("code",)
