# Tribune in a container (docs/deploy.md, "Containers"). The command lines are the
# systemd units' (deploy/*.service): compose.yaml runs this image twice, as the web
# workers and as the task worker.
# Any Debian bookworm image with Python 3.11 as `python` will do: where Docker Hub is out
# of reach, build one with debootstrap and pass it (docs/deploy.md, "Containers").
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

# pg_dump / pg_restore for `tribune backup` and `tribune restore` on PostgreSQL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TRIBUNE_DATA_DIR=/var/lib/tribune \
    TRIBUNE_BACKUP_DIR=/var/backups/tribune \
    PROMETHEUS_MULTIPROC_DIR=/run/tribune-web

RUN useradd --system --home-dir /var/lib/tribune --shell /usr/sbin/nologin tribune \
    && mkdir -p /var/lib/tribune /var/backups/tribune /run/tribune-web \
    && chown tribune:tribune /var/lib/tribune /var/backups/tribune /run/tribune-web

# Offline builds: `pip wheel --wheel-dir wheels . setuptools wheel` on a machine that reaches PyPI puts
# every dependency in ./wheels, and --build-arg PIP_NO_INDEX=1 installs from it alone.
ARG PIP_NO_INDEX=
WORKDIR /opt/tribune/src
COPY README.md wheel[s] /opt/tribune/wheels/
COPY pyproject.toml README.md ./
COPY tribune ./tribune
RUN python -m venv /opt/tribune/venv \
    && PIP_FIND_LINKS=/opt/tribune/wheels /opt/tribune/venv/bin/pip install --no-cache-dir . \
    && rm -rf /opt/tribune/src/build /opt/tribune/wheels

ENV PATH=/opt/tribune/venv/bin:$PATH
USER tribune
WORKDIR /var/lib/tribune
VOLUME ["/var/lib/tribune", "/var/backups/tribune"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"

# The web workers; compose.yaml runs the task worker from the same image.
CMD ["tribune", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "3", "--no-worker", "--no-demo"]
