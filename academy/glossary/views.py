"""Glossary page (placeholder until the glossary lands)."""
from flask import Blueprint

bp = Blueprint("glossary", __name__)


@bp.get("/glossary")
def index():
    return "glossary"
