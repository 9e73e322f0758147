"""Template fragments rendered once and kept, under a key that names what they show (issue #12).

    {% call fragment("catalogue-card", course.id, course.content_hash) %}…{% endcall %}

The block is rendered on the first request with its key and kept per process (an LRU), like
academy.core.cache: the key must name every value the block shows — content versions, not
mutable rows — so that a new version makes a new key and nothing kept is ever stale. The
language and the script root are added to every key. A block must show nothing of the reader.
"""
from flask import request
from markupsafe import Markup

from academy.core.cache import versioned_cache
from academy.core.i18n import current_lang

_fragments = versioned_cache(4096)


def fragment(*key, caller):
    """The HTML of the calling block for `key` in this request's language, kept."""
    return _fragments.get((current_lang(), request.script_root, *key),
                          lambda: Markup(caller()))


def init_app(app):
    """Give templates fragment()."""
    app.jinja_env.globals["fragment"] = fragment
