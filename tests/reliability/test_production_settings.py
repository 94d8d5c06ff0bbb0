"""Rows: production settings.

- `manage.py check --deploy` in production mode (DEBUG=0, a 50-character SECRET_KEY, XERO_MODE=xero
  with credentials, a Fernet XERO_TOKEN_KEY, ALLOWED_HOSTS) → 0 warnings;
- the security headers with the production settings (read from a fresh interpreter with the same
  environment, then applied to this process): HSTS over HTTPS, a CSP that still lets htmx work,
  `X-Content-Type-Options: nosniff`, `Referrer-Policy`, a secure HttpOnly session cookie and a
  secure CSRF cookie.
"""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from tests.deploy.test_production_settings import PRODUCTION_ENV, _run, _secret_key
from tests.factories import PASSWORD

SECURITY_SETTINGS = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "X_FRAME_OPTIONS",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
]  # fmt: skip


def test_check_deploy_in_production_mode__0_warnings():
    result = _run("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV, SECRET_KEY=_secret_key())

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout  # the figure: 0 warnings


@pytest.fixture
def production_security(settings):
    """This process, with the security settings production (DEBUG=0) has."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    env = PRODUCTION_ENV | {"SECRET_KEY": _secret_key(), "DJANGO_SETTINGS_MODULE": "engager.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout.strip().splitlines()[-1])
    assert production["DEBUG"] is False
    for name, value in production.items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.WHITENOISE_USE_FINDERS = True  # production serves collectstatic's copy of the same files
    return production


@pytest.mark.django_db
def test_security_headers_in_production__hsts_csp_nosniff_referrer_secure_httponly_cookies(
    client, owner, production_security
):
    # Plain HTTP is sent to HTTPS; HSTS is given over HTTPS.
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    login_page = client.get("/login/", secure=True)
    assert login_page.status_code == 200
    hsts = login_page["Strict-Transport-Security"]
    assert re.search(r"max-age=(\d+)", hsts) and int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    assert "includeSubDomains" in hsts

    csrf = login_page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"]
    signed_in = client.post("/login/", {"username": owner.email, "password": PASSWORD}, secure=True)
    assert signed_in.status_code == 302
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]  # secure, HttpOnly session cookie

    page = client.get("/clients/", secure=True)
    assert page.status_code == 200
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    assert page["X-Frame-Options"] == "DENY"
    policy = {d.split()[0]: d.split()[1:] for d in page["Content-Security-Policy"].split(";") if d.strip()}
    assert policy["script-src"] == ["'self'"] and "'unsafe-inline'" not in page["Content-Security-Policy"]

    # htmx still works under that policy: it is a same-origin static script, and it is served.
    script = re.search(
        r'<script src="(/static/django_htmx/htmx[^"]*\.js)" defer></script>', page.content.decode()
    )
    assert script, "htmx is loaded from our own static files"
    served = client.get(script.group(1), secure=True)
    assert served.status_code == 200
    assert "javascript" in served["Content-Type"] and served["X-Content-Type-Options"] == "nosniff"
