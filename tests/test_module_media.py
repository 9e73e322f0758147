"""Module images end to end: imported with their version, served under stable URLs, exported."""
import hashlib
import re

import pytest
from sqlalchemy import select

from academy.courses.models import Module, ModuleAsset, ModuleVersion
from academy.courses.services import import_library
from academy.extensions import db
from tests.course_fixtures import SAMPLE_LIBRARY
from tests.images import png
from tests.test_course_import import database_fingerprint, edit, refuse_inserts, row_counts
from tests.test_learning import enrol

SAMPLE_PNG = SAMPLE_LIBRARY / "sample-course" / "01-first-steps" / "access-tiers.png"
URL = "/courses/sample-course/first-steps/media/v{}/access-tiers.png"
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def library(course_library):
    return course_library


def first_steps():
    return db.session.scalar(select(Module).where(Module.slug == "first-steps"))


def assets():
    return [(a.version_id, a.name) for a in db.session.scalars(
        select(ModuleAsset).order_by(ModuleAsset.id))]


# -- import ----------------------------------------------------------------------------------------

def test_import_stores_the_image_with_its_version(imported_app):
    data = SAMPLE_PNG.read_bytes()
    with imported_app.app_context():
        version = first_steps().current_version
        [asset] = version.assets
        assert (asset.name, asset.media_type, asset.size, asset.sha256, asset.data) == (
            "access-tiers.png", "image/png", len(data), hashlib.sha256(data).hexdigest(), data)
        assert len(assets()) == 1  # the other modules show no image
        for lang, alt in (("en", "Four nested boxes: learner inside trainer"),
                          ("ru", "Четыре вложенных прямоугольника")):
            html = version.content(lang).html
            assert re.search(rf'<img src="{re.escape(URL.format(1))}" alt="{alt}[^"]*" '
                             r'width="320" height="200" loading="lazy">', html), html
            assert "svg" not in html


def test_unchanged_reimport_creates_nothing(app, library):
    with app.app_context():
        import_library(library)
        before = row_counts()
        summary = import_library(library)
        assert not summary.changed and summary.versions_created == 0
        assert row_counts() == before and before["module_asset"] == 1


def test_a_changed_image_alone_creates_a_new_version(app, library):
    image = library / "sample-course" / "01-first-steps" / "access-tiers.png"
    with app.app_context():
        import_library(library)
        old = first_steps().current_version
        old_id, old_sources = old.id, [c.source for c in old.contents]
        image.write_bytes(png(320, 200, colour=(200, 0, 0)))
        summary = import_library(library)
        assert (summary.versions_created, summary.modules_updated, summary.courses_updated) == (
            1, 1, 1)
        db.session.expire_all()
        version = first_steps().current_version
        assert version.number == 2 and version.id != old_id
        assert [c.source for c in version.contents] == old_sources  # the Markdown is the same
        assert version.assets[0].data == image.read_bytes()
        assert URL.format(2) in version.content("en").html
        kept = db.session.get(ModuleVersion, old_id)
        assert kept.assets[0].data == SAMPLE_PNG.read_bytes()
        assert URL.format(1) in kept.content("en").html
        assert not import_library(library).changed


def test_an_image_taken_out_leaves_the_new_version_without_it(app, library):
    module = library / "sample-course" / "01-first-steps"
    with app.app_context():
        import_library(library)
        for lang in ("en", "ru"):
            text = (module / f"{lang}.md").read_text(encoding="utf-8")
            (module / f"{lang}.md").write_text(re.sub(r"!\[[^\]]*\]\(access-tiers\.png\)", "",
                                                      text), encoding="utf-8")
        (module / "access-tiers.png").unlink()
        import_library(library)
        db.session.expire_all()
        version = first_steps().current_version
        assert version.number == 2 and version.assets == []
        assert len(assets()) == 1  # version 1 keeps its image


def test_a_failure_while_storing_images_rolls_the_whole_import_back(imported_app, library):
    refuse_inserts(imported_app, "module_asset")
    edit(library / "sample-course" / "course.yml", "pass_mark: 70", "pass_mark: 90")
    (library / "sample-course" / "01-first-steps" / "access-tiers.png").write_bytes(png())
    before = database_fingerprint(imported_app)
    with imported_app.app_context(), pytest.raises(Exception, match="disk on fire"):
        import_library(library)
    assert database_fingerprint(imported_app) == before


# -- serving ---------------------------------------------------------------------------------------

