"""Reading library files safely: size limits, strict UTF-8, YAML through the safe loader only."""
import hashlib
import re
import stat

import yaml
from flask_babel import _

from academy.courses.specs import Problems

# Generous limits for the YAML files, so that a stray huge file is refused, not parsed.
MAX_COURSE_YML_BYTES = 64 * 1024
MAX_GLOSSARY_BYTES = 1024 * 1024
_TAG_RE = re.compile(r"'(tag:yaml\.org,2002:)?([^']+)'")
# libyaml's safe loader when PyYAML was built with it (several times faster); both are safe.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data` as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def read_source(path, problems: Problems, limit: int):
    """The bytes and text (UTF-8, LF line ends) of `path`, or None after recording why not."""
    if path.is_symlink():
        problems.error(path, 1, _("symbolic links are not allowed in the course library"))
        return None
    status = path.stat()
    # A directory or a FIFO in a file's place would crash the import or hang the reader.
    if not stat.S_ISREG(status.st_mode):
        problems.error(path, 1, _("not a regular file: the course library holds plain files "
                                  "only"))
        return None
    size = status.st_size
    if size > limit:
        problems.error(path, 1, _("the file is %(size)d KB; the limit is %(limit)d KB",
                                  size=-(-size // 1024), limit=limit // 1024))
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.error(path, 1, _("cannot read the file: %(reason)s", reason=exc.strerror or exc))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.error(path, line, _("invalid UTF-8 at byte offset %(offset)d (the file must be "
                                     "saved as UTF-8)", offset=exc.start))
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return data, text


def load_yaml(text, path, problems: Problems, first_line=1):
    """Plain data from YAML `text` and the line of every key, or (None, None) after an error.

    Only the safe loader is used: tags that would construct Python objects are refused, never
    executed. Anchors and aliases are refused too (they are not needed, and they enable
    "billion laughs" documents).
    """
    loader = SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines, duplicates = {}, []
        if not _index_lines(node, (), lines, set(), first_line, duplicates):
            problems.error(path, first_line, _("YAML anchors and aliases are not allowed"))
            return None, None
        # PyYAML keeps the last of two equal keys without a word: a silent typo trap.
        for line, key, other in duplicates:
            problems.error(path, line, _("the key %(key)s appears twice (also on line %(other)d)",
                                         key=key, other=other))
        if duplicates:
            return None, None
        return loader.construct_document(node), lines
    except yaml.constructor.ConstructorError as exc:
        line = _mark_line(exc, first_line)
        match = _TAG_RE.search(exc.problem or "")
        if match and "constructor for the tag" in (exc.problem or ""):
            tag = ("!!" if match.group(1) else "") + match.group(2)
            problems.error(path, line, _("YAML tag %(tag)s is not allowed: course files hold "
                                         "plain data only", tag=tag))
        else:
            problems.error(path, line, _("YAML error: %(problem)s", problem=exc.problem or exc))
    except yaml.YAMLError as exc:
        problems.error(path, _mark_line(exc, first_line),
                       _("YAML syntax error: %(problem)s",
                         problem=getattr(exc, "problem", None) or exc))
    except RecursionError:
        problems.error(path, first_line, _("YAML is nested too deeply"))
    finally:
        loader.dispose()
    return None, None


def _mark_line(exc, first_line):
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None and hasattr(exc, "position"):  # a ReaderError (control character)
        return first_line
    return first_line + (mark.line if mark else 0)


def _index_lines(node, key_path, lines, seen, first_line, duplicates):
    """Record the line of each mapping key and sequence item, and every repeated key;
    False when a node repeats (an alias)."""
    if id(node) in seen:
        return False
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = key_path + (key_node.value if isinstance(key_node, yaml.ScalarNode)
                                else id(key_node),)
            line = first_line + key_node.start_mark.line
            if child in lines:
                duplicates.append((line, child[-1], lines[child]))
            lines[child] = line
            if not _index_lines(value_node, child, lines, seen, first_line, duplicates):
                return False
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[key_path + (index,)] = first_line + item.start_mark.line
            if not _index_lines(item, key_path + (index,), lines, seen, first_line,
                                duplicates):
                return False
    return True


def split_front_matter(text, path, problems: Problems):
    """(front matter text, its first line, body text, the body's first line) or None."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        problems.error(path, 1, _("the file must start with YAML front matter between "
                                  "'---' lines"))
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), 2, "\n".join(lines[index + 1:]), index + 2
    problems.error(path, 1, _("the front matter is not closed with a '---' line"))
    return None
