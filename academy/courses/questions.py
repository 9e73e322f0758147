"""Reading a module's Markdown: its `::: question` containers, its links and its teaching text."""
import re
from dataclasses import dataclass, field

from flask_babel import _

from academy.courses.markdown import build_parser
from academy.courses.specs import Problems, QuestionSpec

_PARSER = build_parser(validate_links=False)
_CHECKBOX = re.compile(r"^\[([ xX])\][ \t]+(\S.*)$", re.DOTALL)
_FENCE_LINE = re.compile(r"^ {0,3}:{3,}\s*$")
_QUOTE_MARKER = re.compile(r"^ {0,3}> ?")
_RAW_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>|<!--")
TRUE_FALSE = {"en": ("true", "false"), "ru": ("верно", "неверно")}


@dataclass
class ParsedBody:
    """What the checker needs from a module body."""

    text: str  # the teaching text: the body without its question containers
    questions: list[QuestionSpec] = field(default_factory=list)
    links: list[tuple[int, str, bool]] = field(default_factory=list)  # (line, url, is_image)


def parse_body(body, body_line, path, lang, problems: Problems) -> ParsedBody:
    """Split a module body into teaching text and questions, recording every problem found."""
    lines = body.split("\n")
    tokens = _PARSER.parse(body)
    parsed = ParsedBody(text="")
    _collect_inline(tokens, lines, body_line, path, problems, parsed)
    removed = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type != "container_question_open":
            index += 1
            continue
        close = _matching_close(tokens, index)
        start, end = token.map
        line = body_line + start
        closed = end < len(lines) and _FENCE_LINE.match(lines[end])
        inner = tokens[index + 1:close]
        if token.level > 0:
            problems.error(path, line, _("a question must not be inside a list or a quote; start "
                                         "'::: question' at the beginning of a line"))
        elif any(t.type == "container_question_open" for t in inner):
            problems.error(path, line, _("this question is not closed with ':::' before the "
                                         "next '::: question'"))
        elif not closed:
            problems.error(path, line, _("this question is not closed: add a line ':::' after "
                                         "its feedback"))
        else:
            question = _parse_question(token, inner, lines, body_line, path, lang, problems)
            if question:
                parsed.questions.append(question)
        if token.level == 0:
            removed.append((start, end + 1 if closed else end))
        index = close + 1
    kept = [text for number, text in enumerate(lines)
            if not any(start <= number < end for start, end in removed)]
    parsed.text = "\n".join(kept).strip("\n") + "\n"
    return parsed


def _matching_close(tokens, index):
    level = tokens[index].level
    for position in range(index + 1, len(tokens)):
        if tokens[position].type == "container_question_close" and tokens[position].level == level:
            return position
    return len(tokens) - 1


def _collect_inline(tokens, lines, body_line, path, problems, parsed):
    """Record links and images; report stray ':::' lines, raw HTML and images without alt
    text."""
    for token in tokens:
        if token.type != "inline":
            continue
        first = body_line + token.map[0]
        for offset, text in enumerate(token.content.split("\n")):
            if text.lstrip().startswith(":::"):
                problems.error(path, first + offset, _(
                    "'%(text)s' is not a question container: write '::: question' (or '::: "
                    "question scenario') to open one and ':::' alone to close it",
                    text=text.strip()[:40]))
        for child in token.children or ():
            if child.type == "link_open":
                url, image = child.attrGet("href") or "", False
            elif child.type == "image":
                url, image = child.attrGet("src") or "", True
            else:
                if child.type == "text" and _RAW_HTML.search(child.content):
                    problems.warning(path, first, _("raw HTML is not rendered: it will show as "
                                                    "text"))
                continue
            line = _line_of(url, lines, token.map, body_line)
            parsed.links.append((line, url, image))
            if image and not child.content.strip():  # WCAG 1.1.1: a text alternative
                problems.error(path, line, _(
                    "image %(url)s has no alt text: describe it between the brackets, like "
                    "![Map of the crossing point](crossing.png), for readers who cannot see it",
                    url=repr(url)))


def _line_of(url, lines, span, body_line):
    for number in range(span[0], span[1]):
        if url and url in lines[number]:
            return body_line + number
    return body_line + span[0]


