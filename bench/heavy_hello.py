import os, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from academy import create_app
academy = create_app({"DATABASE_URL": os.environ["BENCH_DATABASE_URL"], "SECRET_KEY": "bench",
                  "RATELIMIT_ENABLED": False, "MAIL_OUTBOX": os.environ["BENCH_MAIL"]})
from flask import Flask
app = Flask(__name__)
@app.get("/")
def hello():
    return "Hello, world!"
