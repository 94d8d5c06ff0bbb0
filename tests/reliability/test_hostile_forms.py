"""Row: hypothesis fuzzing of every form → 0 server errors (never a 500).

The forms of clients, jobs, the practice and users are fuzzed next to their apps (FUZZED below names
the tests); the Xero forms, which have no Form class (Link with Xero's dialog, search and choice,
Differences with Xero, Clients → Match clients to Xero), are fuzzed here, against the sandbox.
`test_every_form_class_is_fuzzed` fails when a new form appears that nothing fuzzes.
"""

import importlib
import inspect

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from integrations.models import XeroContact
from tests.hostile_input import HOSTILE, assert_no_server_error, draw_form, hostile_value
from tests.integrations.demo_data import create_demo_companies

htmx_or_not = st.sampled_from([{}, {"HTTP_HX_REQUEST": "true"}])

# Every Form class of the apps, and the test that throws hostile input at it.
FUZZED = {
    "clients.forms.CompanyForm": "tests/clients/test_forms_hypothesis.py::test_new_company_form",
    "clients.forms.IndividualForm": "tests/clients/test_forms_hypothesis.py::test_new_individual_form",
    "clients.forms.OfficerForm": "tests/clients/test_forms_hypothesis.py::test_people_form",
    "clients.forms.ClientFilterForm": "tests/clients/test_forms_hypothesis.py::test_client_list_filters",
    "core.forms.PracticeForm": "tests/core/test_forms_hypothesis.py::test_practice_form",
    "core.forms.MemberForm": "tests/core/test_forms_hypothesis.py::test_add_user_form",
    "jobs.forms.JobForm": "tests/jobs/test_forms_hypothesis.py::test_edit_job_form",
    "jobs.forms.NewJobForm": "tests/jobs/test_forms_hypothesis.py::test_new_job_form",
    "jobs.forms.JobFilterForm": "tests/jobs/test_forms_hypothesis.py::test_job_list_filters",
    "invoicing.forms.InvoiceForm": "tests/invoicing/test_forms_hypothesis.py::test_raise_form_never_500s",
    "invoicing.forms.LineForm": "tests/invoicing/test_forms_hypothesis.py::test_raise_form_never_500s",
}
# Forms whose fuzzing comes with the feature still being built (issues 10/11: raise invoice, batch
# billing); listed so that the guard below still notices any other new form.
TO_COME: set[str] = set()
APPS_WITH_FORMS = ["clients", "core", "jobs", "integrations", "invoicing"]


def _form_classes() -> set[str]:
    found = set()
    for app in APPS_WITH_FORMS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for name, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ == module.__name__ and issubclass(value, forms.BaseForm):
                found.add(f"{module.__name__}.{name}")
    return found


def test_every_form_class_is_fuzzed():
    unfuzzed = _form_classes() - set(FUZZED) - TO_COME
    assert not unfuzzed, f"Add a hypothesis test for these forms and list it in FUZZED: {sorted(unfuzzed)}"
    for node in FUZZED.values():
        path, name = node.split("::")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert callable(getattr(module, name, None)), f"{node} does not exist"


@pytest.fixture
def linking(connect, practice):
    """A connected practice with the demo clients; one company and one mirrored contact."""
    connect()
    companies = create_demo_companies(practice)
    client = companies["Ashdown Garden Centre Ltd"]
    contact = XeroContact.objects.filter(practice=practice).first()
    return {"client": client, "contact": contact, "companies": companies}


def _ids(linking, other_practice):
    from tests.factories import CompanyFactory

    foreign = CompanyFactory(practice=other_practice)
    return [linking["client"].pk, linking["contact"].pk, foreign.pk, 0, -1, 2**63]


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_link_dialog_choice_and_search_never_500(owner_client, linking, data):
    base = f"/clients/{linking['client'].pk}/xero/"
    choice = draw_form(
        data,
        {"choice": "match", "archived": "1"},
        {"choice": st.sampled_from(["match", "create", "unlink", "MATCH", ""])},
    )
    assert_no_server_error(owner_client, "get", base, choice, **data.draw(htmx_or_not))
    search = draw_form(
        data,
        {"q": "Brightwater", "archived": "1", "target": "results"},
        {"q": st.one_of(hostile_value, st.sampled_from(["'", '"', "\\", 'Name=="x"', "*", "%", "(" * 50]))},
    )
    assert_no_server_error(owner_client, "get", f"{base}search/", search, **data.draw(htmx_or_not))


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_link_confirm_and_differences_never_500(owner_client, linking, other_practice, data):
    client = linking["client"]
    ids = st.sampled_from(_ids(linking, other_practice)).map(str)
    values = draw_form(data, {"contact": str(linking["contact"].pk)}, {"contact": ids})
    method = data.draw(st.sampled_from(["get", "post"]))
    headers = data.draw(htmx_or_not)
    assert_no_server_error(owner_client, method, f"/clients/{client.pk}/xero/match/", values, **headers)
    resolve = draw_form(data, {"to": "xero"}, {"to": st.sampled_from(["xero", "engager", "both", ""])})
    url = f"/clients/{client.pk}/xero/differences/name/"
    assert_no_server_error(owner_client, "post", url, resolve, **data.draw(htmx_or_not))


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_bulk_matching_form_never_500(owner_client, linking, other_practice, data):
    ids = _ids(linking, other_practice)
    pair = st.builds(lambda a, b: f"{a}:{b}", st.sampled_from(ids), st.sampled_from(ids))
    many = st.lists(st.one_of(pair, hostile_value, st.sampled_from(ids).map(str)), max_size=60)
    valid = {
        "action": "link",
        "link": [f"{linking['client'].pk}:{linking['contact'].pk}"],
        "create": [str(linking["client"].pk)],
    }
    values = draw_form(
        data, valid, {"action": st.sampled_from(["link", "create", ""]), "link": many, "create": many}
    )
    assert_no_server_error(
        owner_client, "post", "/clients/xero-matching/start/", values, **data.draw(htmx_or_not)
    )
