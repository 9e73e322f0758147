"""The lean verification page: pasted facts are text, compression is Flask-Compress's, a change
shows at once, and a cookie-less scan in the browser's language (issue #8, performance)."""
import gzip

import brotli
from sqlalchemy import select

from academy.certificates.models import Certificate
from academy.extensions import db
from tests.test_certificates_verify import revoke_and_reissue, text

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin", "Accept-Language": "en"}


def verify(client, code, **headers):
    client._cookies.clear()  # a phone scanning the QR code carries no cookie
    return client.get(f"/verify/{code}", headers=headers)


def test_names_with_markup_and_placeholder_characters_print_literally(app, client, issued):
    tricky = "<b>Ivan</b> & Sons \ue000serial\ue001 {{7*7}}"
    with app.app_context():
        db.session.get(Certificate, issued.id).name_latin = tricky
        db.session.commit()
    html = text(verify(client, issued.code, **SAME_ORIGIN))
    assert "&lt;b&gt;Ivan&lt;/b&gt; &amp; Sons \ue000serial\ue001 {{7*7}}" in html
    assert "<b>Ivan" not in html and html.count(issued.serial) == 1


def test_the_page_is_compressed_as_flask_compress_would_and_kept(client, issued):
    plain = verify(client, issued.code, **SAME_ORIGIN, **{"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and "Valid" in text(plain)
    for _twice in range(2):
        packed = verify(client, issued.code, **SAME_ORIGIN, **{"Accept-Encoding": "br, gzip"})
        assert packed.headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert brotli.decompress(packed.get_data()) == plain.get_data()
    zipped = verify(client, issued.code, **SAME_ORIGIN, **{"Accept-Encoding": "gzip"})
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    other_site = verify(client, issued.code, **{"Sec-Fetch-Site": "cross-site",
                                                "Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in other_site.headers
    assert other_site.get_data() == plain.get_data()
    assert plain.headers["Cache-Control"] == "no-store"


def test_revocation_and_reissue_show_at_once_after_the_page_was_kept(app, client, issued):
    for _twice in range(2):
        assert "Valid" in text(verify(client, issued.code, **SAME_ORIGIN))
    revoke_and_reissue(app, issued.serial)
    with app.app_context():
        current = db.session.scalar(select(Certificate).where(Certificate.revision == 2))
    html = text(verify(client, issued.code, **SAME_ORIGIN))
    assert "Superseded" in html and f"/verify/{current.code}" in html
    assert "revision 2" in text(verify(client, current.code, **SAME_ORIGIN))
    revoke_and_reissue(app, issued.serial, revoke=True)
    html = text(verify(client, current.code, **SAME_ORIGIN))
    assert "Revoked" in html and "Exam fraud established" in html and "Valid" not in html


def test_a_cookie_less_scan_follows_the_browser_language_and_a_session_its_choice(client, issued):
    from tests.test_learning import set_language

    html = text(verify(client, issued.code, **{"Accept-Language": "ru-RU,ru;q=0.9"}))
    assert 'lang="ru"' in html and "Действителен" in html and "6,5 ч" in html
    html = text(verify(client, issued.code, **{"Accept-Language": "de"}))
    assert 'lang="en"' in html and "Valid" in html
    set_language(client, "ru")  # a visitor who chose Russian on the site
    html = text(client.get(f"/verify/{issued.code}", headers={"Accept-Language": "en"}))
    assert 'lang="ru"' in html
