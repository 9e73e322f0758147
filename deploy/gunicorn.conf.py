"""Gunicorn settings for the Academy (`gunicorn -c deploy/gunicorn.conf.py`); see docs/deploy.md."""
import multiprocessing
import os

wsgi_app = "academy:create_app()"
bind = os.environ.get("ACADEMY_BIND", "127.0.0.1:8000")
# Sync workers: every request is short; 2 per core plus one is gunicorn's usual starting point.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so that a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this host may set X-Forwarded-*; the app trusts ACADEMY_PROXIES of them.
forwarded_allow_ips = os.environ.get("ACADEMY_FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
# The request id nginx sets travels into the access log next to the security log's entries.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}i)s'
proc_name = "academy"
