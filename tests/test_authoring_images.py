"""Images uploaded in the editor: the course image rules, a pixel limit, preview, publication."""
import pytest

from academy.courses.models import Module
from academy.extensions import db
from tests.authoring_fixtures import COURSE, MODULE
from tests.conftest import csrf_token
from tests.images import jpeg, png


def _upload(client, filename, data, alt="A border crossing point at night"):
    page = client.get(f"/author/{COURSE}/{MODULE}/").get_data(as_text=True)
    boundary = "academy-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{csrf_token(page)}\r\n--{boundary}\r\nContent-Disposition: form-data; name="alt"'
            f'\r\n\r\n{alt}\r\n--{boundary}\r\nContent-Disposition: form-data; name="image"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    response = client.post(f"/author/{COURSE}/{MODULE}/images", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    return client.get(response.location).get_data(as_text=True)


def test_uploaded_image_previews_and_is_published_with_the_version(as_user, authoring_app):
    author = as_user("author")
    page = _upload(author.client, "crossing-point.png", png(8, 6))
    assert "![A border crossing point at night](crossing-point.png)" in page
    _r, text_en, text_ru, token = author.editor()
    shown = "\n![A border crossing point at night](crossing-point.png)\n"
    preview = author.post("preview", text_en + shown, text_ru + shown.replace(
        "A border crossing point at night", "Пункт пропуска ночью"), token).get_data(as_text=True)
    assert f'src="/author/{COURSE}/{MODULE}/images/crossing-point.png"' in preview
    assert author.client.get(f"/author/{COURSE}/{MODULE}/images/crossing-point.png").data == png(8, 6)
    author.post("submit", text_en + shown, text_ru + shown, token)
    as_user("reviewer").review_post("publish")
    with authoring_app.app_context():
        module = db.session.scalar(db.select(Module).filter_by(slug=MODULE).where(
            Module.course.has(slug=COURSE)))
        assert module.current_version.number == 2
        assert "crossing-point.png" in {asset.name for asset in module.current_version.assets}


@pytest.mark.parametrize("filename, data, message", [
    ("big.png", png(4001, 2), "4001 × 2 pixels"),
    ("huge.png", png(3500, 3500), "megapixels"),
    ("photo.png", jpeg(), "holds JPEG data but its extension says PNG"),
    ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG"),
    ("Bad Name.png", png(), "is not safe"),
    ("heavy.png", b"\x89PNG" + bytes(1024 * 1024), "larger than 1024 KB"),
])
def test_image_rules(as_user, filename, data, message):
    page = _upload(as_user("author").client, filename, data)
    assert message in page


def test_alt_text_required_and_outsiders_refused(as_user):
    assert "alternative text is required" in _upload(as_user("author").client, "a.png", png(), "")
    other = as_user("other_author").client
    page = other.get("/courses/").get_data(as_text=True)
    response = other.post(
        f"/author/{COURSE}/{MODULE}/images", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 404
