"""Small-cell suppression: counts of people below a threshold are hidden, and so are the cells
that would let a reader recover them from a total (complementary suppression)."""
from dataclasses import dataclass

SMALL, COMPLEMENTARY = "small", "complementary"


@dataclass
class Cell:
    """A count as published: its value, and why it is hidden (None when shown)."""

    value: int
    hidden: str | None = None

    def shown(self):
        """The value, or None when hidden."""
        return None if self.hidden else self.value

    def label(self, threshold):
        """The text for exports and the API: the number, "< 5", or "hidden"."""
        if self.hidden == SMALL:
            return f"< {threshold}"
        if self.hidden == COMPLEMENTARY:
            return "hidden"
        return self.value


def _small(value, threshold):
    return 0 < value < threshold


def suppress(rows, totals, measures, threshold):
    """Wrap counts in Cells, hiding small ones and their complements, in place.

    `rows` are dicts holding each of `measures` as an int; `totals` one such dict for the rows'
    sum. A measure's cells add up to its total, so when exactly one cell of a measure is hidden,
    the next-smallest shown cell is hidden too (if there is none, the total is hidden).
    """
    for row in [*rows, totals]:
        for measure in measures:
            value = row[measure]
            row[measure] = Cell(value, SMALL if _small(value, threshold) else None)
    for measure in measures:
        cells = [row[measure] for row in rows]
        hidden = [c for c in cells if c.hidden]
        if len(hidden) != 1 or totals[measure].hidden:
            continue
        shown = sorted((c for c in cells if not c.hidden and c.value > 0), key=lambda c: c.value)
        if shown:
            shown[0].hidden = COMPLEMENTARY
        else:
            totals[measure].hidden = COMPLEMENTARY
    return rows, totals
