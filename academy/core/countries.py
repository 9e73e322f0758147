"""The Prague Process states as data, with names in the viewer's language."""
import unicodedata
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask_babel import force_locale, lazy_gettext as _l

# The 47 Parties of the 2022 Prague Process Ministerial Declaration (ISO 3166 alpha-2;
# XK for Kosovo). Add a code here when a state joins; nothing else needs to change.
PRAGUE_PROCESS_STATES = (
    "AL", "AM", "AT", "AZ", "BE", "BA", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "GE",
    "DE", "GR", "HU", "IE", "IT", "KZ", "XK", "KG", "LV", "LI", "LT", "LU", "MT", "ME", "NL",
    "MK", "NO", "PL", "PT", "MD", "RO", "RS", "SK", "SI", "ES", "SE", "CH", "TJ", "TR", "TM",
    "UA", "UZ",
)
OTHER = "other"
KOSOVO = "XK"
# Marks the name that carries the footnote wherever the list is shown.
FOOTNOTE_MARK = "*"

_KOSOVO_NAME = _l("Kosovo")
_OTHER_NAME = _l("Other (not a Prague Process state)")
_KOSOVO_FOOTNOTE = _l(
    "* Kosovo: This designation is without prejudice to positions on status, and is in line "
    "with UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence.")


def is_known_country(code):
    """True for a Prague Process state code or "other"."""
    return code == OTHER or code in PRAGUE_PROCESS_STATES


@lru_cache(maxsize=8)
def _territories(lang):
    try:
        return Locale.parse(lang).territories
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en").territories


def _translated(lazy_text, lang):
    with force_locale(lang):
        return str(lazy_text)


def country_name(code, lang):
    """The name of `code` in `lang` (Kosovo carries the footnote mark); unknown codes as given."""
    if code == OTHER:
        return _translated(_OTHER_NAME, lang)
    if code == KOSOVO:
        # CLDR lacks XK in some locales; our catalog always has it.
        name = _territories(lang).get(KOSOVO) or _translated(_KOSOVO_NAME, lang)
        return name + FOOTNOTE_MARK
    return _territories(lang).get(code, code)


def _sort_key(name):
    # Compare letters without accents so "Türkiye" sorts next to "Turkmenistan".
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def country_choices(lang):
    """(code, name) pairs for a select: the states sorted by their name in `lang`, then "other"."""
    states = sorted(((code, country_name(code, lang)) for code in PRAGUE_PROCESS_STATES),
                    key=lambda pair: _sort_key(pair[1]))
    return states + [(OTHER, country_name(OTHER, lang))]


def country_footnote(lang):
    """The footnote that must accompany the marked name of Kosovo, in `lang`."""
    return _translated(_KOSOVO_FOOTNOTE, lang)
