"""Finding a quote in an article's text: the one matcher every door uses.

A quote matches when its words occur in the text in order, separated by any run of
whitespace. Offsets are counted in the text itself.
"""

import re
from bisect import bisect_left


class CollapsedText:
    """An article's text with every run of whitespace read as one space, for finding quotes.

    A quote's words separated by any run of whitespace are a plain substring search in the
    collapsed text, mapped back to offsets in the text itself. An article is collapsed once
    for all the quotes that cite it (the importer looks up thousands per article).
    """

    def __init__(self, text: str):
        self.text = text
        # str.split and \s agree on what white space is; splitting and joining is several
        # times faster than substituting every run.
        collapsed = " ".join(text.split())
        if collapsed:
            lead = " " if text[0].isspace() else ""
            trail = " " if text[-1].isspace() else ""
            collapsed = f"{lead}{collapsed}{trail}"
        elif text:
            collapsed = " "
        self.collapsed = collapsed
        # Where a run longer than one character shrank: (collapsed position, total shift).
        self._at: list[int] = []
        self._shift: list[int] = []
        shift = 0
        for run in _LONG_RUN.finditer(text):
            shift += run.end() - run.start() - 1
            self._at.append(run.start() - (shift - (run.end() - run.start() - 1)))
            self._shift.append(shift)

    def _original(self, position: int) -> int:
        """Offset in the text of the collapsed text's character at ``position``."""
        runs_before = bisect_left(self._at, position)
        return position + (self._shift[runs_before - 1] if runs_before else 0)

    def locate(self, quote: str) -> tuple[int, int] | None:
        words = quote.split()
        if not words:
            return None
        joined = " ".join(words)
        at = self.collapsed.find(joined)
        if at == -1:
            return None
        return self._original(at), self._original(at + len(joined) - 1) + 1


_LONG_RUN = re.compile(r"\s\s+")  # the same as \s{2,}, found twice as fast


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` stands in ``text``, comparing runs of whitespace as one space.

    Returns the (start, end) character offsets in ``text`` itself, or None when the quote
    does not occur.
    """
    return CollapsedText(text).locate(quote)
