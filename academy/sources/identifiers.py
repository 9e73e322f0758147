"""Machine-readable identifiers of the legal sources a module cites: CELEX, ECtHR, UN treaties.

`parse_source(text)` reads one entry of a module's `sources` list and returns the acts it names,
each with a validated identifier and a link to the official text (EUR-Lex, HUDOC, UN Treaty
Collection, Council of Europe), plus the articles the entry lists. `find_citations(text)` finds
article references such as "APR Art. 68" or "Article 3 ECHR" in teaching text and questions.
"""
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote

EUR_LEX = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{}"
HUDOC = "https://hudoc.echr.coe.int/eng#{}"

# CELEX: sector digit, year, document type (one or two letters), number (EUR-Lex numbering).
_CELEX = re.compile(r"\b([1-9])(\d{4})([A-Z]{1,2})(\d{4}|/TXT)(?![\w/])")
_CELEX_KEYWORD = re.compile(r"\bCELEX\b[:\s]*([0-9A-Z]+(?:/TXT)?)")
_ECLI = re.compile(r"\bECLI:EU:[CT]:(\d{4}):(\d{1,5})\b")
_APPNO = re.compile(r"\b(\d{1,6})/(\d{2})\b")
_APPNO_LIST = re.compile(r"\bnos?\.\s*((?:\d{1,6}/\d{2}(?:\s*(?:,|and|et)\s*)?)+)")
_UNTS = re.compile(r"\bUNTS\s+vol\.\s*(\d+),?\s*p\.\s*(\d+)")
_REGULATION = re.compile(r"\bRegulation\s+\((?:EU|EC)\)\s+(?:No\s+)?(\d{4})/(\d{1,4})\b")
_REGULATION_OLD = re.compile(r"\bRegulation\s+\((?:EU|EC)\)\s+No\s+(\d{1,4})/(\d{4})\b")
_DIRECTIVE = re.compile(r"\bDirective\s+(\d{4})/(\d{1,4})/(?:EU|EC)\b")
_COM = re.compile(r"\bCOM\((\d{4})\)\s*(\d{1,4})\b")
_ARTICLES = re.compile(
    r"\b(?:Art(?:icle)?s?\.?|ст\.|стать[яиейю])\s+"
    r"((?:\d{1,3}[a-z]?(?:\(\w{1,4}\))*(?:\s*(?:,|and|и|–|-|to)\s*)?)+)")
_NUMBER_OR_RANGE = re.compile(r"(\d{1,3})(?:[a-z]?(?:\(\w{1,4}\))*)\s*(?:(–|-|to)\s*(\d{1,3}))?")

# Short names used in teaching text, mapped to the act they stand for.
KNOWN_ACTS = {
    "32024R1348": ("Asylum Procedure Regulation (EU) 2024/1348 (APR)",
                   ("APR", "Asylum Procedure Regulation")),
    "32024R1351": ("Asylum and Migration Management Regulation (EU) 2024/1351 (AMMR)",
                   ("AMMR",)),
    "32024R1356": ("Screening Regulation (EU) 2024/1356", ("Screening Regulation",)),
    "32024R1358": ("Eurodac Regulation (EU) 2024/1358", ("Eurodac Regulation",)),
    "32024R1347": ("Qualification Regulation (EU) 2024/1347", ("Qualification Regulation",)),
    "32024R1359": ("Crisis and Force Majeure Regulation (EU) 2024/1359", ()),
    "32016R0399": ("Schengen Borders Code, Regulation (EU) 2016/399", ("SBC",
                                                                      "Schengen Borders Code")),
    "32019R1896": ("European Border and Coast Guard Regulation (EU) 2019/1896", ()),
    "32013L0032": ("Asylum Procedures Directive 2013/32/EU (APD, repealed)", ("APD",)),
    "32026R0463": ("Regulation (EU) 2026/463 (safe third country concept)", ()),
    "12016P/TXT": ("Charter of Fundamental Rights of the European Union", ("Charter",)),
    "ECHR": ("European Convention on Human Rights (ETS No. 5)", ("ECHR",)),
    "UNTS 189/137": ("1951 Convention relating to the Status of Refugees",
                     ("1951 Convention", "Refugee Convention")),
    "UNTS 1465/85": ("UN Convention against Torture", ("CAT", "Convention against Torture")),
    "UNTS 999/171": ("International Covenant on Civil and Political Rights", ("ICCPR",)),
}
TREATY_LINKS = {
    "ECHR": "https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum=005",
    "UNTS 189/137": "https://treaties.un.org/Pages/ViewDetailsII.aspx?src=TREATY&mtdsg_no=V-2"
                    "&chapter=5",
    "UNTS 1465/85": "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-9"
                    "&chapter=4",
    "UNTS 999/171": "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-4"
                    "&chapter=4",
}
_TREATY_NAMES = (("ECHR", re.compile(r"\bECHR\b|European Convention on Human Rights")),
                 ("UNTS 189/137", re.compile(r"\b1951 Convention\b|Status of Refugees")),
                 ("UNTS 1465/85", re.compile(r"Convention against Torture|\bCAT\b")),
                 ("UNTS 999/171", re.compile(r"\bICCPR\b|Civil and Political Rights")))
