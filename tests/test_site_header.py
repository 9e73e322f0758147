"""The site header is rendered once per language, role and section and filled in per request
(academy.core.chrome): each request still gets its own name, e-mail, CSRF token, return path,
search query and current section, escaped, and nothing of one user reaches another."""
import re

from tests.conftest import AuthActions, csrf_token


def _header(response):
    return re.search(r'<header class="site">.*?</header>', response.get_data(as_text=True),
                     re.S).group(0)


def test_each_user_sees_their_own_name_and_token(app, make_user):
    make_user("ana@example.org", name_latin="Ana <b>Beridze</b>")
    make_user("slot@example.org", name_latin="@@email@@", role="coordinator")
    first, second = app.test_client(), app.test_client()
    AuthActions(first).login("ana@example.org")
    AuthActions(second).login("slot@example.org")
    ana, other = _header(first.get("/courses/")), _header(second.get("/courses/"))

    assert "Ana &lt;b&gt;Beridze&lt;/b&gt;" in ana and "ana@example.org" in ana
    assert "@@" not in ana and "Reports" not in ana
    # A value that looks like a slot is shown as typed, never filled in.
    assert '<span class="user-name">@@email@@</span>' in other
    assert "slot@example.org" in other and "Reports" in other
    assert "Ana" not in other and "ana@" not in other
    assert csrf_token(ana) != csrf_token(other)
    # The header's token is the session's: signing out with it works.
    assert first.post("/auth/logout", data={"csrf_token": csrf_token(ana)}).status_code == 302
    assert "ana@example.org" not in _header(first.get("/courses/"))


def test_the_section_return_path_and_query_belong_to_the_request(client):
    glossary = _header(client.get("/glossary"))
    assert '<a href="/glossary" aria-current="page">' in glossary
    assert 'aria-current="page"' not in _header(client.get("/search?q=x"))
    search = _header(client.get('/search?q="><script>x</script>'))
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in search
    assert 'name="next" value="/search?q=&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in search
    assert 'name="next" value="/courses/"' in _header(client.get("/courses/"))


def test_the_header_speaks_the_page_language(client):
    english = _header(client.get("/courses/"))
    client.post("/language", data={"lang": "ru", "csrf_token": csrf_token(english)})
    russian = _header(client.get("/courses/"))
    assert "Glossary" in english and "Глоссарий" not in english
    assert "Глоссарий" in russian and "Glossary" not in russian
