"""An article's text cut into paragraphs of plain and cited pieces, for the article page.

Citations locate their quote in the article's text (``char_start``, ``char_end``). Two
citations may cite the same passage (one sentence stating two figures) or overlapping
ones: the passages that overlap are shown as one highlighted passage, which links to
every fact its citations support.
"""

from dataclasses import dataclass, field


@dataclass
class Passage:
    """A highlighted stretch of the text and the citations it holds."""

    number: int
    start: int
    end: int
    citations: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"passage-{self.number}"


@dataclass
class Piece:
    text: str
    passage: Passage | None = None
    # The first piece of a passage carries its anchor (a passage may cross paragraphs).
    first: bool = False


PARAGRAPH_BREAK = "\n\n"


def passages_of(citations) -> list[Passage]:
    """The citations grouped into passages that do not overlap, in the text's order."""
    passages: list[Passage] = []
    for citation in sorted(citations, key=lambda c: (c.char_start, c.char_end)):
        last = passages[-1] if passages else None
        if last is not None and citation.char_start < last.end:
            last.end = max(last.end, citation.char_end)
            last.citations.append(citation)
        else:
            passages.append(
                Passage(len(passages) + 1, citation.char_start, citation.char_end, [citation])
            )
    return passages


def paragraphs_of(text: str, passages: list[Passage]) -> list[list[Piece]]:
    """``text`` as paragraphs (split at blank lines), each a list of pieces, the cited
    ones carrying their passage."""
    pieces: list[Piece] = []
    position = 0
    for passage in passages:
        if passage.start > position:
            pieces.append(Piece(text[position : passage.start]))
        pieces.append(Piece(text[passage.start : passage.end], passage, first=True))
        position = passage.end
    if position < len(text):
        pieces.append(Piece(text[position:]))

    paragraphs: list[list[Piece]] = [[]]
    for piece in pieces:
        parts = piece.text.split(PARAGRAPH_BREAK)
        for index, part in enumerate(parts):
            if index:
                paragraphs.append([])
            if part.strip():
                paragraphs[-1].append(Piece(part, piece.passage, piece.first and index == 0))
    return [paragraph for paragraph in paragraphs if paragraph]
