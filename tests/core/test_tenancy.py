"""Every URL that takes an object id answers 404 for another practice's objects."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from clients.models import Officer
from integrations.models import XeroBulkRun, XeroSyncRun
from tests.factories import CompanyFactory, IndividualFactory, JobFactory

SKIP_NAMESPACES = {"admin", "xero_sandbox"}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIP_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield namespace, prefix + str(entry.pattern)


def object_url_patterns():
    return sorted({(ns, route) for ns, route in _walk(get_resolver().url_patterns) if "<int:" in route})


@pytest.fixture
def foreign_objects(other_practice):
    """One object of every kind, all belonging to another practice."""
    company = CompanyFactory(practice=other_practice)
    person = IndividualFactory(practice=other_practice)
    officer = Officer.objects.create(practice=other_practice, company=company, person=person)
    job = JobFactory(client=company)
    sync_run = XeroSyncRun.objects.create(practice=other_practice)
    bulk_run = XeroBulkRun.objects.create(
        practice=other_practice, action=XeroBulkRun.Action.CREATE, status=XeroBulkRun.Status.FAILED,
        batches=[{"key": "k", "client_ids": [company.pk], "status": "pending"}],
    )  # fmt: skip
    return {"client": company, "job": job, "officer": officer, "sync_run": sync_run, "bulk_run": bulk_run}


# Which object each (namespace, id kwarg) refers to. A new URL with an id must be added here,
# so the sweep can never silently skip it.
ID_OWNERS = {
    ("clients", "pk"): "client",
    ("clients", "officer_pk"): "officer",
    ("xero_links", "pk"): "client",  # Link with Xero, under /clients/<pk>/xero/
    ("xero_differences", "pk"): "client",  # Differences with Xero, under /clients/<pk>/xero/differences/
    ("xero_matching", "run_pk"): "bulk_run",  # Match clients to Xero: a bulk run's progress and retry
    ("jobs", "pk"): "job",
    ("integrations", "pk"): "sync_run",
}
CLIENT_ROUTES_IN_JOBS = re.compile(r"^jobs/client/")


def _owner(namespace, route, kwarg):
    if CLIENT_ROUTES_IN_JOBS.match(route) and kwarg == "pk":
        return "client"
    return ID_OWNERS.get((namespace, kwarg))


def test_sweep_covers_every_object_url():
    patterns = object_url_patterns()
    assert len(patterns) >= 6
    for namespace, route in patterns:
        for kwarg in re.findall(r"<int:(\w+)>", route):
            assert _owner(namespace, route, kwarg), f"add {namespace}:{kwarg} in {route} to ID_OWNERS"


@pytest.mark.django_db
def test_other_practices_objects_are_404(owner_client, foreign_objects):
    kinds = set()
    for namespace, route in object_url_patterns():

        def fill(match, namespace=namespace, route=route):
            return str(foreign_objects[_owner(namespace, route, match.group(1))].pk)

        url = "/" + re.sub(r"<int:(\w+)>", fill, route).lstrip("^").rstrip("$")
        get = owner_client.get(url)
        post = owner_client.post(url, {})
        assert get.status_code in (404, 405), f"GET {url} answered {get.status_code}"
        assert post.status_code == 404, f"POST {url} answered {post.status_code}"
        kinds |= {_owner(namespace, route, kwarg) for kwarg in re.findall(r"<int:(\w+)>", route)}
    assert kinds == set(foreign_objects), "every kind of object was tried through some URL"


@pytest.mark.django_db
def test_lists_never_show_other_practices_rows(owner_client, practice, foreign_objects):
    mine = CompanyFactory(practice=practice, name="Mine Ltd")
    response = owner_client.get("/clients/")
    assert mine.name in response.content.decode()
    assert foreign_objects["client"].name not in response.content.decode()
    response = owner_client.get("/jobs/")
    assert foreign_objects["job"].reference not in response.content.decode()


@pytest.mark.django_db
def test_every_page_needs_a_login(client):
    for path in [
        "/",
        "/clients/",
        "/clients/new/",
        "/jobs/",
        "/jobs/new/",
        "/settings/",
        "/settings/billing/",
    ]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/"), path
