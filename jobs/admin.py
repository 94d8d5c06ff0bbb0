from django.contrib import admin

from jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("reference", "job_type", "client", "deadline", "status", "assignee", "practice")
    list_filter = ("status", "job_type", "practice")
    search_fields = ("client__name",)
    raw_id_fields = ("client", "assignee")
    readonly_fields = ("number",)
