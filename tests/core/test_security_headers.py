"""Headers (issue 7, item 19): Content-Security-Policy, Vary: HX-Request, history restores,
Cache-Control on signed-in pages, and SECURE_PROXY_SSL_HEADER only behind a proxy."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import CompanyFactory, JobFactory

HX = {"HTTP_HX_REQUEST": "true"}
HISTORY_RESTORE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


# --- Content-Security-Policy --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "headers"),
    [("/login/", {}), ("/admin/login/", {}), ("/", {}), ("/clients/", {}), ("/clients/", HX),
     ("/settings/users/new/", {}), ("/settings/integrations/xero/", {}), ("/no-such-page/", {})],
)  # fmt: skip
def test_every_page_has_a_strict_content_security_policy(owner_client, path, headers, settings):
    settings.DEBUG = False  # django-csp leaves Django's debug 404 page alone; production does not
    response = owner_client.get(path, **headers)

    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_forms_may_go_to_xero_sign_in_and_nowhere_else(owner_client, settings):
    settings.XERO_LOGIN_BASE = "https://login.xero.com"
    assert policy(owner_client.get("/settings/integrations/xero/"))["form-action"] == [
        "'self'",
        "https://login.xero.com",
    ]


@pytest.mark.django_db
def test_the_lockout_page_has_the_policy_too(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": owner.email, "password": "wrong"})
    assert response.status_code == 429
    assert policy(response)["script-src"] == ["'self'"]


TEMPLATE_DIRS = [settings.BASE_DIR / "templates"] + [
    path for path in settings.BASE_DIR.glob("*/templates") if path.parent.name != "xero_sandbox"
]
INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "inline <style>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler (on…=)"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\shx-on[:-]", re.I), "hx-on (needs eval)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"""hx-(vals|headers)\s*=\s*['"]\s*js:""", re.I), "hx-vals/hx-headers js: (needs eval)"),
]


def _templates() -> list[Path]:
    return sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))


def test_templates_contain_nothing_the_policy_would_block():
    templates = _templates()
    assert len(templates) > 10
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {what}: {match.group(0)!r}"
        for path in templates
        for pattern, what in INLINE
        for match in pattern.finditer(path.read_text())
    ]
    assert not found, "\n".join(found)


def test_the_scan_would_notice_inline_code():
    samples = ['<script>alert(1)</script>', '<a onclick="x()">', '<p style="color:red">', '<style>p{}</style>',
               '<button hx-on:click="x()">']  # fmt: skip
    for sample in samples:
        assert any(pattern.search(f" {sample}") for pattern, _ in INLINE), sample


@pytest.mark.django_db
def test_htmx_is_loaded_from_static_without_its_inline_indicator_style(owner_client):
    body = owner_client.get("/").content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2(\.min)?\.js" defer></script>', body)
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false""" in body
    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


# --- Vary, history restore ----------------------------------------------------------------------


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/clients/", "/jobs/", "/settings/", "/settings/users/new/", "/clients/new/"]
)
def test_a_page_that_is_also_a_partial_varies_on_hx_request(owner_client, practice, path):
    page = owner_client.get(path)
    partial = owner_client.get(path, **HX)

    assert page.status_code == partial.status_code == 200
    assert "<html" in page.content.decode()
    assert "<html" not in partial.content.decode()
    assert "hx-request" in vary(page)
    assert "hx-request" in vary(partial)


@pytest.mark.django_db
def test_a_posted_form_varies_on_hx_request_both_ways(owner_client):
    invalid = owner_client.post("/settings/", {"name": ""}, **HX)
    saved = owner_client.post("/settings/", {"name": "Smith Partners"})
    saved_htmx = owner_client.post("/settings/", {"name": "Smith Partners"}, **HX)
    assert (invalid.status_code, saved.status_code, saved_htmx.status_code) == (200, 302, 200)
    for response in (invalid, saved, saved_htmx):
        assert "hx-request" in vary(response)


@pytest.mark.django_db
def test_a_history_restore_gets_the_whole_page(owner_client, practice):
    JobFactory(client=CompanyFactory(practice=practice, name="Harbour Lights Ltd"), practice=practice)
    for path in ["/clients/", "/jobs/"]:
        response = owner_client.get(path, **HISTORY_RESTORE)
        body = response.content.decode()
        assert response.status_code == 200
        assert body.lstrip().lower().startswith("<!doctype html>")
        assert "Harbour Lights Ltd" in body
        assert "hx-history-restore-request" in vary(response)


# --- Cache-Control --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/clients/", "/jobs/", "/settings/", "/settings/integrations/xero/"])
def test_signed_in_pages_are_private_and_not_stored(owner_client, path):
    response = owner_client.get(path)
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control


@pytest.mark.django_db
def test_a_partial_is_private_too(owner_client):
    assert "private" in owner_client.get("/clients/", **HX)["Cache-Control"]


# --- SECURE_PROXY_SSL_HEADER ----------------------------------------------------------------------


def _setting_in_fresh_process(name: str, **env: str) -> str:
    """The value of a setting as a fresh interpreter sees it with only `env` set (settings are read
    once per process)."""
    code = f"import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "DJANGO_SETTINGS_MODULE": "engager.settings",
            "DEBUG": "1",
        }
        | env,  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_forwarded_proto_header_is_trusted_only_behind_a_proxy():
    assert _setting_in_fresh_process("SECURE_PROXY_SSL_HEADER", BEHIND_PROXY="0") == "None"
    assert _setting_in_fresh_process("SECURE_PROXY_SSL_HEADER", BEHIND_PROXY="1") == repr(
        ("HTTP_X_FORWARDED_PROTO", "https")
    )


@pytest.mark.django_db
def test_the_sandbox_pages_keep_script_src_self(client):
    """The offline Xero sandbox (development only) stands in for Xero's own site: its pages may use
    inline styles and send the consent form back to the app, but still run no inline script."""
    if not settings.XERO_SANDBOX_ENABLED:
        pytest.fail("tests run in sandbox mode (XERO_MODE=sandbox)")
    response = client.get(f"/{settings.XERO_SANDBOX_PREFIX}/")

    assert response.status_code == 200
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "form-action" not in directives
