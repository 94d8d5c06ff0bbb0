"""Tokens never reach error pages or error emails, wherever the failure happens."""

import sys

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from integrations import tokens
from integrations.services import xero_access_token
from integrations.xero.errors import XeroUnavailable
from tests.integrations.conftest import let_time_pass

pytestmark = pytest.mark.django_db


def test_a_failed_refresh_reports_no_token(connect, xero_sandbox, settings):
    connection = connect()
    secrets = {
        tokens.decrypt(connection.access_token_encrypted),
        tokens.decrypt(connection.refresh_token_encrypted),
        settings.XERO_CLIENT_SECRET,
    }
    let_time_pass(xero_sandbox, connection, minutes=28)
    xero_sandbox.inject_fault(status=500, path="/connect/token")
    try:
        xero_access_token(connection=connection)
    except XeroUnavailable:
        exc_info = sys.exc_info()
    else:
        pytest.fail("the refresh should have failed")
    exc_type, exc, traceback = exc_info
    # From the app's first frame on (this test's own frame holds the sandbox helper, with its secret).
    reporter = ExceptionReporter(RequestFactory().get("/"), exc_type, exc, traceback.tb_next)
    text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    assert "refresh_token" in text  # the frames are there…
    for secret in secrets:
        assert secret not in text and secret not in html  # …their secrets are not
