"""Xero pages that sit under a client (/clients/<pk>/xero/…).

They belong to integrations (the clients app may not import it: see the layer contracts in
pyproject.toml), so they are mounted next to the clients URLs in engager/urls.py.
"""

from django.urls import path

from integrations import link_views

app_name = "xero_links"

urlpatterns = [
    path("", link_views.xero_link_dialog, name="dialog"),
    path("search/", link_views.xero_link_search, name="search"),
    path("match/", link_views.xero_link_confirm, name="confirm"),
    path("create/", link_views.xero_link_create, name="create"),
    path("unlink/", link_views.xero_link_unlink, name="unlink"),
]
