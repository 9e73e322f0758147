"""PT Serif and PT Sans (ParaType, OFL) from their PyPI wheels, registered with reportlab once."""
from importlib.resources import files

from reportlab.pdfbase import pdfmetrics
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
            pdfmetrics.registerFont(TTFont(name, str(files(package) / "files" / filename)))


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
