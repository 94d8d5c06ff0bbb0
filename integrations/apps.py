from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self):
        from core.navigation import NavEntry, banner_providers, client_context_providers, settings_menu
        from integrations.banners import xero_reconnect_banner
        from integrations.link_views import xero_client_context
        from integrations.matching_views import xero_differences_client_context

        settings_menu.register(
            NavEntry("integrations", "Integrations", "integrations:index", order=30, takes_pk=False)
        )
        banner_providers.append(xero_reconnect_banner)
        client_context_providers.append(xero_client_context)
        client_context_providers.append(xero_differences_client_context)
