"""Links on list pages keep the filters: Django's {% querystring %}, never query strings built by hand."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import CompanyFactory, JobFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_template_builds_a_query_string_by_hand():
    hand_built = re.compile(r"""(href|hx-get|action)="\?""")
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if hand_built.search(path.read_text())
    ]
    assert offenders == []


@pytest.mark.django_db
def test_client_pages_keep_search_kind_and_sort(owner_client, practice):
    for n in range(51):
        CompanyFactory(practice=practice, name=f"Smith & Co {n:02d} Ltd")
    body = owner_client.get(
        "/clients/", {"q": "Smith & Co", "kind": "company", "sort": "-name"}
    ).content.decode()
    assert 'href="?q=Smith+%26+Co&amp;kind=company&amp;sort=-name&amp;page=2" rel="next"' in body
    body = owner_client.get(
        "/clients/", {"q": "Smith & Co", "kind": "company", "sort": "-name", "page": "2"}
    ).content.decode()
    assert 'href="?q=Smith+%26+Co&amp;kind=company&amp;sort=-name&amp;page=1" rel="prev"' in body
    assert "Smith &amp; Co 00 Ltd" in body  # the last of 51, sorted by name descending


@pytest.mark.django_db
def test_client_sort_headers_keep_the_filters_and_go_back_to_page_one(owner_client, practice, htmx):
    CompanyFactory(practice=practice, name="Acme Ltd")
    body = owner_client.get(
        "/clients/", {"q": "acme", "kind": "company", "sort": "name", "page": "1"}, **htmx
    ).content.decode()
    assert 'href="?q=acme&amp;kind=company&amp;sort=-name"' in body  # the sorted column flips
    assert 'href="?q=acme&amp;kind=company&amp;sort=kind"' in body
    assert 'aria-sort="ascending"' in body


@pytest.mark.django_db
def test_job_pages_keep_the_filters(owner_client, practice):
    client = CompanyFactory(practice=practice, name="Acme Widgets Ltd")
    for _ in range(51):
        JobFactory(client=client)
    body = owner_client.get("/jobs/", {"q": "acme", "status": "open", "page": "1"}).content.decode()
    assert 'href="?q=acme&amp;status=open&amp;page=2" rel="next"' in body
