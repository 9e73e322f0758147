"""Module images in `academy courses check` and in rendering: every bad image gets its own
message at the line that shows it; imported images get stable versioned URLs."""
import pytest

from academy.courses.markdown import ImageSource, render_inline, render_markdown, sanitize_html
from academy.courses.parser import parse_library
from tests.images import jpeg, png, webp
from tests.test_course_check import (course, edit, errors, library, line_of,  # noqa: F401
                                     only_error, problems)

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


@pytest.fixture
def module(course):
    """The English file of the first module, which shows access-tiers.png."""
    return course / "01-first-steps" / "en.md"


def show(module, markdown):
    """Add `markdown` to the module's text; return its line."""
    edit(module, "## Non-refoulement", markdown + "\n\n## Non-refoulement")
    return line_of(module, markdown.split("\n")[0])


def shown_in_both(module, message):
    """The error, reported where en.md and where ru.md show access-tiers.png."""
    russian = module.parent / "ru.md"
    return [f"{module}:{line_of(module, '(access-tiers.png)')}: error: {message}",
            f"{russian}:{line_of(russian, '(access-tiers.png)')}: error: {message}"]


def test_sample_image_is_checked_and_kept_for_the_importer(course):
    library, found = parse_library(course)
    assert [p for p in found if p.severity == "error"] == []
    images = library.courses[0].modules[0].images
    assert list(images) == ["access-tiers.png"]
    image = images["access-tiers.png"]
    assert (image.media_type, image.width, image.height) == ("image/png", 320, 200)
    assert image.data == (course / "01-first-steps" / "access-tiers.png").read_bytes()


def test_jpeg_and_webp_are_allowed(course, module):
    (module.parent / "photo.jpg").write_bytes(jpeg(640, 480))
    (module.parent / "chart.webp").write_bytes(webp(300, 200))
    show(module, "![A photo](photo.jpg) ![A chart](chart.webp)")
    library, found = parse_library(course)
    assert [p for p in found if p.severity == "error"] == []
    images = library.courses[0].modules[0].images
    assert {name: (i.media_type, i.width, i.height) for name, i in images.items()} == {
        "access-tiers.png": ("image/png", 320, 200), "photo.jpg": ("image/jpeg", 640, 480),
        "chart.webp": ("image/webp", 300, 200)}


def test_svg_is_refused(course, module):
    (module.parent / "map.svg").write_text(SVG.decode(), encoding="utf-8")
    line = show(module, "![Map of the crossing point](map.svg)")
    only_error(course, f"{module}:{line}: error: image 'map.svg' is SVG, which is not allowed "
                       "because an SVG file can carry scripts: save it as PNG, JPEG or WebP")


def test_svg_under_a_png_name_is_refused(course, module):
    (module.parent / "access-tiers.png").write_bytes(SVG)
    assert errors(course) == shown_in_both(
        module, "image 'access-tiers.png' is SVG, which is not allowed because an SVG file can "
                "carry scripts: save it as PNG, JPEG or WebP")


def test_bytes_of_another_type_than_the_extension(course, module):
    (module.parent / "access-tiers.png").write_bytes(jpeg())
    assert errors(course) == shown_in_both(
        module, "image 'access-tiers.png' holds JPEG data but its extension says PNG: save it "
                "again as PNG or correct the extension")


@pytest.mark.parametrize("data", [b"GIF89a\x01\x00\x01\x00", b"\x89PNG\r\n", b"not an image",
                                  b""], ids=["gif", "truncated png", "text", "empty"])
def test_bytes_that_are_no_valid_image(course, module, data):
    (module.parent / "access-tiers.png").write_bytes(data)
    assert errors(course) == shown_in_both(
        module, "image 'access-tiers.png' is not a valid PNG file: its content does not match "
                "its extension")


def test_image_over_the_size_limit(course, module):
    data = png(320, 200)
    (module.parent / "access-tiers.png").write_bytes(data + bytes(1024 * 1024 + 1 - len(data)))
    assert errors(course) == shown_in_both(
        module, "image 'access-tiers.png' is 1025 KB; the limit for an image is 1024 KB: resize "
                "or compress it")


def test_image_of_exactly_the_limit_is_allowed(course, module):
    data = png(320, 200)
    (module.parent / "access-tiers.png").write_bytes(data + bytes(1024 * 1024 - len(data)))
    assert errors(course) == []


def test_unsupported_image_type(course, module):
    (module.parent / "map.gif").write_bytes(b"GIF89a\x01\x00\x01\x00")
    line = show(module, "![Map of the crossing point](map.gif)")
    only_error(course, f"{module}:{line}: error: image 'map.gif': only PNG, JPEG and WebP images "
                       "are allowed (.png, .jpg, .jpeg or .webp)")


