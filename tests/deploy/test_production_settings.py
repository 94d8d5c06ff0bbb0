"""Production shape: settings refuse to start without secrets and pass Django's deploy checks.

Each case imports the settings in a fresh interpreter, because settings are read once per process.
"""

import os
import re
import secrets
import string
import subprocess
import sys

import pytest
from django.conf import settings

BASE_DIR = settings.BASE_DIR
SECRET_CHARS = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"

PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "example.com",
    "XERO_MODE": "xero",
    "XERO_CLIENT_ID": "0123456789ABCDEF0123456789ABCDEF",
    "XERO_CLIENT_SECRET": "production-client-secret-from-the-xero-developer-portal",
    "XERO_REDIRECT_URI": "https://example.com/settings/integrations/xero/callback/",
    "XERO_TOKEN_KEY": "Tq3kCqkU5yWQ2Xg8nF0m8m1Zc0m5o2k3b7bJ1QhYw5E=",
}


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py with only the given settings in the environment (plus PATH and HOME)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings_env_vars() -> set[str]:
    """Every environment variable engager/settings.py reads (env("X"), env.bool("X", …), …)."""
    source = (BASE_DIR / "engager" / "settings.py").read_text()
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))


def _secret_key() -> str:
    return "".join(secrets.choice(SECRET_CHARS) for _ in range(50))


def test_production_refuses_to_start_without_a_secret_key():
    # Empty rather than absent, so a developer's .env (read with overwrite=False) cannot fill it in.
    result = _run("check", **PRODUCTION_ENV, SECRET_KEY="")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_real_xero_mode_refuses_to_start_without_credentials():
    dotenv = BASE_DIR / ".env"
    if dotenv.exists() and "XERO_CLIENT_SECRET" in dotenv.read_text():
        pytest.skip(".env sets XERO_CLIENT_SECRET, which settings would read")
    env = PRODUCTION_ENV | {"SECRET_KEY": _secret_key()}
    del env["XERO_CLIENT_SECRET"]

    result = _run("check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "XERO_CLIENT_SECRET" in result.stderr


def test_production_refuses_to_start_without_a_token_key():
    result = _run("check", **PRODUCTION_ENV | {"XERO_TOKEN_KEY": ""}, SECRET_KEY=_secret_key())

    assert result.returncode != 0
    assert "XERO_TOKEN_KEY" in result.stderr


# `check --deploy` in production mode giving no warnings is a row of the fault matrix:
# tests/reliability/test_production_settings.py (it uses _run, PRODUCTION_ENV and _secret_key).


def test_env_example_documents_every_setting():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (BASE_DIR / ".env.example").read_text(), re.M))

    missing = _settings_env_vars() - documented
    assert not missing, f".env.example does not document: {', '.join(sorted(missing))}"


def test_production_defaults_to_real_xero_and_names_the_missing_credentials():
    # Empty values count as unset and keep a developer's .env from filling them in.
    env = PRODUCTION_ENV | {"SECRET_KEY": _secret_key(), "XERO_MODE": ""}
    env |= {"XERO_CLIENT_ID": "", "XERO_CLIENT_SECRET": "", "XERO_REDIRECT_URI": ""}

    result = _run("check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    for name in ("XERO_CLIENT_ID", "XERO_CLIENT_SECRET", "XERO_REDIRECT_URI"):
        assert name in result.stderr


def test_production_refuses_to_serve_the_sandbox_even_when_asked():
    result = _run("check", **PRODUCTION_ENV | {"XERO_MODE": "sandbox"}, SECRET_KEY=_secret_key())

    assert result.returncode != 0
    assert "ImproperlyConfigured: XERO_MODE=sandbox needs DEBUG on" in result.stderr


def test_production_with_xero_mode_unset_never_mounts_the_sandbox():
    script = (
        "import django; django.setup()\n"
        "from django.apps import apps\n"
        "from django.conf import settings\n"
        "from django.urls import Resolver404, resolve\n"
        "for path in ('/xero-sandbox/', '/xero-sandbox/_control/state', '/xero-sandbox/_control/apps'):\n"
        "    try:\n"
        "        resolve(path)\n"
        "    except Resolver404:\n"
        "        continue\n"
        "    print('mounted', path)\n"
        "print(settings.XERO_MODE, settings.XERO_SANDBOX_ENABLED, apps.is_installed('xero_sandbox'))\n"
    )
    env = PRODUCTION_ENV | {
        "SECRET_KEY": _secret_key(),
        "XERO_MODE": "",
        "DJANGO_SETTINGS_MODULE": "engager.settings",
    }

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["xero", "False", "False"]


def test_the_deploy_check_fails_when_the_sandbox_would_be_mounted():
    # DEBUG on mounts the sandbox; --deploy asks "could this be deployed?", and the answer is no.
    result = _run("check", "--deploy", DEBUG="1", XERO_MODE="sandbox", SECRET_KEY=_secret_key())

    assert result.returncode != 0
    assert "engager.E001" in result.stderr + result.stdout
    assert "The offline Xero sandbox is mounted" in result.stderr + result.stdout
