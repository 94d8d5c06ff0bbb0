from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self):
        from core.navigation import NavEntry, banner_providers, settings_menu
        from integrations.banners import xero_reconnect_banner

        settings_menu.register(
            NavEntry("integrations", "Integrations", "integrations:index", order=30, takes_pk=False)
        )
        banner_providers.append(xero_reconnect_banner)
