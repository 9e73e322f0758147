"""Names as they will print on certificates: Unicode NFC, a bounded number of accent marks."""
import unicodedata

# After NFC nearly every letter of a real name is one code point; a few (Vietnamese, some
# transliterations) keep one or two combining marks. Hundreds of them stack into a smear.
MAX_MARKS_PER_LETTER = 2


def normalise_name(text):
    """`text` stripped and in Unicode NFC, so one name is stored one way."""
    return unicodedata.normalize("NFC", text.strip()) if isinstance(text, str) else text


def has_stacked_marks(text):
    """True when some letter of `text` carries more than MAX_MARKS_PER_LETTER combining marks."""
    run = 0
    for ch in text or "":
        run = run + 1 if unicodedata.combining(ch) else 0
        if run > MAX_MARKS_PER_LETTER:
            return True
    return False
