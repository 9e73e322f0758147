"""The certificate as an A4 landscape PDF (reportlab), in English, Russian or both.

Every text is drawn with drawString after measuring: nothing is parsed as markup.
"""
import io
from collections import OrderedDict

import segno
from babel.dates import format_date
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from academy.certificates import fonts, streamcache
from academy.certificates.attachment import attach_credential
from academy.certificates.layout import fit, shrink_sizes, wrap
from academy.core.mail import external_url

WIDTH, HEIGHT = landscape(A4)
NAVY, GOLD, INK, GREY = HexColor("#1d3557"), HexColor("#a8832f"), HexColor("#1b1b1b"), HexColor("#555555")
TEXT_WIDTH = WIDTH - 2 * 110

LABELS = {
    "academy": _l("Prague Process Training Academy"),
    "certificate": _l("Certificate"),
    "of_completion": _l("of completion"),
    "certify": _l("This is to certify that"),
    "completed": _l("has successfully completed the course"),
    "hours": _l("%(hours)s hours of study"),
    "completed_on": _l("date of completion: %(date)s"),
    "version": _l("course content version %(version)s"),
    "serial": _l("Certificate No. %(serial)s"),
    "revision": _l("revision %(number)d"),
    "verify": _l("Scan the code or open the address below to verify this certificate."),
    "issued": _l("Issued on %(date)s"),
}


def _babel_locale(lang):
    return "en_GB" if lang == "en" else lang  # 30 November 2026, as European ministries write it


_label_cache = {}


def _labels(lang):
    """The labels in `lang`, translated once per language and catalogue folder."""
    key = (lang, str(current_app.config.get("BABEL_TRANSLATION_DIRECTORIES")))
    labels = _label_cache.get(key)
    if labels is None:
        with force_locale(lang):
            labels = _label_cache[key] = {k: str(value) for k, value in LABELS.items()}
    return labels


def _facts(certificate, lang):
    label = _labels(lang)
    hours = format_decimal(certificate.hours, locale=_babel_locale(lang))
    when = format_date(certificate.completed_on, "long", locale=_babel_locale(lang))
    facts = " · ".join([label["hours"] % {"hours": hours},
                        label["completed_on"] % {"date": when},
                        label["version"] % {"version": certificate.content_version}])
    return label, facts


class Block:
    """Centred lines of one font and colour, and the space left below them."""

    def __init__(self, lines, font, size, color, leading=1.2, spacing=0.0, gap=0.0):
        self.lines, self.font, self.size, self.color = lines, font, size, color
        self.leading, self.spacing, self.gap = leading, spacing, gap

    @property
    def height(self):
        return self.size * self.leading * len(self.lines) + self.gap

    def draw(self, canvas, top):
        """Draw at `top` (the top of the first line); returns the top of what comes next."""
        for line in self.lines:
            width = canvas.stringWidth(line, self.font, self.size) + self.spacing * max(len(line) - 1, 0)
            text = canvas.beginText((WIDTH - width) / 2, top - self.size)
            text.setFont(self.font, self.size)
            text.setCharSpace(self.spacing)
            text.setFillColor(self.color)
            text.textOut(line)
            text.setCharSpace(0)  # Tc outlives the text object in the PDF graphics state
            canvas.drawText(text)
            top -= self.size * self.leading
        return top - self.gap


def _draw_blocks(canvas, blocks, top):
    for block in blocks:
        top = block.draw(canvas, top)
    return top


def _frame(canvas):
    canvas.setFillColor(HexColor("#fdfbf5"))
    canvas.rect(0, 0, WIDTH, HEIGHT, stroke=0, fill=1)
    canvas.setStrokeColor(NAVY)
    canvas.setLineWidth(3)
    canvas.rect(20, 20, WIDTH - 40, HEIGHT - 40)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(28, 28, WIDTH - 56, HEIGHT - 56)
    canvas.rect(32, 32, WIDTH - 64, HEIGHT - 64)
    canvas.setFillColor(GOLD)
    for x, y in ((30, 30), (WIDTH - 30, 30), (30, HEIGHT - 30), (WIDTH - 30, HEIGHT - 30)):
        path = canvas.beginPath()
        path.moveTo(x, y - 7)
        path.lineTo(x + 7, y)
        path.lineTo(x, y + 7)
        path.lineTo(x - 7, y)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)


