"""Course zip download and upload: limits, safe paths, checked, all or nothing."""
import io
import stat
import zipfile

import pytest

from academy.authoring import archive
from academy.courses.models import Module
from academy.extensions import db
from tests.authoring_fixtures import COURSE
from tests.conftest import csrf_token


def _download(client):
    response = client.get(f"/author/{COURSE}/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def _rezip(source, change=None, extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if change:
                data = change(info.filename, data)
            target.writestr(info.filename, data)
        for name, data, attr in extra:
            info = zipfile.ZipInfo(name)
            info.external_attr = attr
            target.writestr(info, data)
    return buffer.getvalue()


def _upload(client, data):
    page = client.get(f"/author/{COURSE}/").get_data(as_text=True)
    # Encoded here: the test client spools large multipart bodies to a file it never closes.
    boundary = "academy-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{csrf_token(page)}\r\n--{boundary}\r\nContent-Disposition: form-data; '
            f'name="archive"; filename="course.zip"\r\nContent-Type: application/zip\r\n\r\n'
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(f"/author/{COURSE}/upload", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _versions(app):
    with app.app_context():
        return {m.slug: m.current_version.number for m in db.session.scalars(
            db.select(Module).where(Module.course.has(slug=COURSE)))}


def test_round_trip_new_version_only_for_the_changed_module(as_user, authoring_app):
    coordinator = as_user("coordinator")
    source = _download(coordinator.client)
    assert f"{COURSE}/01-first-steps/en.md" in source.namelist()
    same = _upload(coordinator.client, _rezip(source))
    assert same.status_code == 302
    assert set(_versions(authoring_app).values()) == {1}

    def change(name, data):
        if name.endswith("02-reading-only/en.md"):
            return data + b"\nA sentence added in the zip.\n"
        return data
    response = _upload(coordinator.client, _rezip(source, change))
    assert response.status_code == 302
    versions = _versions(authoring_app)
    assert versions.pop("reading-only") == 2 and set(versions.values()) == {1}


def test_upload_with_checker_errors_changes_nothing(as_user, authoring_app):
    coordinator = as_user("coordinator")
    source = _download(coordinator.client)

    def change(name, data):
        if name.endswith("01-first-steps/en.md"):
            data = data.replace(b"- [x] Article 33(1)", b"- [ ] Article 33(1)")
        if name.endswith("02-reading-only/en.md"):
            data += b"\nChanged too.\n"
        return data
    response = _upload(coordinator.client, _rezip(source, change))
    assert response.status_code == 400
    assert "sample-course/01-first-steps/en.md:" in response.get_data(as_text=True)
    assert set(_versions(authoring_app).values()) == {1}


def _bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("course.yml", b"title: x\n")
        target.writestr("01-a/en.md", b"\n" * (900 * 1024))
    return buffer.getvalue()


def _many():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for index in range(archive.MAX_FILES + 1):
            target.writestr(f"f{index}.txt", b"x")
    return buffer.getvalue()


def _with(name, attr=0o100644 << 16, data=b"x"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        target.writestr("course.yml", b"title: x\n")
        info = zipfile.ZipInfo(name)
        info.external_attr = attr
        target.writestr(info, data)
    return buffer.getvalue()


@pytest.mark.parametrize("data, message", [
    (lambda: b"not a zip at all", "not a zip archive"),
    (lambda: _with("../evil.md"), "not a safe path"),
    (lambda: _with("/etc/evil.md"), "not a safe path"),
    (lambda: _with("01-a\\..\\evil.md"), "not a safe path"),
    (lambda: _with("01-a/link.png", attr=(stat.S_IFLNK | 0o777) << 16, data=b"/etc/passwd"),
     "symbolic link"),
    (_bomb, "zip bomb"),
    (_many, "more than 400 files"),
    (lambda: _with("01-a/big.png", data=bytes(archive.MAX_FILE_BYTES + 1)), "larger than"),
])
def test_upload_limits(as_user, authoring_app, data, message):
    coordinator = as_user("coordinator")
    response = _upload(coordinator.client, data())
    assert response.status_code == 302
    page = coordinator.client.get(response.location).get_data(as_text=True)
    assert message in page
    assert set(_versions(authoring_app).values()) == {1}


def test_oversized_upload_is_refused(as_user):
    coordinator = as_user("coordinator")
    # A raw body (the test client would spool a multipart one to a temporary file).
    body = b"--x\r\n" + bytes(archive.MAX_ZIP_BYTES + 128 * 1024)
    response = coordinator.client.post(f"/author/{COURSE}/upload", data=body,
                                       content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    # The site-wide limit still holds everywhere else.
    response = coordinator.client.post(f"/author/{COURSE}/", data=body,
                                       content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    small = b"--x\r\n" + bytes(2 * 1024 * 1024)
    assert coordinator.client.post(f"/author/{COURSE}/", data=small,
                                   content_type="multipart/form-data; boundary=x"
                                   ).status_code == 413


@pytest.mark.parametrize("who, status", [("author", 404), ("reviewer", 404), ("learner", 403),
                                         ("outsider", 404)])
def test_only_coordinators_download_and_upload(as_user, who, status):
    client = as_user(who).client
    assert client.get(f"/author/{COURSE}/download").status_code == status
    page = client.get("/courses/").get_data(as_text=True)
    assert client.post(f"/author/{COURSE}/upload", data={"csrf_token": csrf_token(page)}
                       ).status_code == status
