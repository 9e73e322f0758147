"""Module images, served under stable versioned URLs that caches may keep for ever.

No sign-in is needed: images are course content, not personal data, and a shared cache (a
proxy, a CDN) can only keep what it may hand to anyone. A URL names one immutable module
version, so its bytes never change; a changed image is served under the next version's URL.
"""
from flask import Response, abort, request

from academy.learning import services
from academy.learning.views import bp

CACHE_FOR_EVER = "public, max-age=31536000, immutable"


@bp.get("/courses/<slug>/<module_slug>/media/v<int:number>/<name>")
def module_image(slug, module_slug, number, name):
    """An image of a published module version, with its media type and an ETag (its SHA-256)."""
    asset = services.get_module_asset(slug, module_slug, number, name) or abort(404)
    response = Response(mimetype=asset.media_type)
    response.set_etag(asset.sha256)
    response.headers["Cache-Control"] = CACHE_FOR_EVER
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.if_none_match.contains_weak(asset.sha256):
        response.status_code = 304  # the bytes (deferred) are never loaded
        return response
    response.set_data(asset.data)
    return response
