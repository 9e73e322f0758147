"""Readable side-by-side line diffs (rows for a template, which escapes every text)."""
import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff; kind is equal, replace, delete, insert or gap."""

    kind: str
    left_number: int | None
    left: str
    right_number: int | None
    right: str


def side_by_side(old: str | None, new: str | None, context: int = 3) -> list[DiffRow]:
    """The changed lines of `old` → `new` with `context` lines around them; [] when equal."""
    left, right = (old or "").split("\n"), (new or "").split("\n")
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    rows: list[DiffRow] = []
    for group_index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if group_index:
            rows.append(DiffRow("gap", None, "", None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [DiffRow("equal", i + 1, left[i], j + 1, right[j])
                         for i, j in zip(range(i1, i2), range(j1, j2))]
                continue
            for offset in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + offset, j1 + offset
                has_left, has_right = i < i2, j < j2
                kind = tag if tag != "replace" else (
                    "replace" if has_left and has_right else "delete" if has_left else "insert")
                rows.append(DiffRow(kind, i + 1 if has_left else None,
                                    left[i] if has_left else "",
                                    j + 1 if has_right else None,
                                    right[j] if has_right else ""))
    if rows and all(row.kind in ("equal", "gap") for row in rows):
        return []
    return rows