_ALIASES = sorted(((alias, act) for act, (_label, aliases) in KNOWN_ACTS.items()
                   for alias in aliases), key=lambda pair: -len(pair[0]))
_ALIAS = re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a, _act in _ALIASES) + r")(?![\w-])")
_ALIAS_ACT = dict(_ALIASES)


@dataclass(frozen=True)
class Act:
    """A legal act or judgment with a validated identifier and a link to its official text."""

    kind: str  # "eu" (CELEX), "cjeu" (ECLI), "echr-case" (application number), "treaty"
    id: str
    label: str
    url: str

    @property
    def sort_key(self):
        return ({"eu": 0, "treaty": 1, "cjeu": 2, "echr-case": 3}[self.kind], self.id)


@dataclass
class ParsedSource:
    """One `sources` entry: the acts it names, the articles it lists, and what was malformed."""

    text: str
    acts: list[Act] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def valid_celex(value: str) -> bool:
    """True for a well-formed CELEX number of an act (sector 1–9, a plausible year)."""
    match = _CELEX.fullmatch(value or "")
    return bool(match) and 1950 <= int(match.group(2)) <= 2100


def celex_act(celex: str, label: str | None = None) -> Act:
    """The Act for a CELEX number, labelled with its known name where there is one."""
    known = KNOWN_ACTS.get(celex)
    return Act("eu", celex, label or (known[0] if known else f"CELEX {celex}"),
               EUR_LEX.format(celex))


def treaty_act(key: str) -> Act:
    """The Act for a universal or Council of Europe treaty key (UNTS vol/page or ECHR)."""
    label = KNOWN_ACTS[key][0] if key in KNOWN_ACTS else key
    return Act("treaty", key, label, TREATY_LINKS.get(key, "https://treaties.un.org/"))


def echr_case(appno: str, name: str) -> Act:
    """The Act for an ECtHR judgment, linked to a HUDOC search by application number."""
    query = json.dumps({"appno": [appno]}, separators=(",", ":"))
    return Act("echr-case", appno, name, HUDOC.format(quote(query, safe="")))


def articles_in(text: str) -> list[str]:
    """The article numbers a text lists ("Arts 10, 42–45" → 10, 42, 43, 44, 45)."""
    found = []
    for match in _ARTICLES.finditer(text):
        for number in _NUMBER_OR_RANGE.finditer(match.group(1)):
            low, high = int(number.group(1)), number.group(3)
            top = int(high) if high and int(high) >= low and int(high) - low <= 30 else low
            found += [str(n) for n in range(low, top + 1)]
    return list(dict.fromkeys(found))


def _derived_celex(text):
    for pattern, kind in ((_REGULATION, "R"), (_DIRECTIVE, "L")):
        for match in pattern.finditer(text):
            yield f"3{match.group(1)}{kind}{int(match.group(2)):04d}"
    for match in _REGULATION_OLD.finditer(text):
        yield f"3{match.group(2)}R{int(match.group(1)):04d}"
    for match in _COM.finditer(text):
        yield f"5{match.group(1)}DC{int(match.group(2)):04d}"


