"""Reuse the compressed bytes of identical PDF streams (the seeded font subsets).

reportlab deflates every font subset of every document again; with seeded subsets most
certificates embed byte-identical subsets, so a small memo saves most of a render's time.
"""
import zlib
from collections import OrderedDict

from reportlab.pdfbase import pdfdoc

_MEMO_SIZE = 16
_MIN_BYTES = 4096
_memo = OrderedDict()


class MemoisingZCompress(pdfdoc.PDFStreamFilterZCompress):
    """FlateDecode that remembers the output for large inputs it has seen recently."""

    def encode(self, text):
        if isinstance(text, str):
            text = text.encode("utf8")
        if len(text) < _MIN_BYTES:
            return zlib.compress(text)
        cached = _memo.get(text)
        if cached is None:
            cached = _memo[text] = zlib.compress(text)
            if len(_memo) > _MEMO_SIZE:
                _memo.popitem(last=False)
        else:
            _memo.move_to_end(text)
        return cached


def install():
    """Swap reportlab's shared FlateDecode filter for the memoising one (idempotent)."""
    if not isinstance(pdfdoc.PDFZCompress, MemoisingZCompress):
        pdfdoc.PDFZCompress = MemoisingZCompress()
