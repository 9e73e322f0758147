"""Plain-text line fitting for the PDF: measure, shrink, wrap; never markup, never cut."""
from reportlab.pdfbase.pdfmetrics import stringWidth


def wrap(text, font, size, width):
    """Greedy word wrap of plain `text`; a word wider than the line is broken between letters."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while stringWidth(word, font, size) > width:
            cut = len(word) - 1
            while cut > 1 and stringWidth(word[:cut], font, size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def fit(text, font, width, sizes):
    """(size, lines) for `text`: the first of `sizes` (size, max_lines) pairs that fits.

    When none fits, the last size is used with as many lines as the text needs.
    """
    for size, max_lines in sizes:
        lines = wrap(text, font, size, width)
        if len(lines) <= max_lines:
            return size, lines
    size = sizes[-1][0]
    return size, wrap(text, font, size, width)


def shrink_sizes(largest, smallest, max_lines_from):
    """Candidate (size, max_lines): one line down to `max_lines_from` pt, then two, then three."""
    one = [(size, 1) for size in range(largest, max_lines_from - 1, -1)]
    two = [(size, 2) for size in range(max_lines_from, smallest - 1, -1)]
    three = [(size, 3) for size in range(smallest + 4, smallest - 1, -1)]
    return one + two + three
