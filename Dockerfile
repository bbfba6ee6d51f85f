# The production image: gunicorn serves the web app, the same image runs the Celery worker.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.txt constraints.txt ./
RUN pip install -c constraints.txt -r requirements.txt

COPY . .
# collectstatic reads settings; a throwaway key is enough at build time.
RUN DEBUG=false SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    python manage.py collectstatic --noinput
RUN DEBUG=false SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    python manage.py compile_translations

RUN useradd --create-home --uid 1000 newsdesk && mkdir -p /app/var/models && chown -R newsdesk /app/var
USER newsdesk
EXPOSE 8000
CMD ["gunicorn", "newsdesk.wsgi:application", "-c", "gunicorn.conf.py"]
