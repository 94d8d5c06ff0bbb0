from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"

    def ready(self):
        from core.navigation import NavEntry, client_menu

        client_menu.register(NavEntry("overview", "Overview", "clients:detail", order=10))
        client_menu.register(
            NavEntry("people", "People", "clients:people", order=20, visible=lambda c: c.is_company)
        )
        client_menu.register(
            NavEntry("companies", "Companies", "clients:people", order=20, visible=lambda c: not c.is_company)
        )