def _parse_question(open_token, inner, lines, body_line, path, lang, problems):
    line = body_line + open_token.map[0]
    params = open_token.info.split()
    if params[1:] not in ([], ["scenario"]):
        problems.error(path, line, _("unknown question option '%(option)s': write '::: question' "
                                     "or '::: question scenario'", option=" ".join(params[1:])))
        return None
    stem_spans, options, feedback, ok = [], None, None, True
    for block in _blocks(inner, open_token.level + 1):
        first = block[0]
        block_line = body_line + first.map[0] if first.map else line
        if feedback is not None:
            problems.error(path, block_line, _("unexpected text after the feedback: a question "
                                               "ends with its feedback block quote"))
            ok = False
        elif first.type == "bullet_list_open" and options is None:
            options = _parse_options(block, body_line, path, problems)
            ok = ok and options is not None
            options = options or []
        elif first.type in ("bullet_list_open", "ordered_list_open"):
            message = (_("a question has one list of options") if options is not None else
                       _("options must be a bullet task list: '- [ ]' and '- [x]'"))
            problems.error(path, block_line, message)
            ok = False
        elif first.type == "blockquote_open" and options is not None:
            start, end = first.map
            feedback = "\n".join(_QUOTE_MARKER.sub("", text) for text in lines[start:end]).strip()
        elif options is not None:
            problems.error(path, block_line, _("the stem must come before the options, and the "
                                               "feedback (a '>' block quote) after them"))
            ok = False
        elif first.map:
            stem_spans.append(first.map)
    stem = "\n".join(lines[stem_spans[0][0]:stem_spans[-1][1]]).strip() if stem_spans else ""
    if not stem:
        problems.error(path, line, _("the question has no stem: write the question before its "
                                     "options"))
        ok = False
    if options is None:
        problems.error(path, line, _("the question has no options: add a task list with '- [ ]' "
                                     "and '- [x]'"))
        return None
    if ok and len(options) < 2:
        problems.error(path, line, _("the question has only one option: at least two are needed"))
        ok = False
    if ok and not any(correct for _text, correct in options):
        problems.error(path, line, _("no option is marked correct: mark the right answers with "
                                     "'[x]'"))
        ok = False
    if not feedback:
        problems.error(path, line, _("the question has no feedback: add a '>' block quote after "
                                     "the options that explains the answer"))
        ok = False
    if not ok:
        return None
    kind = _question_kind(options, lang)
    if kind == "truefalse" and sum(correct for _text, correct in options) != 1:
        problems.error(path, line, _("a true/false question has exactly one correct option"))
        return None
    return QuestionSpec(line=line, stem=stem, options=options, feedback=feedback,
                        scenario=params[1:] == ["scenario"], kind=kind)


def _blocks(tokens, level):
    """Group a token run into top-level blocks (lists of tokens) at `level`."""
    block, depth = [], 0
    for token in tokens:
        if depth == 0 and token.level != level:
            continue
        block.append(token)
        depth += token.nesting
        if depth == 0:
            yield block
            block = []


def _parse_options(block, body_line, path, problems):
    options = []
    for position, item in enumerate(block):
        if item.type != "list_item_open" or item.level != block[0].level + 1:
            continue
        item_line = body_line + item.map[0]
        end = next(i for i in range(position + 1, len(block))
                   if block[i].type == "list_item_close" and block[i].level == item.level)
        contents = list(_blocks(block[position + 1:end], item.level + 1))
        inline = contents[0][1] if contents and contents[0][0].type == "paragraph_open" else None
        match = _CHECKBOX.match(inline.content.strip()) if inline is not None else None
        if not match:
            problems.error(path, item_line, _("an option must be a task list item: '- [ ] text' "
                                              "or '- [x] text'"))
            return None
        if len(contents) > 1:
            problems.error(path, item_line, _("an option is a single paragraph of text"))
            return None
        options.append((" ".join(match.group(2).split()), match.group(1) != " "))
    return options


def _question_kind(options, lang):
    texts = tuple(text.strip().rstrip(".").casefold() for text, _correct in options)
    if len(options) == 2 and sorted(texts) == sorted(TRUE_FALSE.get(lang, TRUE_FALSE["en"])):
        return "truefalse"
    return "multiple" if sum(correct for _text, correct in options) > 1 else "single"
