"""The hello-world baseline of bench/run.py: a bare Flask app served with the same settings."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """The least a Flask view can do."""
    return "Hello, world!"
