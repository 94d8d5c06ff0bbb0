# Engager's production image: the web process (gunicorn), the Celery worker and Celery beat all
# run from it (see docker-compose.yml). Settings come from the environment (see .env.example).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Import the project from /app (where settings find templates/, static/ and demo/), not from
    # the copy `pip install .` puts in site-packages; `celery -A engager` needs this too.
    PYTHONPATH=/app \
    PORT=8000 \
    # Production by default: with DEBUG off settings choose real Xero (the sandbox is never
    # mounted) and refuse to start without SECRET_KEY, XERO_TOKEN_KEY and the Xero credentials.
    DEBUG=0

WORKDIR /app

# Dependencies first, so editing the code does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . \
    && useradd --system --uid 1000 --home-dir /app engager \
    # The server writes only under var/ (e.g. SQLite, beat's schedule); static files stay root's.
    && mkdir -p /app/var \
    && chown engager:engager /app/var

# Static files are collected at build time (whitenoise serves them, compressed), and the image's
# defaults must pass the deploy checks (no sandbox). Settings load only with every production
# secret set, so this step exports throwaway build-only values: they live in this step's shell,
# not in the image, and the server still refuses to start without real ones.
# tests/deploy/test_dockerfile.py replays this step.
RUN export SECRET_KEY=build-only-not-a-real-secret-key-0123456789abcdefghijklmnop \
        XERO_TOKEN_KEY=build-only-not-a-real-fernet-key \
        XERO_CLIENT_ID=build-only XERO_CLIENT_SECRET=build-only \
        XERO_REDIRECT_URI=https://build-only.invalid/settings/integrations/xero/callback/ \
    && python manage.py collectstatic --noinput \
    && python manage.py check --deploy

USER engager
EXPOSE 8000

CMD ["sh", "-c", "exec gunicorn engager.wsgi --bind 0.0.0.0:${PORT} --workers 2 --threads 4 --access-logfile - --error-logfile -"]
