"""Candidates proposed from a text: where they stand, why, and what is guessed."""

from datetime import date
from decimal import Decimal

from intake.candidates import CandidateKind, all_candidates, sentences
from intake.parser import parse_page
from intake.tests.helpers import fictional, fictional_index


def candidates_of(name: str, published_on: date | None = None):
    (article,) = parse_page(fictional(name))
    text = article.text
    return text, all_candidates(
        text, fictional_index(), published_on=published_on or article.published_on
    )


def test_mentions_carry_the_offsets_of_every_place_an_actor_is_named():
    text, found = candidates_of("01")

    mentions = {c.values["actor_slug"]: c for c in found[CandidateKind.MENTION]}
    assert set(mentions) == {"veloria", "ostrand"}
    for candidate in mentions.values():
        for occurrence in candidate.occurrences:
            assert text[occurrence.start : occurrence.end] == occurrence.surface
    # "Velorian" is a word of its own, not Veloria's name.
    assert all(o.surface == "Veloria" for o in mentions["veloria"].occurrences)


def test_the_longest_name_wins_and_a_name_shared_by_two_people_is_flagged():
    index = fictional_index()
    text = "Ivo Brenner met Karl Brenner; later Brenner spoke at the Pallastan Gas Company."

    found = all_candidates(text, index)

    assert {c.values["actor_slug"] for c in found[CandidateKind.MENTION]} == {
        "ivo-brenner",
        "tomas-brenner-senior",
        "pallastan-gas",
    }
    (ambiguous,) = found[CandidateKind.AMBIGUOUS]
    assert ambiguous.values["actors"] == ["ivo-brenner", "tomas-brenner-senior"]
    assert text[ambiguous.start : ambiguous.end] == "Brenner"
    assert ambiguous.start == text.index("later Brenner") + len("later ")


def test_trade_figures_read_amount_scale_currency_qualifier_year_and_flow():
    text, found = candidates_of("01")

    figures = [
        (
            c.values["value"],
            c.values["currency"],
            c.values["qualifier"],
            c.values["year"],
            c.values["flow"],
        )
        for c in found[CandidateKind.TRADE_FIGURE]
    ]
    assert figures == [
        (Decimal("41500000.00"), "USD", "exact", 2019, "export"),
        (Decimal("118000000.00"), "USD", "exact", 2023, "export"),
        (Decimal("260000000.00"), "USD", "approximately", 2023, "export"),
        (Decimal("400000000.00"), "USD", "at-most", 2024, "total"),
    ]
    first = found[CandidateKind.TRADE_FIGURE][0]
    assert text[first.start : first.end] == first.quote
    assert first.values["reporter"] == "veloria"
    assert first.values["partner"] == "ostrand"
    assert any("reporter" in guess for guess in first.guesses)


def test_other_currencies_and_amounts_without_a_year():
    _, found = candidates_of("05")

    figures = {c.values["amount_text"]: c.values for c in found[CandidateKind.TRADE_FIGURE]}
    assert figures["$2,300 million"]["value"] == Decimal("2300000000.00")
    assert figures["$2,300 million"]["qualifier"] == "approximately"
    assert figures["$2,300 million"]["year"] is None
    assert figures["40 billion tenge"]["currency"] == "KZT"
    assert figures["40 billion tenge"]["year"] == 2025


def test_nearly_over_and_under_with_the_reporter_taken_from_the_sentence_before():
    _, found = candidates_of("03")

    values = [
        (c.values["qualifier"], c.values["year"], c.values["flow"], c.values["reporter"])
        for c in found[CandidateKind.TRADE_FIGURE]
    ]
    assert values == [
        ("nearly", 2022, "export", "pallastan"),
        ("over", 2023, "export", "pallastan"),
        # Pallastan's imports from Ostrand: the partner follows "from".
        ("under", None, "import", "pallastan"),
    ]


def test_agreements_with_their_dates_precision_and_parties():
    _, found = candidates_of("02", published_on=date(2025, 5, 1))

    agreements = {c.values["title"]: c for c in found[CandidateKind.AGREEMENT]}
    treaty = next(c for c in found[CandidateKind.AGREEMENT] if "April 9" in c.quote)
    assert treaty.values["kind"] == "treaty"
    assert treaty.values["status"] == "signed"
    assert treaty.values["signed_on"] == date(2024, 4, 9)
    assert treaty.values["signed_precision"] == "day"
    assert treaty.values["parties"] == ["karvania", "doremia"]
    memorandum = next(c for c in found[CandidateKind.AGREEMENT] if "memorandum" in c.quote)
    assert memorandum.values["kind"] == "memorandum"
    assert (memorandum.values["signed_on"], memorandum.values["signed_precision"]) == (
        date(2024, 6, 1),
        "month",
    )
    assert "Treaty on Friendship and Good-Neighbourliness" in agreements


def test_a_day_without_a_year_takes_the_publication_year_as_a_guess():
    index = fictional_index()
    text = "On March 4, Veloria and Ostrand signed a treaty."

    (agreement,) = all_candidates(text, index, published_on=date(2025, 6, 1))[
        CandidateKind.AGREEMENT
    ]

    assert agreement.values["signed_on"] == date(2025, 3, 4)
    assert any("publication date" in guess for guess in agreement.guesses)
    (undated,) = all_candidates(text, index)[CandidateKind.AGREEMENT]
    assert undated.values["signed_on"] is None


def test_an_article_without_facts_proposes_none():
    _, found = candidates_of("04")

    assert found[CandidateKind.TRADE_FIGURE] == []
    assert found[CandidateKind.AGREEMENT] == []
    assert [c.values["actor_slug"] for c in found[CandidateKind.MENTION]] == ["doremia"]


def test_sentences_do_not_end_at_abbreviations():
    text = "Armenia signed with the U.S. in January. Dr. Smith agreed."

    assert [text[start:end] for start, end in sentences(text)] == [
        "Armenia signed with the U.S. in January.",
        "Dr. Smith agreed.",
    ]
