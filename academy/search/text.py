"""Words, Snowball stems and highlighted snippets for search in English and Russian.

A word is stemmed by its script, not by the language of its document: Russian modules quote
English terms (CELEX, "non-refoulement") and both must be found. PostgreSQL's `russian` and
`english` configurations use the same Snowball algorithms, so the snippets highlight the same
words on both databases.
"""
import bisect
import itertools
import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser

import snowballstemmer
from markupsafe import Markup, escape

# Letters and digits only: no token can carry FTS5 or tsquery syntax (quotes, *, :, parentheses).
WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[а-я]")
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
SNIPPET_WORDS = 30

_RUSSIAN = snowballstemmer.stemmer("russian")
_ENGLISH = snowballstemmer.stemmer("english")


def normalise(word: str) -> str:
    """Case-folded, NFC, ё as е: the form that is stemmed."""
    return unicodedata.normalize("NFC", word).casefold().replace("ё", "е")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of one word: Russian for Cyrillic words, English otherwise."""
    word = normalise(word)
    stemmer = _RUSSIAN if _CYRILLIC.search(word) else _ENGLISH
    return stemmer.stemWord(word)


def stems(text: str) -> list[str]:
    """The stems of every word of `text`, in order."""
    return [stem(match.group()) for match in WORD.finditer(text or "")]


def query_words(raw) -> list[str]:
    """The words of a search query, bounded, in order, without repeats."""
    words = []
    for match in WORD.finditer((raw or "")[:MAX_QUERY_CHARS]):
        if match.group() not in words:
            words.append(match.group())
    return words[:MAX_QUERY_WORDS]


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "div", "dt", "dd",
              "blockquote", "figcaption", "tr", "section", "summary"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of sanitised HTML, whitespace collapsed."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    return " ".join("".join(extractor.parts).split())


class Highlighter:
    """Marks the words of a text whose stems the query asked for (the last word as a prefix)."""

    def __init__(self, words: list[str]):
        self.exact = {stem(word) for word in words[:-1]}
        self.prefix = stem(words[-1]) if words else ""

    def hits(self, word_stem: str) -> bool:
        """True when a word with this stem answers the query."""
        return word_stem in self.exact or (bool(self.prefix) and word_stem.startswith(self.prefix))

    def mark(self, text: str) -> Markup:
        """`text` escaped, its matching words in <mark>."""
        return self._render(text, 0, len(text or ""))

    def snippet(self, text: str, text_stems: str | None = None,
                size: int = SNIPPET_WORDS) -> Markup:
        """The `size`-word window of `text` with the most matching words, escaped and marked.

        `text_stems` are the stems of `text` as stored by the index (" ".join(stems(text))),
        which spares stemming long bodies on every search.
        """
        text = text or ""
        word_stems = text_stems.split(" ") if text_stems else stems(text)
        if not word_stems:
            return Markup("")
        exact, prefix = self.exact, self.prefix
        hits = [i for i, word_stem in enumerate(word_stems)
                if word_stem in exact or (prefix and word_stem.startswith(prefix))]
        # The window starting a little before the hit that has the most hits after it.
        best, best_count = 0, bisect.bisect_left(hits, size)  # the opening words, if as good
        for number, hit in enumerate(hits):
            count = bisect.bisect_left(hits, hit + size - 3) - number
            if count > best_count:
                best, best_count = max(0, hit - 3), count
        last = min(len(word_stems), best + size) - 1
        span = list(itertools.islice(WORD.finditer(text), best, last + 1))
        start = 0 if best == 0 else span[0].start()
        end = len(text) if last == len(word_stems) - 1 else span[-1].end()
        body = self._render(text, start, end, word_stems[best:last + 1])
        return (Markup("… ") if start else Markup("")) + body + \
            (Markup(" …") if end < len(text) else Markup(""))

    def _render(self, text: str, start: int, end: int, word_stems=None) -> Markup:
        out, position = [], start
        for index, word in enumerate(WORD.finditer(text or "", start, end)):
            word_stem = word_stems[index] if index < len(word_stems or ()) else stem(word.group())
            if self.hits(word_stem):
                out.append(escape(text[position:word.start()]))
                out.append(Markup("<mark>%s</mark>") % word.group())
                position = word.end()
        out.append(escape(text[position:end]))
        return Markup("").join(out)
