"""A course as a zip: download the files, upload changed files (checked, all or nothing).

The upload is read with limits before anything is written: archive size, number of files,
size of each file and of them all, the compression ratio (zip bombs), and safe names only (no
absolute paths, no '..', no symbolic links). Then the folder is checked like `academy courses
check` and imported like `academy courses import`: a new version only for modules that changed.
"""
import io
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from flask_babel import lazy_gettext as _l

from academy.core.audit import record_event
from academy.courses.export import course_files, glossary_yaml
from academy.courses.parser import parse_library
from academy.courses.services import import_parsed
from academy.courses.specs import Problem

MAX_ZIP_BYTES = 8 * 1024 * 1024
MAX_FILES = 400
MAX_FILE_BYTES = 1024 * 1024
MAX_TOTAL_BYTES = 32 * 1024 * 1024
MAX_RATIO = 100  # uncompressed : compressed, per file


class ArchiveError(ValueError):
    """The archive was refused before checking its content; str(error) says why."""


def course_zip(course) -> bytes:
    """The course's files in the library layout under <slug>/, as a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, content in sorted(course_files(course).items()):
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            archive.writestr(f"{course.slug}/{relative}", data)
    return buffer.getvalue()


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if (not name or "\\" in name or name.startswith("/") or ":" in path.parts[0]
            or any(part in ("..", ".") or not part for part in path.parts)):
        raise ArchiveError(_l("Refused: %(name)s is not a safe path inside the archive.",
                              name=name[:200]))
    return path


def read_archive(data: bytes, slug: str) -> dict[str, bytes]:
    """The files of an uploaded course zip by path inside the course; raises ArchiveError."""
    if len(data) > MAX_ZIP_BYTES:
        raise ArchiveError(_l("Refused: the archive is larger than %(limit)d MB.",
                              limit=MAX_ZIP_BYTES // 2**20))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ArchiveError(_l("Refused: the file is not a zip archive.")) from None
    files = [entry for entry in entries if not entry.is_dir()]
    if len(files) > MAX_FILES:
        raise ArchiveError(_l("Refused: the archive holds more than %(limit)d files.",
                              limit=MAX_FILES))
    total = 0
    for entry in files:
        _safe_name(entry.filename)
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise ArchiveError(_l("Refused: %(name)s is a symbolic link.",
                                  name=entry.filename[:200]))
        if entry.file_size > MAX_FILE_BYTES:
            raise ArchiveError(_l("Refused: %(name)s is larger than %(limit)d KB.",
                                  name=entry.filename[:200], limit=MAX_FILE_BYTES // 1024))
        if entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise ArchiveError(_l("Refused: %(name)s is compressed suspiciously well (a zip "
                                  "bomb?).", name=entry.filename[:200]))
        total += entry.file_size
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError(_l("Refused: the files add up to more than %(limit)d MB.",
                              limit=MAX_TOTAL_BYTES // 2**20))
    names = [PurePosixPath(entry.filename) for entry in files]
    # Either <slug>/course.yml … or course.yml … at the top of the archive.
    prefix = 1 if names and all(name.parts[0] == slug and len(name.parts) > 1
                                for name in names) else 0
    result = {}
    for entry, name in zip(files, names):
        relative = "/".join(name.parts[prefix:])
        with archive.open(entry) as stream:
            content = stream.read(MAX_FILE_BYTES + 1)  # the header's size may lie
        if len(content) > MAX_FILE_BYTES:
            raise ArchiveError(_l("Refused: %(name)s is larger than %(limit)d KB.",
                                  name=entry.filename[:200], limit=MAX_FILE_BYTES // 1024))
        result[relative] = content
    if "course.yml" not in result:
        raise ArchiveError(_l("Refused: no course.yml at the top of the archive or in a folder "
                              "named %(slug)s.", slug=slug))
    return result


def upload_course(course, data: bytes):
    """Check the uploaded course and import it all or nothing: (summary or None, problems)."""
    files = read_archive(data, course.slug)
    with tempfile.TemporaryDirectory(prefix="academy-upload-") as tmp:
        root = Path(tmp)
        target = root / course.slug
        for relative, content in files.items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        (root / "glossary.yml").write_text(glossary_yaml(), encoding="utf-8", newline="\n")
        library, problems = parse_library(target)
        shown = [Problem(str(Path(p.path).relative_to(root)) if Path(p.path).is_relative_to(root)
                         else Path(p.path).name, p.line, p.message, p.severity)
                 for p in problems]
        if any(problem.severity == "error" for problem in problems):
            return None, shown
        summary = import_parsed(library, problems)
    record_event("authoring.upload", target=course.slug, summary=summary.report_lines())
    return summary, shown