@pytest.mark.parametrize("markdown, name", [
    ("![Map](Map.png)", "Map.png"), ("![Map](<crossing point.png>)", "crossing point.png"),
    ("![Map](map_1.png)", "map_1.png"), ("![Map](img/map.png)", "img/map.png"),
    ("![Map](../02-reading-only/map.png)", "../02-reading-only/map.png"),
    ("![Map](map--old.png)", "map--old.png"), ("![Map](map.PNG)", "map.PNG"),
    ("![Map](карта.png)", "карта.png"),
])
def test_unsafe_image_names(course, module, markdown, name):
    for folder in (module.parent, module.parent / "img", course / "02-reading-only"):
        folder.mkdir(exist_ok=True)
        (folder / name.rsplit("/", 1)[-1]).write_bytes(png())
    line = show(module, markdown)
    only_error(course, f"{module}:{line}: error: image name {name!r} is not safe: name the file, "
                       "directly in the module's folder, with lower-case ASCII letters, digits "
                       "and single hyphens plus .png, .jpg, .jpeg or .webp (like "
                       "crossing-point.png)")


def test_image_without_alt_text(course, module):
    (module.parent / "map.png").write_bytes(png())
    line = show(module, "See ![](map.png) and ![ ](map.png).")
    message = (f"{module}:{line}: error: image 'map.png' has no alt text: describe it between the "
               "brackets, like ![Map of the crossing point](crossing.png), for readers who cannot "
               "see it")
    assert errors(course) == [message, message]


def test_image_in_a_question_is_checked_too(course, module):
    edit(module, "sets out the principle of non-refoulement?",
         "sets out the principle of non-refoulement?\n\n![Treaty](treaty.svg)")
    assert errors(course) == [
        f"{module}:{line_of(module, 'treaty.svg')}: error: image 'treaty.svg' is SVG, which is "
        "not allowed because an SVG file can carry scripts: save it as PNG, JPEG or WebP"]


def test_a_bad_image_does_not_hide_a_different_answer_key(course, module):
    russian = module.parent / "ru.md"
    (module.parent / "access-tiers.png").write_bytes(jpeg())
    edit(russian, "- [x] Статья 33(1)\n- [ ] Статья 31(1)", "- [ ] Статья 33(1)\n- [x] Статья 31(1)")
    found = errors(course)
    assert len(found) == 3 and "the answer key must be the same" in found[2], found


def test_symbolic_link_image(course, module, tmp_path):
    (tmp_path / "outside.png").write_bytes(png())
    (module.parent / "linked.png").symlink_to(tmp_path / "outside.png")
    line = show(module, "![Linked](linked.png)")
    only_error(course, f"{module}:{line}: error: symbolic links are not allowed in the course "
                       "library")


def test_an_image_no_file_shows_is_a_warning(course, module):
    (module.parent / "unused.png").write_bytes(png())
    (module.parent / "old.svg").write_bytes(SVG)
    assert [text for text in problems(course) if "image not shown" in text] == [
        f"{module.parent / 'old.svg'}:1: warning: image not shown in en.md or ru.md: it is not "
        "imported",
        f"{module.parent / 'unused.png'}:1: warning: image not shown in en.md or ru.md: it is not "
        "imported"]
    assert errors(course) == []


# -- rendering -------------------------------------------------------------------------------------

MAP = ImageSource("/courses/c/m/media/v3/map.png", 320, 200)


def test_relative_images_get_their_versioned_url_size_and_lazy_loading():
    html = render_markdown('![Map](map.png "The map") ![Map again](./map.png?x=1#top)',
                           {"map.png": MAP})
    assert html == (
        '<p><img src="/courses/c/m/media/v3/map.png" alt="Map" title="The map" width="320" '
        'height="200" loading="lazy"> <img src="/courses/c/m/media/v3/map.png" alt="Map again" '
        'width="320" height="200" loading="lazy"></p>\n')
    assert render_inline("![Map](map.png)", {"map.png": MAP}) == (
        '<img src="/courses/c/m/media/v3/map.png" alt="Map" width="320" height="200" '
        'loading="lazy">')


def test_remote_images_and_unknown_relative_ones_lose_their_source():
    html = render_markdown("![Remote](https://example.org/r.png) ![Gone](gone.png)",
                           {"map.png": MAP})
    assert '<img src="" alt="Remote" loading="lazy">' in html
    assert '<img src="" alt="Gone" loading="lazy">' in html


@pytest.mark.parametrize("markdown", [
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<svg onload="alert(1)"></svg>', "![x](javascript:alert(1))",
])
def test_no_svg_or_script_reaches_the_html(markdown):
    html = render_markdown(markdown, {"map.png": MAP})
    assert "<svg" not in html and "<img" not in html  # shown as text, never as markup


def test_the_sanitiser_keeps_only_numeric_sizes():
    assert sanitize_html('<img src="a.png" alt="a" width="10px" height="20" '
                         'loading="eager" onerror="x">') == \
        '<img src="a.png" alt="a" loading="lazy" height="20">'
