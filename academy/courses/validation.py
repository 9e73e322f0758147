"""The rules of the course format: key schemas, and the checks across files and languages."""
import math
import re
from datetime import date, datetime

from flask_babel import _

from academy.courses.markdown import glossary_key, link_problem, url_kind
from academy.courses.specs import (REVIEW_LEVELS, SLUG_RE, THEMATIC_AREAS, ModuleFile,
                                   Problems)

_HASH_PREFIX = re.compile(r"^[0-9a-f]{12}$")


# -- value rules: each returns None when the value is fine, else what is wrong with it ----------

def _text(limit=None):
    def check(value):
        if not isinstance(value, str) or not value.strip():
            return _("must be a non-empty text")
        if limit and len(value) > limit:
            return _("must be at most %(limit)d characters long", limit=limit)
        return None
    return check


def _whole_number(low, high=None):
    def check(value):
        if (isinstance(value, bool) or not isinstance(value, int) or value < low
                or (high is not None and value > high)):
            if high is None:
                return _("must be a whole number of at least %(low)d", low=low)
            return _("must be a whole number from %(low)d to %(high)d", low=low, high=high)
        return None
    return check


def _positive_number(value):
    if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
            or value <= 0):
        return _("must be a number greater than 0")
    return None


def _iso_date(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return None
    if isinstance(value, str):
        try:
            date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return _("must be a date written as YYYY-MM-DD")


def _boolean(value):
    return None if isinstance(value, bool) else _("must be true or false")


def _choice(*choices):
    def check(value):
        if value in choices:
            return None
        return _("must be one of: %(choices)s", choices=", ".join(choices))
    return check


def _text_list(allow_empty):
    def check(value):
        if not isinstance(value, list):
            return _("must be a list of non-empty texts")
        for index, item in enumerate(value):
            if isinstance(item, dict):
                return _("item %(number)d is not a text: YAML reads 'words: more words' as a key "
                         "and a value, so put the item in quotes", number=index + 1), index
            if not isinstance(item, str) or not item.strip():
                return _("item %(number)d must be a non-empty text", number=index + 1), index
        if not value and not allow_empty:
            return _("must list at least one item")
        return None
    return check


def _slug(value):
    if isinstance(value, str) and SLUG_RE.match(value) and len(value) <= 100:
        return None
    return _("must be lower-case ASCII letters, digits and single hyphens")


def _hash_prefix(value):
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # YAML reads an all-digit hash as a number
    if isinstance(value, str) and _HASH_PREFIX.match(value):
        return None
    return _("must be the first 12 hex digits of the SHA-256 of en.md")


# -- schemas: key -> (required, rule or nested schema) --------------------------------------------

def _bilingual(limit=None):
    return {"en": (True, _text(limit)), "ru": (True, _text(limit))}


COURSE_SCHEMA = {
    "title": (True, _bilingual(300)),
    "summary": (True, _bilingual()),
    "thematic_area": (True, _choice(*THEMATIC_AREAS)),
    "pass_mark": (True, _whole_number(1, 100)),
    "certificate": (True, _choice("auto", "manual")),
    "estimated_hours": (True, _positive_number),
    "valid_as_of": (True, _iso_date),
    "shuffle_options": (False, _boolean),
    "max_attempts": (False, _whole_number(1)),
    "quiz_review": (False, _choice(*REVIEW_LEVELS)),
    "final_assessment": (False, {
        "draw": (True, _whole_number(1)),
        "max_attempts": (False, _whole_number(1)),
        "wait_hours": (False, _whole_number(0, 8760)),
        "requires_all_modules": (False, _boolean),
        "review": (False, _choice(*REVIEW_LEVELS)),
    }),
}
MODULE_SCHEMA = {
    "title": (True, _text(300)),
    "summary": (True, _text()),
    "estimated_minutes": (True, _whole_number(1, 10000)),
    "objectives": (True, _text_list(allow_empty=True)),
    "sources": (True, _text_list(allow_empty=False)),
}
MODULE_SCHEMA_RU = {**MODULE_SCHEMA, "source_hash": (True, _hash_prefix)}
GLOSSARY_TERM_SCHEMA = {
    "key": (True, _slug),
    "en": (True, {"term": (True, _text(300)), "definition": (True, _text())}),
    "ru": (True, {"term": (True, _text(300)), "definition": (True, _text()),
                  "avoid": (False, _text_list(allow_empty=True))}),
}


def check_mapping(data, schema, path, lines, problems: Problems, key_path=(), line=1):
    """Report missing, unknown and ill-typed keys of `data`; True when there is none."""
    line = lines.get(key_path, line)
    if not isinstance(data, dict):
        problems.error(path, line, _("%(key)s must be a mapping of keys to values",
                                     key=_key_name(key_path) or path.name))
        return False
    ok = True
    for key in data:
        if key not in schema:
            problems.error(path, lines.get(key_path + (key,), line), _(
                "unknown key %(key)s (allowed here: %(allowed)s)",
                key=_key_name(key_path + (key,)), allowed=", ".join(schema)))
            ok = False
    for key, (required, rule) in schema.items():
        child = key_path + (key,)
        if data.get(key) is None:
            if required:
                problems.error(path, line, _("missing required key %(key)s",
                                             key=_key_name(child)))
                ok = False
            continue
        if isinstance(rule, dict):
            ok = check_mapping(data[key], rule, path, lines, problems, child, line) and ok
            continue
        problem, value, where = rule(data[key]), data[key], child
        if isinstance(problem, tuple):  # a list item: point at the item itself
            problem, index = problem
            value, where = value[index], child + (index,)
        if problem:
            problems.error(path, lines.get(where, lines.get(child, line)), _(
                "%(key)s %(problem)s (found %(value)s)",
                key=_key_name(child), problem=problem, value=_shown(value)))
            ok = False
    return ok


def _key_name(key_path):
    return ".".join(str(part) for part in key_path if not isinstance(part, int))


def _shown(value):
    text = repr(value) if not isinstance(value, date) else value.isoformat()
    return text if len(text) <= 40 else text[:37] + "..."


# -- checks across files ---------------------------------------------------------------------------

def check_translation(en: ModuleFile, ru: ModuleFile, problems: Problems):
    """The Russian module must ask the same questions, with the same answer key, as the English."""
    expected = en.source_hash[:12]
    found = ru.front.get("source_hash")
    found = str(found) if isinstance(found, int | str) else None
    if found and _HASH_PREFIX.match(found) and found != expected:
        problems.warning(ru.path, ru.key_lines.get(("source_hash",), 1), _(
            "source_hash %(found)s does not match en.md (%(expected)s): the translation may be "
            "out of date", found=found, expected=expected))
    if len(en.questions) != len(ru.questions):
        extra = ru.questions[len(en.questions)] if len(ru.questions) > len(en.questions) else None
        line = extra.line if extra else (ru.questions[-1].line if ru.questions else ru.body_line)
        problems.error(ru.path, line, _(
            "ru.md has %(ru)d questions but en.md has %(en)d: both languages must ask the same "
            "questions in the same order", ru=len(ru.questions), en=len(en.questions)))
        return
    for number, (en_q, ru_q) in enumerate(zip(en.questions, ru.questions), start=1):
        if len(en_q.options) != len(ru_q.options):
            problems.error(ru.path, ru_q.line, _(
                "question %(number)d has %(ru)d options in ru.md but %(en)d in en.md (line "
                "%(line)d)", number=number, ru=len(ru_q.options), en=len(en_q.options),
                line=en_q.line))
        elif en_q.answer_key != ru_q.answer_key:
            problems.error(ru.path, ru_q.line, _(
                "question %(number)d: ru.md marks option(s) %(ru)s correct but en.md marks "
                "%(en)s (line %(line)d): the answer key must be the same",
                number=number, ru=_positions(ru_q), en=_positions(en_q), line=en_q.line))
        elif (en_q.kind == "truefalse") != (ru_q.kind == "truefalse"):
            problems.error(ru.path, ru_q.line, _(
                "question %(number)d is true/false in one language only: write True/False in "
                "en.md and Верно/Неверно in ru.md", number=number))
        if en_q.scenario != ru_q.scenario:
            problems.warning(ru.path, ru_q.line, _(
                "question %(number)d is a scenario question in one language only",
                number=number))


def _positions(question):
    return ", ".join(str(index) for index, correct in enumerate(question.answer_key, 1) if correct)


def check_links(module_file: ModuleFile, glossary_keys, problems: Problems):
    """Forbidden schemes and unknown glossary keys of one module file (images: images.py)."""
    for line, url, image in module_file.links:
        problem = link_problem(url, image)
        if problem:
            problems.error(module_file.path, line, problem)
        elif url_kind(url) == "glossary":
            key = glossary_key(url)
            if glossary_keys is None:
                problems.warning(module_file.path, line, _(
                    "cannot check the glossary link %(key)s: no glossary.yml next to the course",
                    key=key))
            elif key not in glossary_keys:
                problems.error(module_file.path, line, _(
                    "glossary link to the unknown key %(key)s (not in glossary.yml)", key=key))


def check_glossary_usage(ru: ModuleFile, glossary, problems: Problems):
    """Warn where a Russian module uses a translation the glossary says to avoid."""
    avoided = [(phrase.casefold(), phrase, entry) for entry in glossary or ()
               for phrase in entry.avoid_ru]
    if not avoided:
        return
    for number, text in enumerate(ru.source.split("\n"), start=1):
        if number < ru.body_line:
            continue
        folded = text.casefold()
        for needle, phrase, entry in avoided:
            if needle in folded:
                problems.warning(ru.path, number, _(
                    "«%(phrase)s» is a translation the glossary avoids: use «%(term)s» "
                    "(glossary key %(key)s)", phrase=phrase, term=entry.term_ru, key=entry.key))
