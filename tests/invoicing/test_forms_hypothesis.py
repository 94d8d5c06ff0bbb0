"""Hostile input on Raise invoice (every action, and the totals as you type): never a 500; and our
totals equal the sandbox's own calculation for any lines."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing.totals import LineInput, invoice_totals
from tests.hostile_input import HOSTILE, assert_no_server_error, draw_form
from tests.invoicing.helpers import form_data, line, raise_url
from xero_sandbox.books import totals as sandbox_totals

pytestmark = pytest.mark.django_db


@HOSTILE
@given(data=st.data())
def test_raise_form_never_500s(linked, owner_client, htmx, data):
    _connection, client, _contact = linked
    valid = form_data([line(), line("Second", "2.5", "10.01", tax_type="RROUTPUT")])
    action = data.draw(st.sampled_from(["submit", "add", "fill", "remove", "totals"]))
    extra = {
        "line": st.sampled_from(["0", "1", "-1", "99", "x", ""]),
        "remove": st.sampled_from(["0", "1", "9"]),
    }
    values = draw_form(data, valid, extra=extra if action in ("fill", "remove") else None)
    values = values | ({"action": action} if action in ("submit", "add", "fill") else {})
    url = f"{raise_url(client)}totals/" if action == "totals" else raise_url(client)
    headers = htmx if data.draw(st.booleans()) else {}
    assert_no_server_error(owner_client, "post", url, values, **headers)


@pytest.mark.parametrize("action", ["submit", "totals"])
@pytest.mark.parametrize(
    ("quantity", "unit_amount"),
    [("SNAN", "10"), ("sNaN", "10"), ("NaN", "10"), ("Infinity", "10"), ("1", "1E+999999999"),
     ("1E+999999999", "1"), ("1", "-1E+999999999"), ("1E-999999999", "1")],
)  # fmt: skip
def test_numbers_that_are_not_amounts_get_a_form_error_not_a_500(
    linked, owner_client, htmx, action, quantity, unit_amount
):
    """Found by the test above: a formset compared Decimal("sNaN") with its initial value (raising),
    and the totals as you type overflowed on 1E+999999999."""
    _connection, client, _contact = linked
    data = form_data([line(), line("Second", quantity, unit_amount)], action=action)
    url = f"{raise_url(client)}totals/" if action == "totals" else raise_url(client)
    response = owner_client.post(url, data, **htmx)
    assert response.status_code == 200
    if action == "submit":
        assert "Enter a number" in response.content.decode() or "Ensure" in response.content.decode()


money = st.decimals(min_value=Decimal("-1000"), max_value=Decimal("100000"), places=2)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("10000"), places=4)
rates = st.sampled_from([Decimal("0"), Decimal("5"), Decimal("20"), Decimal("17.5"), Decimal("12.5")])


@given(
    lines=st.lists(st.tuples(quantities, money, rates), min_size=1, max_size=8),
    amount_types=st.sampled_from(["Exclusive", "Inclusive", "NoTax"]),
)
def test_our_totals_equal_the_sandboxs_calculation(lines, amount_types):
    ours = invoice_totals([LineInput(q, u, r) for q, u, r in lines], amount_types)

    class Line:  # what the sandbox's invoice_totals reads
        def __init__(self, q, u, r):
            self.line_amount = sandbox_totals.line_amount(q, u, None)
            self.tax_amount = sandbox_totals.line_tax(self.line_amount, r, amount_types)

    theirs = sandbox_totals.invoice_totals([Line(q, u, r) for q, u, r in lines], amount_types)
    assert (ours.sub_total, ours.total_tax, ours.total) == theirs
