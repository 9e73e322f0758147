"""Quiz views (placeholder until the quizzes feature lands)."""
from flask import Blueprint

bp = Blueprint("quizzes", __name__)
