"""The site header, rendered once per language, role and section and filled in per request:
rendering it for every page cost about 2 ms, a third of a lesson page (issue #12)."""
import re

from flask import render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from markupsafe import Markup, escape

SLOT = re.compile(r"@@(\w+)@@")
_headers = {}  # (lang, signed in, role, script root, section) -> HTML with slots
_sections = {}  # script root -> the header's navigation links


def _slot(name):
    return Markup(f"@@{name}@@")


def _section(path):
    """The navigation link this page belongs to (aria-current), or ""."""
    root = request.script_root
    if root not in _sections:
        _sections[root] = tuple(url_for(endpoint) for endpoint in
                                ("learning.catalogue", "glossary.index", "learning.dashboard"))
    return next((href for href in _sections[root] if path.startswith(href)), "")


@pass_context
def site_header(context):
    """The header of this page: the cached HTML with this request's values in its slots."""
    user = current_user._get_current_object()
    signed_in = user.is_authenticated
    section = _section(request.path)
    key = (context["lang"], signed_in, user.role if signed_in else None, request.script_root,
           section)
    html = _headers.get(key)
    if html is None:
        html = _headers[key] = render_template("_site_header.html", slot=_slot, section=section)
    who = (user.name_latin or user.name_cyrillic or user.email) if signed_in else ""
    outcome = context.get("outcome")
    values = {"who": who, "initial": who[:1].upper(), "email": user.email if signed_in else "",
              "csrf": generate_csrf(),
              "next": request.full_path if request.query_string else request.path,
              "query": getattr(outcome, "query", "")}
    # One pass: a value that itself looks like a slot (a name "@@email@@") stays as it is.
    return Markup(SLOT.sub(lambda match: str(escape(values[match.group(1)])), html))


def init_app(app):
    """Give templates site_header()."""
    app.jinja_env.globals["site_header"] = site_header
