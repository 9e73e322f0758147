"""The certificate PDF, read back as a person's tools would: pdftotext, pdftoppm, zbarimg."""
import re
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest

from academy.certificates.attachment import extract_credential
from academy.certificates.models import Certificate
from tests.certificate_fixtures import NAME_CYRILLIC, NAME_LATIN

TOOLS = ("pdftotext", "pdftoppm", "zbarimg")
A4_LANDSCAPE = (841.89, 595.28)


@pytest.fixture(autouse=True)
def _tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        import os
        if os.environ.get("CI"):
            pytest.fail(f"missing {missing} (apt-get install poppler-utils zbar-tools)")
        pytest.skip(f"missing {missing}")


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def qr_codes(path, tmp_path):
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(png)], check=True)
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(png) + ".png"],
                            capture_output=True, text=True)
    return result.stdout.split()


def word_boxes(path):
    """(text, xMin, yMin, xMax, yMax) of every word, from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    boxes = [(w[4], *map(float, w[:4])) for w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html)]
    return (float(page.group(1)), float(page.group(2))), boxes


def download(client, serial, lang, tmp_path):
    response = client.get(f"/certificates/{serial}/certificate-{lang}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / f"{serial}-{lang}.pdf"
    path.write_bytes(response.data)
    return path


@pytest.mark.parametrize("lang", ["en", "ru", "bilingual"])
def test_downloaded_pdf_says_who_what_when_and_its_qr_leads_to_the_verify_page(
        app, client, issued, tmp_path, lang):
    path = download(client, issued.serial, lang, tmp_path)
    text = " ".join(pdf_text(path).split())
    size, _boxes = word_boxes(path)
    assert size == pytest.approx(A4_LANDSCAPE, abs=1)
    assert issued.serial in text and f"/verify/{issued.code}" in text
    day = issued.completed_on.day
    if lang in ("en", "bilingual"):
        assert NAME_LATIN in text and "Course short" in text and "CERTIFICATE" in text
        assert re.search(rf"date of completion: {day} \w+ {issued.completed_on.year}", text)
    if lang in ("ru", "bilingual"):
        assert NAME_CYRILLIC in text and "Курс short" in text and "СЕРТИФИКАТ" in text
        assert re.search(rf"дата окончания: {day} [а-я]+ {issued.completed_on.year}", text)
    if lang == "en":
        assert NAME_CYRILLIC not in text and "СЕРТИФИКАТ" not in text
    if lang == "ru":
        assert NAME_LATIN not in text and "CERTIFICATE" not in text
    assert qr_codes(path, tmp_path) == [f"http://127.0.0.1:5000/verify/{issued.code}"]
    assert extract_credential(path.read_bytes()) == issued.credential_jwt


def test_another_learners_certificate_and_bad_languages_are_404(app, client, issued, auth, make_user):
    assert client.get(f"/certificates/{issued.serial}/certificate-de.pdf").status_code == 404
    assert client.get("/certificates/PPTA-2026-999999/certificate-en.pdf").status_code == 404
    auth.logout()
    make_user(email="someone@example.org")
    auth.login("someone@example.org")
    assert client.get(f"/certificates/{issued.serial}/certificate-en.pdf").status_code == 404


def certificate(name_latin, name_cyrillic, title_en, title_ru):
    return Certificate(serial="PPTA-2026-000042", revision=2, code="A" * 32,
                       name_latin=name_latin, name_cyrillic=name_cyrillic, course_slug="c",
                       course_title_en=title_en, course_title_ru=title_ru, hours=12,
                       completed_on=date(2026, 3, 9), content_version=4,
                       issued_at=datetime(2026, 3, 10, tzinfo=UTC), issuer="automatic",
                       status="valid")


def test_markup_in_names_prints_literally_and_long_texts_stay_on_the_page(app, tmp_path):
    from academy.certificates.pdf import render_certificate

    markup = "<b>Ivan</b> & Sons <font size=90> {{7*7}}"
    long_name = "Konstantin-Maximilian " * 3 + "Vandersteen-Oppenheimer-Wolfe"  # 95 characters
    long_title = ("Integrated border management, asylum procedures and the principle of "
                  "non-refoulement in the practice of the Prague Process states ") * 2
    long_title = long_title[:200]
    cases = {"markup": certificate(markup, "<i>Иван</i> & сыновья", "T", "Т"),
             "long": certificate(long_name, "Константин-Максимилиан " * 3, long_title, long_title)}
    for key, cert in cases.items():
        with app.app_context():
            data = render_certificate(cert, "bilingual")
        path = tmp_path / f"{key}.pdf"
        path.write_bytes(data)
        text = " ".join(pdf_text(path).split())
        (width, height), boxes = word_boxes(path)
        for word, x0, y0, x1, y1 in boxes:
            assert 36 <= x0 and x1 <= width - 36 and 36 <= y0 and y1 <= height - 36, word
        if key == "markup":
            assert markup in text and "<i>Иван</i> & сыновья" in text and "49" not in text
        else:
            assert " ".join(long_name.split()) in text
            assert "the Prague Process states" in text and long_title.split()[-1] in text
            assert "revision 2" in text


@pytest.mark.parametrize("field", ["name_latin", "name_cyrillic"])
def test_profile_refuses_a_name_with_stacked_combining_marks(app, make_user, client, auth, field):
    from tests.test_auth_helpers import field_errors
    from tests.test_auth_profile import _save, _stored

    make_user(name_latin="Old Name")
    auth.login()
    base = "Ivan" if field == "name_latin" else "Иван"
    page = _save(client, **{field: base[0] + "\u0301" * 50 + base[1:]}).get_data(as_text=True)
    assert any("Too many accent marks on one letter" in e for e in field_errors(page, field))
    assert _stored(app).name_latin == "Old Name"
    _save(client, **{field: base[0] + "\u0301\u0308" + base[1:]})  # two marks are a real name
    import unicodedata

    assert getattr(_stored(app), field) == unicodedata.normalize("NFC", base[0] + "\u0301\u0308"
                                                                 + base[1:])


def test_a_revoked_certificate_is_no_longer_downloadable(app, client, issued):
    from tests.test_certificates_verify import revoke_and_reissue

    revoke_and_reissue(app, issued.serial, revoke=True)
    assert client.get(f"/certificates/{issued.serial}/certificate-en.pdf").status_code == 404