def test_the_image_is_served_to_anyone_with_cache_headers(imported_app):
    data = SAMPLE_PNG.read_bytes()
    response = imported_app.test_client().get(URL.format(1))
    assert response.status_code == 200
    assert response.data == data
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    # Nothing personal, so that a shared cache may keep it: no cookie, no Vary on one.
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


@pytest.mark.parametrize("if_none_match", ['"{}"', 'W/"{}"', '"other", "{}"', "*"])
def test_a_known_etag_gets_304_without_the_bytes(imported_app, if_none_match):
    etag = hashlib.sha256(SAMPLE_PNG.read_bytes()).hexdigest()
    response = imported_app.test_client().get(
        URL.format(1), headers={"If-None-Match": if_none_match.format(etag)})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == f'"{etag}"'
    assert response.headers["Cache-Control"] == IMMUTABLE


def test_another_etag_gets_the_image(imported_app):
    response = imported_app.test_client().get(URL.format(1), headers={"If-None-Match": '"old"'})
    assert response.status_code == 200 and response.data == SAMPLE_PNG.read_bytes()


@pytest.mark.parametrize("url", [
    "/courses/no-such-course/first-steps/media/v1/access-tiers.png",
    "/courses/sample-course/no-such-module/media/v1/access-tiers.png",
    "/courses/sample-course/reading-only/media/v1/access-tiers.png",
    "/courses/sample-course/first-steps/media/v2/access-tiers.png",
    "/courses/sample-course/first-steps/media/v0/access-tiers.png",
    "/courses/sample-course/first-steps/media/v1/other.png",
    "/courses/sample-course/first-steps/media/v1/en.md",
    "/courses/sample-course/first-steps/media/1/access-tiers.png",
])
def test_unknown_course_module_version_or_name_is_404(imported_app, url):
    assert imported_app.test_client().get(url).status_code == 404


def test_a_version_not_yet_published_is_not_served(imported_app):
    with imported_app.app_context():
        module = first_steps()
        draft = ModuleVersion(module_id=module.id, number=2, source_hash="draft")
        draft.assets.append(ModuleAsset(name="access-tiers.png", media_type="image/png",
                                        sha256="0" * 64, size=3, data=b"new"))
        db.session.add(draft)
        db.session.commit()
    assert imported_app.test_client().get(URL.format(2)).status_code == 404


def test_the_module_page_shows_the_image_and_its_url_serves_it(imported_app, make_user, auth,
                                                               client):
    make_user()
    auth.login()
    enrol(client)
    page = client.get("/courses/sample-course/first-steps/").get_data(as_text=True)
    [src] = re.findall(r'<img src="([^"]+)"', page)
    assert src == URL.format(1)
    response = client.get(src)
    assert response.status_code == 200 and response.data == SAMPLE_PNG.read_bytes()
    # Signed in or not, the response is the same for everyone: no cookie, no Vary on one.
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    assert client.get("/dashboard").status_code == 200  # the session lives on


# -- export ----------------------------------------------------------------------------------------

def test_export_writes_the_images_back_and_the_round_trip_is_unchanged(imported_app, tmp_path):
    from academy.courses.export import export_course

    with imported_app.app_context():
        written = export_course("sample-course", tmp_path)
        exported = tmp_path / "sample-course" / "01-first-steps" / "access-tiers.png"
        assert exported in written
        assert exported.read_bytes() == SAMPLE_PNG.read_bytes()
        before = row_counts()
        summary = import_library(tmp_path)
        assert not summary.changed and summary.versions_created == 0
        assert row_counts() == before


# -- PostgreSQL ------------------------------------------------------------------------------------

@pytest.mark.postgres
def test_import_and_serve_on_postgresql(postgres_url, library):
    from flask_migrate import upgrade

    from academy import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": postgres_url, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        import_library(library)
        assert not import_library(library).changed
        (library / "sample-course" / "01-first-steps" / "access-tiers.png").write_bytes(
            png(320, 200, colour=(200, 0, 0)))
        assert import_library(library).versions_created == 1
        db.session.remove()
    client = app.test_client()
    for number, data in ((1, SAMPLE_PNG.read_bytes()), (2, png(320, 200, colour=(200, 0, 0)))):
        response = client.get(URL.format(number))
        assert (response.status_code, response.mimetype, response.data) == (200, "image/png", data)
        etag = response.headers["ETag"]
        assert client.get(URL.format(number),
                          headers={"If-None-Match": etag}).status_code == 304
    assert client.get(URL.format(3)).status_code == 404
    with app.app_context():
        db.engine.dispose()