def _rule(canvas, y, half_width=60):
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.line(WIDTH / 2 - half_width, y, WIDTH / 2 + half_width, y)
    canvas.setFillColor(GOLD)
    canvas.circle(WIDTH / 2, y, 2, stroke=0, fill=1)


QR_MEMO_SIZE = 64
_qr_memo = OrderedDict()


def _qr_runs(url):
    """(modules per side, PDF operators of the dark runs in module units, y down from 0).

    A learner downloading several languages of one certificate asks for the same URL again:
    a few recent codes are kept.
    """
    runs = _qr_memo.get(url)
    if runs is not None:
        _qr_memo.move_to_end(url)
        return runs
    # A fixed mask: choosing the best of eight costs more than the whole rest of the page.
    matrix = segno.make(url, error="m", micro=False, mask=2).matrix
    operators = []
    for row_number, row in enumerate(matrix):
        column, width = 0, len(row)
        while column < width:
            if row[column]:
                start = column
                while column < width and row[column]:
                    column += 1
                operators.append(f"{start} {-row_number - 1} {column - start} 1 re")
            column += 1
    runs = _qr_memo[url] = (len(matrix), "\n".join(operators))
    if len(_qr_memo) > QR_MEMO_SIZE:
        _qr_memo.popitem(last=False)
    return runs


def _qr(canvas, url, x, y, size):
    """The QR code as vector squares (crisp at any zoom, no image library)."""
    count, runs = _qr_runs(url)
    module = size / (count + 8)  # the four-module quiet zone on each side
    canvas.setFillColor(HexColor("#ffffff"))
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.saveState()
    canvas.setFillColor(HexColor("#000000"))
    # One path of unit squares in a coordinate system of modules, from the top-left module.
    canvas.transform(module, 0, 0, module, x + 4 * module, y + size - 4 * module)
    canvas.addLiteral(f"n\n{runs}\nf")
    canvas.restoreState()


def _seal(canvas, x, y, label):
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.5)
    canvas.circle(x, y, 38)
    canvas.setLineWidth(0.6)
    canvas.circle(x, y, 33)
    canvas.setFillColor(GOLD)
    canvas.setFont(fonts.SERIF_BOLD, 17)
    canvas.drawCentredString(x, y - 3, "PPTA")
    canvas.setFont(fonts.SANS, 6.5)
    canvas.drawCentredString(x, y - 16, label)


def _footer(canvas, certificate, langs, url):
    qr_size = 92
    _qr(canvas, url, 58, 50, qr_size)
    x, y = 58 + qr_size + 12, 50 + qr_size - 14
    for lang in langs:
        label = _labels(lang)
        serial = label["serial"] % {"serial": certificate.serial}
        if certificate.revision > 1:
            serial += ", " + label["revision"] % {"number": certificate.revision}
        canvas.setFont(fonts.SANS_BOLD, 9.5)
        canvas.setFillColor(NAVY)
        canvas.drawString(x, y, serial)
        y -= 11
        canvas.setFont(fonts.SANS, 8)
        canvas.setFillColor(GREY)
        for line in wrap(label["verify"], fonts.SANS, 8, 190):
            canvas.drawString(x, y, line)
            y -= 9.5
        y -= 6
    canvas.setFont(fonts.SANS, 8)
    canvas.setFillColor(INK)
    canvas.drawCentredString(WIDTH / 2, 42, url)
    issued = " / ".join(_labels(lang)["issued"] % {
        "date": format_date(certificate.issued_at.date(), "long", locale=_babel_locale(lang))} for lang in langs)
    right = WIDTH - 58
    canvas.setStrokeColor(NAVY)
    canvas.setLineWidth(0.6)
    canvas.line(right - 230, 82, right, 82)
    canvas.setFillColor(INK)
    canvas.setFont(fonts.SANS, 8.5)
    for number, line in enumerate(wrap(issued, fonts.SANS, 8.5, 230)):
        canvas.drawRightString(right, 70 - number * 11, line)
    canvas.setFont(fonts.SERIF_BOLD, 10)
    canvas.setFillColor(NAVY)
    for number, lang in enumerate(langs):
        canvas.drawRightString(right, 88 + (len(langs) - 1 - number) * 13, _labels(lang)["academy"])
    _seal(canvas, WIDTH / 2, 96, str(certificate.issued_at.year))


