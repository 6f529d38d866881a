"""Cutting an article's text into plain and cited pieces for the article page."""

from types import SimpleNamespace

from explorer.passages import paragraphs_of, passages_of

TEXT = "First sentence. Second sentence.\n\nThird sentence, which goes on.\n\nLast one."


def cite(quote: str):
    start = TEXT.index(quote)
    return SimpleNamespace(quote=quote, char_start=start, char_end=start + len(quote))


def rendered(paragraphs) -> list[str]:
    """Each paragraph as text, its cited pieces in [brackets] after their passage number."""
    return [
        "".join(
            f"[{piece.passage.number}:{piece.text}]" if piece.passage else piece.text
            for piece in paragraph
        )
        for paragraph in paragraphs
    ]


def test_the_text_without_citations_is_its_paragraphs():
    assert rendered(paragraphs_of(TEXT, [])) == [
        "First sentence. Second sentence.",
        "Third sentence, which goes on.",
        "Last one.",
    ]


def test_each_cited_passage_is_marked_where_it_stands():
    passages = passages_of([cite("Last one."), cite("Second sentence.")])

    assert rendered(paragraphs_of(TEXT, passages)) == [
        "First sentence. [1:Second sentence.]",
        "Third sentence, which goes on.",
        "[2:Last one.]",
    ]


def test_overlapping_citations_are_one_passage_that_holds_both():
    first, second = cite("Second sentence."), cite("sentence.")
    third = cite("First sentence. Second")

    (passage,) = passages_of([first, second, third])

    assert passage.citations == [third, second, first]
    assert (passage.start, passage.end) == (0, len("First sentence. Second sentence."))


def test_a_passage_across_paragraphs_is_marked_in_each_but_anchored_once():
    passages = passages_of([cite("Second sentence.\n\nThird")])

    paragraphs = paragraphs_of(TEXT, passages)

    assert rendered(paragraphs)[:2] == [
        "First sentence. [1:Second sentence.]",
        "[1:Third] sentence, which goes on.",
    ]
    anchored = [piece for paragraph in paragraphs for piece in paragraph if piece.first]
    assert [piece.text for piece in anchored] == ["Second sentence."]
