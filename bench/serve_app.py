"""The Academy as bench/run.py serves it: `gunicorn -c gunicorn.conf.py serve_app:app`."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from academy import create_app  # noqa: E402

app = create_app({"DATABASE_URL": os.environ["BENCH_DATABASE_URL"], "SECRET_KEY": "bench",
                  "RATELIMIT_ENABLED": False, "MAIL_OUTBOX": os.environ["BENCH_MAIL"]})