def parse_source(text: str) -> ParsedSource:
    """Read one `sources` entry into acts, articles and problems (malformed identifiers)."""
    parsed = ParsedSource(text=text, articles=articles_in(text))
    acts = {}
    for match in _CELEX_KEYWORD.finditer(text):
        value = match.group(1)
        if valid_celex(value):
            acts[value] = celex_act(value)
        else:
            parsed.problems.append(f"malformed CELEX number {value!r} (like 32024R1348)")
    if not acts:
        for celex in _derived_celex(text):
            if valid_celex(celex):
                acts.setdefault(celex, celex_act(celex))
    for match in _ECLI.finditer(text):
        ecli = match.group(0)
        name = re.sub(r"^(CJEU|Суд ЕС),\s*", "", text).split(",")[0].strip()
        acts.setdefault(ecli, Act("cjeu", ecli, name, EUR_LEX.replace("CELEX:", "ecli:").format(
            ecli)))
    if re.search(r"\bECtHR\b|ЕСПЧ", text):
        listed = _APPNO_LIST.search(text)
        if listed:
            name = re.split(r",\s*nos?\.", re.sub(r"^(ECtHR|ЕСПЧ),\s*", "", text))[0].strip()
            for number in _APPNO.finditer(listed.group(1)):
                year = int(number.group(2))
                appno = f"{number.group(1)}/{number.group(2)}"
                if 55 <= year or year <= 30:  # the Court's applications date from 1955
                    acts.setdefault(appno, echr_case(appno, name))
                    break
        elif re.search(r"\bnos?\.\s*\S", text):
            parsed.problems.append("ECtHR application number not readable (write 'no. 27765/09')")
    for match in _UNTS.finditer(text):
        key = f"UNTS {match.group(1)}/{match.group(2)}"
        acts.setdefault(key, treaty_act(key))
    if not acts:
        for key, pattern in _TREATY_NAMES:
            if pattern.search(text):
                acts.setdefault(key, treaty_act(key))
    parsed.acts = sorted(acts.values(), key=lambda act: act.sort_key)
    return parsed


@dataclass(frozen=True)
class Citation:
    """An article of an act cited in a text, with the words that cite it."""

    act: str  # the act's id (CELEX, treaty key)
    article: str
    snippet: str


def find_citations(text: str) -> list[Citation]:
    """Article references tied to a named act ("APR Art. 68", "Article 3 ECHR") in a text."""
    found = []
    for match in _ARTICLES.finditer(text):
        act = _nearest_act(text, match.start(), match.end())
        if act is None:
            continue
        snippet = " ".join(text[max(0, match.start() - 40):match.end() + 30].split())
        for article in articles_in(match.group(0)):
            found.append(Citation(act, article, snippet))
    return list(dict.fromkeys(found))


_REG_OR_DIR = re.compile(r"Regulation \((?:EU|EC)\) (?:No )?\d{4}/\d{1,4}|Directive \d{4}/\d+/EU")
_GAP_AFTER = re.compile(r"^\s*(?:of\s+(?:the\s+)?)?$")


def _named(text):
    """(start, end, act id) of every act named in `text`: short names and numbered acts."""
    found = [(m.start(), m.end(), _ALIAS_ACT[m.group(1)]) for m in _ALIAS.finditer(text)]
    for match in _REG_OR_DIR.finditer(text):
        celex = next(_derived_celex(match.group(0)), None)
        if celex:
            found.append((match.start(), match.end(), celex))
    return found


def _nearest_act(text, start, end):
    """The act named right before an article reference ("APR Art. 68") or right after it
    ("Article 3 ECHR", "Art. 14 of the Schengen Borders Code"); None when there is none."""
    window = text[max(0, start - 60):start]
    before = [(len(window) - e, act) for s, e, act in _named(window) if not window[e:].strip()]
    if before:
        return min(before)[1]
    after = text[end:end + 60]
    following = [(s, act) for s, e, act in _named(after) if _GAP_AFTER.match(after[:s])]
    if following:
        return min(following)[1]
    if not text[:start].endswith("("):
        return None
    # "(Art. 54)": a bracketed reference cites the act the paragraph named last before it.
    earlier = _named(text[text.rfind("\n\n", 0, start) + 1:start])
    return max(earlier)[2] if earlier else None