def _header(canvas, langs):
    """The academy's name, CERTIFICATE, OF COMPLETION and a rule; returns the y below."""
    blocks = [Block([_labels(lang)["academy"].upper()], fonts.SANS_BOLD, 10.5, NAVY, 1.5, 2.4)
              for lang in langs]
    blocks[-1].gap = 8
    title = " · ".join(_labels(lang)["certificate"].upper() for lang in langs)
    size, lines = fit(title, fonts.SERIF_BOLD, TEXT_WIDTH - 40, [(44, 1), (36, 1), (30, 1), (24, 2)])
    blocks.append(Block(lines, fonts.SERIF_BOLD, size, NAVY, 1.15, 4))
    subtitle = " · ".join(_labels(lang)["of_completion"].upper() for lang in langs)
    blocks.append(Block([subtitle], fonts.SANS, 10.5, GOLD, 1.2, 3))
    top = _draw_blocks(canvas, blocks, HEIGHT - 62)
    _rule(canvas, top - 8, 80)
    return top - 14


def _middle(certificate, langs):
    """The blocks saying who completed what, when."""
    bilingual = len(langs) == 2
    small = 12.5 if bilingual else 14
    blocks = []
    certify = " / ".join(_labels(lang)["certify"] for lang in langs)
    blocks.append(Block(wrap(certify, fonts.SERIF_ITALIC, small, TEXT_WIDTH), fonts.SERIF_ITALIC,
                        small, GREY, 1.3, gap=10))
    names = [certificate.name(lang) for lang in langs]
    names = [n for i, n in enumerate(names) if n and n not in names[:i]] or [""]
    for number, name in enumerate(names):
        largest = 36 if number == 0 else 26
        size, lines = fit(name, fonts.SERIF_BOLD, TEXT_WIDTH,
                          shrink_sizes(largest, 14, 22 if number == 0 else 18))
        blocks.append(Block(lines, fonts.SERIF_BOLD, size, INK, 1.18, gap=2))
    blocks[-1].gap = 14
    completed = " / ".join(_labels(lang)["completed"] for lang in langs)
    blocks.append(Block(wrap(completed, fonts.SERIF_ITALIC, small, TEXT_WIDTH), fonts.SERIF_ITALIC,
                        small, GREY, 1.3, gap=8))
    for number, lang in enumerate(langs):
        largest = 22 if number == 0 else 17
        size, lines = fit(certificate.course_title(lang), fonts.SERIF_BOLD, TEXT_WIDTH,
                          shrink_sizes(largest, 9, 15 if number == 0 else 12))
        blocks.append(Block(lines, fonts.SERIF_BOLD, size, NAVY, 1.22, gap=4))
    blocks[-1].gap = 14
    for lang in langs:
        _label, facts = _facts(certificate, lang)
        blocks.append(Block(wrap(facts, fonts.SANS, 10.5, TEXT_WIDTH), fonts.SANS, 10.5, INK, 1.35))
    return blocks


def _body(canvas, certificate, langs):
    """Header at the top; the rest centred in the space above the footer."""
    top = _header(canvas, langs)
    blocks = _middle(certificate, langs)
    footer_top = 150
    height = sum(block.height for block in blocks)
    start = top - max(0, (top - footer_top - height) / 2)
    _draw_blocks(canvas, blocks, start)


def render_certificate(certificate, lang):
    """The PDF bytes of `certificate` in 'en', 'ru' or 'bilingual', credential attached."""
    fonts.register_fonts()
    streamcache.install()
    langs = ["en", "ru"] if lang == "bilingual" else [lang]
    url = external_url("certificates.verify", code=certificate.code)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(WIDTH, HEIGHT), pageCompression=1,
                    initialFontName=fonts.SANS)
    fonts.seed_subsets(canvas)
    canvas.setTitle(f"{certificate.serial} — {certificate.course_title(langs[0])}")
    canvas.setAuthor(_labels(langs[0])["academy"])
    canvas.setSubject(url)
    _frame(canvas)
    _body(canvas, certificate, langs)
    _footer(canvas, certificate, langs, url)
    if certificate.credential_jwt:
        attach_credential(canvas, certificate.credential_jwt)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
