# Koppelwerk API. Production runs on PostgreSQL: set KOPPELWERK_DATABASE_URL and KOPPELWERK_JWT_SECRET.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KOPPELWERK_ENVIRONMENT=production

WORKDIR /app
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin koppelwerk

COPY pyproject.toml constraints.txt README.md alembic.ini ./
COPY api ./api
COPY domain ./domain
COPY persistence ./persistence
COPY migrations ./migrations
# Editable, so Alembic finds ./migrations next to the code.
RUN pip install -c constraints.txt -e . \
    && mkdir -p /app/data && chown koppelwerk:koppelwerk /app/data

USER koppelwerk
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health/ready', timeout=4)"

# `serve` applies the migrations first. With several replicas, run `koppelwerk migrate` once as a
# release step and start the replicas with `serve --no-migrate`.
CMD ["koppelwerk", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
