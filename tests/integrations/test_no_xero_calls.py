"""Pages read the local mirror only: no ordinary page view may call Xero (DESIGN §5). Every GET-able
page of a connected practice with synced data is fetched, as a page and as an htmx partial, and the
sandbox's call log must stay empty. New pages are picked up from the URL resolver (tests/integrations/
pages.py, which also lists the few views excluded because they call Xero by design)."""

import pytest

from clients.models import Officer
from integrations.models import XeroContact, XeroSyncRun
from tests.factories import CompanyFactory, IndividualFactory, JobFactory
from tests.integrations.conftest import authorise
from tests.integrations.pages import page_urls, practice_url_kwargs

pytestmark = pytest.mark.django_db


def test_no_page_view_calls_xero(owner_client, practice, connect, xero_sandbox, htmx):
    connect()
    assert XeroContact.objects.filter(practice=practice).count() > 30  # synced data to show
    company = CompanyFactory(practice=practice)
    person = IndividualFactory(practice=practice)
    officer = Officer.objects.create(practice=practice, company=company, person=person)
    job = JobFactory(practice=practice, client=company)
    run = XeroSyncRun.objects.filter(practice=practice).latest("pk")
    # A second authorisation ticking two organisations waits on the chooser page, so it is swept too.
    tenants = [xero_sandbox.demo_tenant_id, xero_sandbox.second_tenant_id]
    assert authorise(owner_client, xero_sandbox, tenants=tenants).status_code == 302
    urls = page_urls(practice_url_kwargs(client=company, job=job, officer=officer, run=run))
    assert xero_sandbox.calls(), "the connect and first sync went through the sandbox"
    xero_sandbox.clear_calls()

    answered = {}
    for url in urls:
        for headers in ({}, htmx):
            response = owner_client.get(url, **headers)
            assert response.status_code < 500, f"GET {url} {headers} -> {response.status_code}"
            answered[url] = response.status_code
            calls = xero_sandbox.calls()
            assert not calls, f"GET {url} {headers} called Xero: " + ", ".join(
                f"{call['method']} {call['path']}" for call in calls
            )
    # The sweep really rendered pages (not a wall of redirects to the login page).
    rendered = {url for url, status in answered.items() if status == 200}
    for must in ("/", "/clients/", f"/clients/{company.pk}/", "/jobs/", f"/jobs/{job.pk}/",
                 "/settings/", "/settings/integrations/xero/", "/settings/integrations/xero/activity/",
                 "/settings/integrations/xero/organisation/"):  # fmt: skip
        assert must in rendered, f"{must} answered {answered.get(must)}"
