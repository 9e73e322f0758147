"""A small per-process cache for data that never changes under its key (issue #12).

Keys name a content version (a course's content hash, an immutable module version id), so an
import or publish makes new keys instead of invalidating old ones: every worker on every host
sees new content at once, and an entry is never stale. Old keys simply age out (LRU).
"""
import threading
import uuid
from collections import OrderedDict

from flask import current_app, has_app_context


def _app_token():
    """One token per app object: two apps in a process (tests) never share entries."""
    if not has_app_context():
        return None
    return current_app.extensions.setdefault("academy.cache", uuid.uuid4().hex)


class VersionedCache:
    """A bounded, thread-safe LRU mapping of immutable values."""

    def __init__(self, size=512):
        self.size = size
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, build):
        """The value under `key`, computed by `build()` and kept when it is not there yet."""
        key = (_app_token(), key)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self):
        with self._lock:
            self._items.clear()


_caches: list[VersionedCache] = []


def versioned_cache(size=512):
    """A new registered cache (clear_all empties every one, e.g. between tests)."""
    cache = VersionedCache(size)
    _caches.append(cache)
    return cache


def clear_all():
    """Empty every cache of this process."""
    for cache in _caches:
        cache.clear()
