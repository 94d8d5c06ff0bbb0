"""The Dockerfile's build steps succeed, and the image it builds is production by default.

There is no Docker engine here, so these tests replay the build: the build context (what
.dockerignore lets through) is copied to a temporary /app, and each `RUN` step that calls
manage.py runs in `sh -c` there, with only the Dockerfile's ENV (plus PATH) in the environment.
"""

import fnmatch
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
DOCKERFILE = BASE_DIR / "Dockerfile"
IMAGE_WORKDIR = "/app"
REAL_SECRETS = {
    "SECRET_KEY": "a-real-deployment-would-use-fifty-random-characters-0123456789",
    "XERO_TOKEN_KEY": "Tq3kCqkU5yWQ2Xg8nF0m8m1Zc0m5o2k3b7bJ1QhYw5E=",
    "XERO_CLIENT_ID": "0123456789ABCDEF0123456789ABCDEF",
    "XERO_CLIENT_SECRET": "production-client-secret-from-the-xero-developer-portal",
    "XERO_REDIRECT_URI": "https://example.com/settings/integrations/xero/callback/",
}


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comment lines dropped,
    as Docker reads them."""
    instructions, pending = [], []
    for line in text.splitlines():
        if line.strip().startswith("#") or (not line.strip() and not pending):
            continue
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1])
            continue
        pending.append(line)
        keyword, _, arguments = " ".join(pending).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = []
    return instructions


def image_env(instructions, workdir: Path) -> dict[str, str]:
    """The Dockerfile's ENV, with /app pointing at the replayed build directory."""
    env = {}
    for keyword, arguments in instructions:
        if keyword == "ENV":
            for assignment in shlex.split(arguments):
                name, _, value = assignment.partition("=")
                env[name] = value.replace(IMAGE_WORKDIR, str(workdir))
    # `python` is the interpreter these tests run on (the image's has the same packages).
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return env


def dockerignore_filter(patterns: list[str]):
    def ignored(directory: str, names: list[str]) -> set[str]:
        relative_dir = Path(directory).relative_to(BASE_DIR)
        skipped = set()
        for name in names:
            path = (relative_dir / name).as_posix()
            for pattern in patterns:
                anywhere = pattern.removeprefix("**/")
                if fnmatch.fnmatch(path, pattern) or (
                    pattern.startswith("**/") and fnmatch.fnmatch(name, anywhere)
                ):
                    skipped.add(name)
        return skipped

    return ignored


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """The build context copied to a fresh /app, and the image's environment."""
    workdir = tmp_path_factory.mktemp("image") / "app"
    patterns = [
        line.strip()
        for line in (BASE_DIR / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    shutil.copytree(BASE_DIR, workdir, ignore=dockerignore_filter(patterns), symlinks=True)
    instructions = dockerfile_instructions(DOCKERFILE.read_text())
    return workdir, instructions, image_env(instructions, workdir)


def manage_py_steps(instructions) -> list[str]:
    return [arguments for keyword, arguments in instructions if keyword == "RUN" and "manage.py" in arguments]


def test_the_build_context_leaves_out_local_state(build):
    workdir, _, _ = build

    assert (workdir / "manage.py").exists()
    assert not (workdir / ".env").exists() and not (workdir / ".venv").exists()


def test_the_dockerfiles_manage_py_steps_succeed_in_a_clean_environment(build):
    workdir, instructions, env = build
    steps = manage_py_steps(instructions)
    assert any("collectstatic" in step for step in steps), "the image collects its static files"

    for step in steps:
        result = subprocess.run(
            ["/bin/sh", "-c", step], cwd=workdir, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"RUN {step}\n{result.stdout}\n{result.stderr}"

    assert (workdir / "var" / "static" / "css" / "app.css").exists()


def _in_image(build, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
    workdir, _, env = build
    return subprocess.run(
        [sys.executable, *args],
        cwd=workdir,
        env=env | extra_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_image_serves_real_xero_by_default(build):
    _, _, env = build
    assert env.get("DEBUG") == "0"

    result = _in_image(
        build,
        "-c",
        "import django; django.setup(); from django.conf import settings; from django.apps import apps; "
        "print(settings.DEBUG, settings.XERO_MODE, apps.is_installed('xero_sandbox'))",
        DJANGO_SETTINGS_MODULE="engager.settings",
        **REAL_SECRETS,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "xero", "False"]


def test_the_image_refuses_to_start_without_its_secrets(build):
    result = _in_image(build, "manage.py", "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr
