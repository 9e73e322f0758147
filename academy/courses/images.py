"""Module images (DESIGN §3): safe names, PNG/JPEG/WebP judged by content, a size limit.

An image is a file next to en.md/ru.md, shown with `![alt text](name.png)`. The checker reads
every image the module shows once, reports each problem at the line that shows it, and keeps the
good ones on the ModuleSpec for the importer.
"""
import re
import struct
from pathlib import Path

from flask_babel import _

from academy.courses.markdown import link_problem, relative_image_name, url_kind
from academy.courses.sourcefiles import sha256_hex
from academy.courses.specs import MAX_SLUG_LENGTH, ImageFile, ModuleSpec, Problems

MAX_IMAGE_BYTES = 1024 * 1024
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".webp": "image/webp"}
# What an author may take for an image: checked when shown, reported as unused when not.
IMAGE_SUFFIXES = frozenset({*MEDIA_TYPES, ".svg", ".gif", ".bmp", ".tif", ".tiff", ".avif"})
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.(png|jpg|jpeg|webp)$")
_TYPE_NAMES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP"}
_JPEG_SIZE_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # SOF0…SOF15


def media_url(course_slug: str, module_slug: str, version_number: int, name: str) -> str:
    """The stable URL of a module version's image (served by academy/learning/media.py).

    The version number is part of it, so the response can be cached for ever: a changed image is
    a new module version with a new URL.
    """
    return f"/courses/{course_slug}/{module_slug}/media/v{version_number}/{name}"


def check_images(module: ModuleSpec, problems: Problems) -> set[str]:
    """Check the images the module's files show, keep the good ones in `module.images`, and
    return the file names shown (good or not)."""
    loaded, shown = {}, set()
    for module_file in module.files.values():
        for line, url, image in module_file.links:
            if not image or url_kind(url) != "relative" or link_problem(url, image):
                continue
            name = relative_image_name(url)
            shown.add(name)
            if name not in loaded:
                loaded[name] = load_image(module.path, name, url)
            result = loaded[name]
            if isinstance(result, ImageFile):
                module.images[name] = result
            else:
                problems.error(module_file.path, line, result)
    return shown


def load_image(folder: Path, name: str, url: str) -> ImageFile | str:
    """The image `name` of a module folder, or what is wrong with it (a message)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".svg":
        return _svg_problem(name)
    if suffix not in MEDIA_TYPES:
        return _("image %(name)s: only PNG, JPEG and WebP images are allowed (.png, .jpg, .jpeg "
                 "or .webp)", name=repr(name))
    if not _NAME.match(name) or len(Path(name).stem) > MAX_SLUG_LENGTH:
        return _("image name %(name)s is not safe: name the file, directly in the module's "
                 "folder, with lower-case ASCII letters, digits and single hyphens plus .png, "
                 ".jpg, .jpeg or .webp (like crossing-point.png)", name=repr(name))
    path = folder / name
    if path.is_symlink():
        return _("symbolic links are not allowed in the course library")
    if not path.is_file():
        return _("image %(url)s not found: put the image file in the module's folder", url=url)
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return _("image %(name)s is %(size)d KB; the limit for an image is %(limit)d KB: resize "
                 "or compress it", name=repr(name), size=-(-size // 1024),
                 limit=MAX_IMAGE_BYTES // 1024)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _("cannot read the file: %(reason)s", reason=exc.strerror or exc)
    expected = MEDIA_TYPES[suffix]
    found, dimensions = sniff_image(data)
    if found == "image/svg+xml":
        return _svg_problem(name)
    if found in _TYPE_NAMES and found != expected:
        return _("image %(name)s holds %(found)s data but its extension says %(expected)s: save "
                 "it again as %(expected)s or correct the extension", name=repr(name),
                 found=_TYPE_NAMES[found], expected=_TYPE_NAMES[expected])
    if found != expected or dimensions is None:
        return _("image %(name)s is not a valid %(expected)s file: its content does not match its "
                 "extension", name=repr(name), expected=_TYPE_NAMES[expected])
    return ImageFile(name=name, media_type=expected, data=data, sha256=sha256_hex(data),
                     width=dimensions[0], height=dimensions[1])


def _svg_problem(name):
    return _("image %(name)s is SVG, which is not allowed because an SVG file can carry "
             "scripts: save it as PNG, JPEG or WebP", name=repr(name))


def sniff_image(data: bytes) -> tuple[str | None, tuple[int, int] | None]:
    """The media type of `data` judged by its first bytes, and its (width, height) in pixels
    when the header is complete; (None, None) for anything but PNG, JPEG, WebP or SVG."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", _png_size(data)
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", _webp_size(data)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" and b"<svg" in data[:4096].lower():
        return "image/svg+xml", None
    return None, None


def _png_size(data):
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return _positive(*struct.unpack(">II", data[16:24]))


def _jpeg_size(data):
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        if marker in _JPEG_SIZE_MARKERS:
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return _positive(width, height)
        if marker == 0xDA or length < 2:  # image data before any frame header: broken
            return None
        position += 2 + length
    return None


def _webp_size(data):
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return _positive(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def _positive(width, height):
    return (width, height) if width > 0 and height > 0 else None
