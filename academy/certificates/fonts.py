"""PT Serif and PT Sans (ParaType, OFL) from their PyPI wheels, registered with reportlab once."""
from collections import OrderedDict
from importlib.resources import files

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

SERIF, SERIF_BOLD, SERIF_ITALIC = "PTSerif", "PTSerif-Bold", "PTSerif-Italic"
SANS, SANS_BOLD = "PTSans", "PTSans-Bold"

_FILES = {
    SERIF: ("fontpkg_pt_serif", "PT_Serif-Web-Regular.ttf"),
    SERIF_BOLD: ("fontpkg_pt_serif", "PT_Serif-Web-Bold.ttf"),
    SERIF_ITALIC: ("fontpkg_pt_serif", "PT_Serif-Web-Italic.ttf"),
    SANS: ("fontpkg_pt_sans", "PT_Sans-Web-Regular.ttf"),
    SANS_BOLD: ("fontpkg_pt_sans", "PT_Sans-Web-Bold.ttf"),
}


def register_fonts():
    """Register the five faces the certificate uses (idempotent)."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, (package, filename) in _FILES.items():
        if name not in registered:
            font = CertificateFont(name, str(files(package) / "files" / filename))
            _memoise_subsets(font.face)
            pdfmetrics.registerFont(font)


SUBSET_MEMO_SIZE = 32
_widths_memo = OrderedDict()


class MemoisedWidths(pdfdoc.PDFArray):
    """A subset's Widths array, formatted once: seeded subsets repeat from PDF to PDF."""

    def format(self, document, IND=b"\n "):
        key = tuple(self.sequence)
        data = _widths_memo.get(key)
        if data is None:
            data = _widths_memo[key] = super().format(document, IND)
            if len(_widths_memo) > SUBSET_MEMO_SIZE:
                _widths_memo.popitem(last=False)
        else:
            _widths_memo.move_to_end(key)
        return data


class CertificateFont(TTFont):
    """A TrueType font whose subsets' widths are formatted through the memo above."""

    def addObjects(self, doc):
        super().addObjects(doc)
        for font in doc.idToObject["BasicFonts"].dict.values():
            widths = getattr(font, "Widths", None)
            if type(widths) is pdfdoc.PDFArray and all(type(w) is int for w in widths.sequence):
                font.Widths = MemoisedWidths(widths.sequence)


def _memoise_subsets(face):
    """Keep the last few subset files this face built: seeded subsets repeat (see below)."""
    build, memo = face.makeSubset, OrderedDict()

    def make_subset(subset):
        key = tuple(subset)
        data = memo.get(key)
        if data is None:
            data = memo[key] = build(subset)
            if len(memo) > SUBSET_MEMO_SIZE:
                memo.popitem(last=False)
        else:
            memo.move_to_end(key)
        return data

    face.makeSubset = make_subset


# Every certificate asks for the same characters first, in the same order, so that its font
# subsets come out byte-identical and their compressed streams can be reused (see below).
COMMON_CHARACTERS = (
    "".join(chr(c) for c in range(32, 127))
    + "".join(chr(c) for c in range(0x410, 0x450)) + "Ёё№«»–—·’“”„…"
)


def seed_subsets(canvas):
    """Put the common characters into this document's subsets, in a fixed order."""
    for name in (SERIF_BOLD, SERIF_ITALIC, SANS, SANS_BOLD):  # the faces a certificate draws
        pdfmetrics.getFont(name).splitString(COMMON_CHARACTERS, canvas._doc)
