"""Static files served from memory before Flask (academy.core.static_files): compressed once,
cached by version, revalidated by ETag, re-read when the file changes, and nothing outside the
static folders."""
import brotli
import pytest

from academy.core.static_files import StaticFiles, accepted_encoding


def _css(client, **headers):
    return client.get("/static/academy.css", headers=headers)


def test_a_stylesheet_comes_compressed_with_its_security_headers(client):
    plain = _css(client)
    packed = _css(client, **{"Accept-Encoding": "gzip, br"})
    assert plain.status_code == packed.status_code == 200
    assert plain.headers["Content-Type"] == "text/css; charset=utf-8"
    assert packed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed.get_data()) == plain.get_data()
    assert int(packed.headers["Content-Length"]) < len(plain.get_data()) / 3
    assert packed.headers["X-Content-Type-Options"] == "nosniff"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert _css(client, **{"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"


def test_the_current_version_is_kept_a_year_and_an_old_one_is_revalidated(client):
    etag = _css(client).headers["ETag"]
    current = client.get(f"/static/academy.css?v={etag.strip(chr(34))}")
    assert "immutable" in current.headers["Cache-Control"]
    assert "max-age=31536000" in current.headers["Cache-Control"]
    assert client.get("/static/academy.css?v=000000000000").headers["Cache-Control"] == "no-cache"
    again = _css(client, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_changed_file_is_read_again(tmp_path):
    (tmp_path / "a.css").write_text("body { color: red }")
    served = StaticFiles(None, {"/static/": str(tmp_path)}, [])
    first = served.find(str(tmp_path), "a.css")
    (tmp_path / "a.css").write_text("body { color: blue; margin: 0 }")
    second = served.find(str(tmp_path), "a.css")
    assert second.bodies["identity"] == b"body { color: blue; margin: 0 }"
    assert second.version != first.version


@pytest.mark.parametrize("path", ["/static/../config.py", "/static/%2e%2e/config.py",
                                  "/static/nothing.css", "/static/"])
def test_nothing_outside_the_folder_and_no_unknown_file(client, path):
    assert client.get(path).status_code == 404


def test_head_and_range_requests(client):
    whole = _css(client).get_data()
    head = client.head("/static/academy.css")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["Content-Length"] == str(len(whole))
    part = client.get("/static/academy.css", headers={"Range": "bytes=0-9"})  # left to Flask
    assert part.status_code == 206 and part.get_data() == whole[:10]
    part.close()


def test_a_blueprint_static_folder_is_served_too(client):
    assert client.get("/glossary/static/glossary.css").status_code == 200


@pytest.mark.parametrize("header, expected", [
    ("br, gzip", "br"), ("gzip", "gzip"), ("gzip;q=1.0, br;q=0", "gzip"), ("*", "br"),
    ("identity", "identity"), ("", "identity"), ("br;q=0.0, gzip;q=0", "identity"),
    ("BR", "br"), ("gzip;q=0.5", "gzip"),
])
def test_accept_encoding(header, expected):
    assert accepted_encoding(header, {"identity": b"", "br": b"", "gzip": b""}) == expected
