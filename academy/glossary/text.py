"""Text helpers for the glossary: folding, Russian-aware sorting and variant matching.

The glossary lists, for each term, Russian translations that modules must not use
(`ru.avoid` in courses/glossary.yml). Russian inflects, so a variant written in the
nominative («субсидиарная защита») must also be found in «субсидиарной защиты»: each word
of the variant is reduced to its stem and may take any short ending.
"""
import re
import unicodedata

_ENDINGS = sorted((
    "иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "иях", "ях", "ах",
    "ов", "ев", "ом", "ем", "ым", "им", "ой", "ей", "ую", "юю", "ая", "яя", "ое", "ее",
    "ые", "ие", "ый", "ий", "ых", "их", "ия", "ии", "ию", "ья", "ье", "ьи",
    "а", "я", "о", "е", "и", "ы", "у", "ю", "ь", "й",
), key=len, reverse=True)
_CYRILLIC = re.compile(r"[а-я]")
_WORD = re.compile(r"\w+")
_MIN_STEM = 3
_MAX_ENDING = 4


def fold(text: str) -> str:
    """Case- and ё-insensitive form of `text` for comparing and searching."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    return text.replace("ё", "е")


def sort_key(term: str, lang: str = "en"):
    """Dictionary order for a term: case-insensitive, ё sorted with е (then after it)."""
    folded = fold(term).lstrip(" «»\"'“”„(")
    return (folded, (term or "").replace("ё", "е\uffff").replace("Ё", "Е\uffff"))


def index_letter(term: str) -> str:
    """The heading letter a term is listed under: its first letter, ё under Е; # for digits."""
    for char in fold(term):
        if char.isalpha():
            return char.upper()
        if char.isdigit():
            return "#"
    return "#"


def stem(word: str) -> str:
    """A crude Russian stem: the word without one inflectional ending."""
    if not _CYRILLIC.search(word) or len(word) <= _MIN_STEM:
        return word
    for ending in _ENDINGS:
        rest = len(word) - len(ending)
        if word.endswith(ending) and rest >= _MIN_STEM + (len(ending) > 1):
            return word[: -len(ending)]
    return word


def _inflected(phrase: str) -> re.Pattern:
    parts = []
    for word in _WORD.findall(fold(phrase)):
        if _CYRILLIC.search(word) and len(word) > _MIN_STEM:
            parts.append(re.escape(stem(word)) + rf"\w{{0,{_MAX_ENDING}}}")
        else:
            parts.append(re.escape(word))
    return re.compile(r"(?<!\w)" + r"\W+".join(parts) + r"(?!\w)")


def _exact(phrase: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(fold(phrase)) + r"(?!\w)")


def variant_pattern(phrase: str, protected=()) -> re.Pattern:
    """A pattern finding `phrase` in any inflected form, in folded text.

    Where the inflected pattern would also match one of the `protected` terms (the glossary's
    own Russian terms, e.g. «лицо, ищущее убежища» for the variant «лицо, ищущее убежище»), only
    the exact phrase is searched for.
    """
    pattern = _inflected(phrase)
    if any(pattern.search(fold(term)) for term in protected):
        return _exact(phrase)
    return pattern


def variant_patterns(entries):
    """(entry, phrase, pattern) for every `avoid_ru` phrase of the glossary `entries`."""
    protected = [entry.term_ru for entry in entries]
    return [(entry, phrase, variant_pattern(phrase, protected))
            for entry in entries for phrase in (entry.avoid_ru or ())]


def find_variants(text: str, patterns):
    """The avoided variants used in `text`: a list of (entry, phrase, matched text)."""
    folded = fold(text)
    found = []
    for entry, phrase, pattern in patterns:
        match = pattern.search(folded)
        if match:
            found.append((entry, phrase, match.group(0)))
    return found
