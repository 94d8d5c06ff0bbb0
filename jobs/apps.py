from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"

    def ready(self):
        from core.navigation import NavEntry, client_menu, dashboard_widgets, job_tabs

        job_tabs.register(NavEntry("overview", "Overview", "jobs:detail", order=10))
        client_menu.register(NavEntry("jobs", "Jobs", "jobs:client_jobs", order=30))
        dashboard_widgets.register(
            NavEntry("deadlines", "Deadlines", "jobs:deadlines_widget", order=10, takes_pk=False)
        )
