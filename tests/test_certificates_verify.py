"""The public verification page, the learner's certificates page and the dashboard link."""
import re
import threading

from sqlalchemy import select

from academy.certificates.models import Certificate
from academy.extensions import db
from tests.certificate_fixtures import NAME_CYRILLIC, NAME_LATIN


def text(response):
    return response.get_data(as_text=True)


def revoke_and_reissue(app, serial, revoke=False):
    from academy.certificates import services

    with app.app_context():
        current = services.latest_revision(serial)
        if revoke:
            services.revoke(current, "Exam fraud established")
        else:
            services.reissue(current, "cli:test")
        db.session.commit()


def test_verify_page_shows_the_facts_without_login_or_email(client, issued, auth):
    auth.logout()
    response = client.get(f"/verify/{issued.code}")
    html = text(response)
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in html
    assert NAME_LATIN in html and NAME_CYRILLIC in html and issued.serial in html
    assert "Valid" in html and "Course short" in html and "6.5 h" in html
    assert "learner@example.org" not in html and "@" not in re.sub(r"<[^>]+>", "", html)


def test_a_connection_the_server_dropped_is_replaced(client, issued, auth):
    from academy.core import database

    auth.logout()
    assert "Valid" in text(client.get(f"/verify/{issued.code}"))
    kept = database._held[threading.current_thread()][2]
    kept.dbapi_connection.close()  # as a database restart would
    assert "Valid" in text(client.get(f"/verify/{issued.code}"))
    assert database._held[threading.current_thread()][2] is not kept


def test_verify_page_in_russian(client, issued, auth):
    from tests.test_learning import set_language

    auth.logout()
    set_language(client, "ru")
    html = text(client.get(f"/verify/{issued.code}"))
    assert 'lang="ru"' in html and "Действителен" in html and "Курс short" in html
    assert "6,5 ч" in html


def test_revoked_shows_date_and_reason_and_the_status_list_sets_the_bit(app, client, issued, auth):
    auth.logout()
    from academy.certificates.credentials import bit_is_set, decode_bits
    from tests.test_certificates_credentials import verified_payload

    assert "Valid" in text(client.get(f"/verify/{issued.code}"))  # (read on a kept connection)
    revoke_and_reissue(app, issued.serial, revoke=True)
    html = text(client.get(f"/verify/{issued.code}"))
    assert "Revoked" in html and "Exam fraud established" in html and "Valid" not in html
    assert f"revoked on {issued.issued_at:%B} {issued.issued_at.day}" in html
    payload = verified_payload(client, text(client.get("/credentials/status/1")))
    bits = decode_bits(payload["credentialSubject"]["encodedList"])
    assert bit_is_set(bits, issued.id)


def test_superseded_revision_links_to_the_current_one(app, client, issued, auth):
    auth.logout()
    revoke_and_reissue(app, issued.serial)
    with app.app_context():
        current = db.session.scalars(select(Certificate).order_by(Certificate.revision.desc())).first()
        assert (current.serial, current.revision, current.status) == (issued.serial, 2, "valid")
    html = text(client.get(f"/verify/{issued.code}"))
    assert "Superseded" in html and f"/verify/{current.code}" in html
    html = text(client.get(f"/verify/{current.code}"))
    assert "Valid" in html and "revision 2" in html


def test_unknown_and_malformed_codes_get_the_same_plain_not_found(client, issued):
    client.get("/courses/")  # shows (and so clears) the flashed messages of completion
    answers = [client.get(f"/verify/{code}") for code in
               ("A" * 32, issued.code[:-1] + ("B" if issued.code[-1] != "B" else "C"),
                "short", "%27%20OR%201=1--", "x" * 300)]
    assert {a.status_code for a in answers} == {404}
    # Identical but for the language switcher's return address.
    bodies = {re.sub(r'name="next" value="[^"]*"', "", text(a)) for a in answers}
    assert len(bodies) == 1 and "Сертификат с таким кодом проверки не найден" in bodies.pop()
    assert client.get(f"/verify/{'A' * 32}/credential.jwt").status_code == 404


def test_verify_is_rate_limited(migrated_template, tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(migrated_template, tmp_path, RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [client.get(f"/verify/{'A' * 32}").status_code for _ in range(35)]
    assert statuses[:30] == [404] * 30 and statuses[-1] == 429


def test_my_certificates_lists_downloads_and_the_dashboard_links_to_it(client, issued):
    from tests.test_learning import set_language

    set_language(client, "en")
    assert "/certificates/" in text(client.get("/dashboard"))
    html = text(client.get("/certificates/"))
    assert issued.serial in html and "Course short" in html
    for lang in ("en", "ru", "bilingual"):
        assert f"/certificates/{issued.serial}/certificate-{lang}.pdf" in html
    assert f"/verify/{issued.code}/credential.jwt" in html


def test_my_certificates_needs_login_and_shows_only_ones_own(client, issued, auth, make_user):
    auth.logout()
    assert client.get("/certificates/").status_code == 302
    make_user(email="someone@example.org")
    auth.login("someone@example.org")
    html = text(client.get("/certificates/"))
    assert issued.serial not in html and "You have no certificates yet" in html
