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
    PORT=8000

WORKDIR /app

# Dependencies first, so editing the code does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . \
    # Static files are collected at build time (whitenoise serves them, compressed). A throwaway
    # key: collectstatic needs settings to load with DEBUG off, and no real secret is baked in.
    && DEBUG=0 SECRET_KEY=collectstatic-only-not-a-real-secret-key-0123456789abcdef \
        python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home-dir /app engager \
    && chown -R engager:engager /app/var

USER engager
EXPOSE 8000

CMD ["sh", "-c", "exec gunicorn engager.wsgi --bind 0.0.0.0:${PORT} --workers 2 --threads 4 --access-logfile - --error-logfile -"]
