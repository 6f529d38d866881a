"""Writes to the knowledge drawn from the articles: the one place its rules are applied.

The admin, the API and the importers call these functions. Each is atomic: bad input
raises ``ValidationError`` naming the field, and nothing is written.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from actors.models import (
    Actor,
    ActorAlias,
    ActorIdentifier,
    Agreement,
    AgreementParty,
    Citation,
    Mention,
    PartyRole,
    TradeFigure,
)
from articles.models import Article
from core.rules import rules_check
from core.services import (
    Part,
    Writer,
    editable_fields,
    model_create,
    model_update,
    row_input,
    row_value,
    writer_declare,
)

# What each service writes: the models' editable fields (core.services.editable_fields).
ACTOR_FIELDS = editable_fields(Actor)
AGREEMENT_FIELDS = editable_fields(Agreement)
TRADE_FIGURE_FIELDS = editable_fields(TradeFigure)


@dataclass(frozen=True)
class PartyInput:
    actor: Actor
    role: str = PartyRole.SIGNATORY


@dataclass(frozen=True)
class CitationInput:
    article: Article
    quote: str


@dataclass(frozen=True)
class IdentifierInput:
    scheme: str
    value: str


# Actors -------------------------------------------------------------------------------


def _aliases_set(*, actor: Actor, names: Sequence[str]) -> bool:
    wanted = {name.strip() for name in names if name.strip()}
    current = set(actor.aliases.values_list("name", flat=True))
    if wanted == current:
        return False
    actor.aliases.filter(name__in=current - wanted).delete()
    for name in sorted(wanted - current):
        alias = ActorAlias(actor=actor, name=name)
        alias.full_clean()
        alias.save()
    return True


def _identifiers_set(*, actor: Actor, identifiers: Sequence[IdentifierInput]) -> bool:
    """Make the actor's identifiers exactly ``identifiers``. Returns whether they changed."""
    wanted = {(item.scheme, item.value.strip()) for item in identifiers}
    current = {(i.scheme, i.value): i for i in ActorIdentifier.objects.filter(actor=actor)}
    if wanted == set(current):
        return False
    for key, stale in current.items():
        if key not in wanted:
            stale.delete()
    for scheme, value in sorted(wanted - set(current)):
        identifier = ActorIdentifier(actor=actor, scheme=scheme, value=value)
        identifier.full_clean()
        identifier.save()
    return True


@transaction.atomic
def actor_create(
    *,
    aliases: Sequence[str] = (),
    identifiers: Sequence[IdentifierInput] = (),
    **fields: Any,
) -> Actor:
    """A new actor from the values of its ``ACTOR_FIELDS`` (the model's defaults for the
    rest), with its aliases and identifiers."""

    def parts(actor: Actor) -> None:
        _aliases_set(actor=actor, names=aliases)
        _identifiers_set(actor=actor, identifiers=identifiers)

    return model_create(Actor, fields, parts=parts)


@transaction.atomic
def actor_update(
    *,
    actor: Actor,
    data: dict[str, Any],
    aliases: Sequence[str] | None = None,
    identifiers: Sequence[IdentifierInput] | None = None,
) -> Actor:
    """Change an actor and, when given, its aliases and identifiers: one change of the
    actor (its ``updated_at``, one version in its history)."""
    if data.get("iso_code") == "":
        data = {**data, "iso_code": None}
    children_changed = False
    if aliases is not None:
        children_changed |= _aliases_set(actor=actor, names=aliases)
    if identifiers is not None:
        children_changed |= _identifiers_set(actor=actor, identifiers=identifiers)
    actor, _ = model_update(
        instance=actor, data=data, fields=ACTOR_FIELDS, children_changed=children_changed
    )
    return actor


# Citations ----------------------------------------------------------------------------


def citations_check(
    citations: Sequence[CitationInput], *, fact: type[Agreement | TradeFigure]
) -> None:
    """Apply the rule book's rules about a fact's citations (``actors/rules.py``): at least
    one, each quote found in its article, no passage twice.

    Public: the admin's inline forms and the spreadsheet import apply the same rules.
    """
    rules_check(fact, "citations", citations)


def _citations_set(
    *, citations: Sequence[CitationInput], agreement=None, trade_figure=None
) -> bool:
    """Make the fact's citations exactly ``citations``. Returns whether they changed."""
    fact = agreement or trade_figure
    citations_check(citations, fact=type(fact))
    existing = {(c.article_id, c.quote): c for c in fact.citations.all()}
    wanted = [(c.article.pk, c.quote) for c in citations]
    if set(existing) == set(wanted):
        return False
    for key, stale in existing.items():
        if key not in wanted:
            stale.delete()
    for citation in citations:
        if (citation.article.pk, citation.quote) in existing:
            continue
        record = Citation(
            article=citation.article,
            quote=citation.quote,
            agreement=agreement,
            trade_figure=trade_figure,
        )
        record.full_clean()
        record.save()
    return True


# Agreements ---------------------------------------------------------------------------


def parties_check(parties: Sequence[PartyInput]) -> None:
    """Apply the rule book's rules about an agreement's parties (``actors/rules.py``): at
    least two, each actor once."""
    rules_check(Agreement, "parties", parties)


def _parties_set(*, agreement: Agreement, parties: Sequence[PartyInput]) -> bool:
    parties_check(parties)
    existing = {p.actor_id: p for p in agreement.parties.all()}
    wanted = {party.actor.pk: party for party in parties}
    changed = False
    for actor_id, stale in existing.items():
        if actor_id not in wanted:
            stale.delete()
            changed = True
    for actor_id, party in wanted.items():
        record = existing.get(actor_id)
        if record is None:
            record = AgreementParty(agreement=agreement, actor=party.actor, role=party.role)
        elif record.role == party.role:
            continue
        record.role = party.role
        record.full_clean()
        record.save()
        changed = True
    return changed


@transaction.atomic
def agreement_create(
    *, parties: Sequence[PartyInput], citations: Sequence[CitationInput], **fields: Any
) -> Agreement:
    """A new agreement from the values of its ``AGREEMENT_FIELDS`` (the model's defaults
    for the rest), with its parties and citations."""

    def parts(agreement: Agreement) -> None:
        _parties_set(agreement=agreement, parties=parties)
        _citations_set(agreement=agreement, citations=citations)

    return model_create(Agreement, fields, parts=parts)


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    data: dict[str, Any],
    parties: Sequence[PartyInput] | None = None,
    citations: Sequence[CitationInput] | None = None,
) -> Agreement:
    """Change an agreement and, when given, its parties and citations: one change of the
    agreement (its ``updated_at``, one version in its history)."""
    children_changed = False
    if parties is not None:
        children_changed |= _parties_set(agreement=agreement, parties=parties)
    if citations is not None:
        children_changed |= _citations_set(agreement=agreement, citations=citations)
    agreement, _ = model_update(
        instance=agreement,
        data=data,
        fields=AGREEMENT_FIELDS,
        children_changed=children_changed,
    )
    return agreement


# Trade figures ------------------------------------------------------------------------


@transaction.atomic
def trade_figure_create(*, citations: Sequence[CitationInput], **fields: Any) -> TradeFigure:
    """A new trade figure from the values of its ``TRADE_FIGURE_FIELDS`` (the model's
    defaults for the rest), with its citations."""
    return model_create(
        TradeFigure,
        fields,
        parts=lambda figure: _citations_set(trade_figure=figure, citations=citations),
    )


@transaction.atomic
def trade_figure_update(
    *,
    trade_figure: TradeFigure,
    data: dict[str, Any],
    citations: Sequence[CitationInput] | None = None,
) -> TradeFigure:
    """Change a trade figure and, when given, its citations: one change of the figure."""
    children_changed = False
    if citations is not None:
        children_changed = _citations_set(trade_figure=trade_figure, citations=citations)
    trade_figure, _ = model_update(
        instance=trade_figure,
        data=data,
        fields=TRADE_FIGURE_FIELDS,
        children_changed=children_changed,
    )
    return trade_figure


# One row at a time ----------------------------------------------------------------------
# The admin's pages for a single alias, identifier, mention, party or citation. A party or
# a citation is checked with its fact's other rows, by the same rules as the fact's page.

ACTOR_ALIAS_FIELDS = ("actor", "name")
ACTOR_IDENTIFIER_FIELDS = ("actor", "scheme", "value")
MENTION_FIELDS = ("article", "actor")
AGREEMENT_PARTY_FIELDS = ("actor", "role")
CITATION_FIELDS = ("article", "quote")


@transaction.atomic
def actor_alias_create(*, actor: Actor, name: str) -> ActorAlias:
    return model_create(ActorAlias, {"actor": actor, "name": name.strip()})


@transaction.atomic
def actor_alias_update(*, alias: ActorAlias, data: dict[str, Any]) -> ActorAlias:
    alias, _ = model_update(instance=alias, data=data, fields=ACTOR_ALIAS_FIELDS)
    return alias


@transaction.atomic
def actor_identifier_create(*, actor: Actor, scheme: str, value: str) -> ActorIdentifier:
    return model_create(
        ActorIdentifier, {"actor": actor, "scheme": scheme, "value": value.strip()}
    )


@transaction.atomic
def actor_identifier_update(
    *, identifier: ActorIdentifier, data: dict[str, Any]
) -> ActorIdentifier:
    identifier, _ = model_update(instance=identifier, data=data, fields=ACTOR_IDENTIFIER_FIELDS)
    return identifier


@transaction.atomic
def mention_create(*, article: Article, actor: Actor) -> Mention:
    return model_create(Mention, {"article": article, "actor": actor})


@transaction.atomic
def mention_update(*, mention: Mention, data: dict[str, Any]) -> Mention:
    mention, _ = model_update(instance=mention, data=data, fields=MENTION_FIELDS)
    return mention


AGREEMENT_PARTY = Part(
    field="parties",
    relation="parties",
    parent=lambda party: party.agreement if party.agreement_id else None,
    to_input=lambda party: PartyInput(actor=party.actor, role=party.role),
)
CITATION = Part(
    field="citations",
    relation="citations",
    parent=lambda citation: citation.fact,
    to_input=lambda citation: CitationInput(article=citation.article, quote=citation.quote),
)


def agreement_party_create(
    *, agreement: Agreement, actor: Actor, role: str = PartyRole.SIGNATORY
) -> AgreementParty:
    return AGREEMENT_PARTY.create(AgreementParty, agreement=agreement, actor=actor, role=role)


def agreement_party_update(*, party: AgreementParty, data: dict[str, Any]) -> AgreementParty:
    return AGREEMENT_PARTY.update(instance=party, data=data, fields=AGREEMENT_PARTY_FIELDS)


def citation_create(
    *,
    article: Article,
    quote: str,
    agreement: Agreement | None = None,
    trade_figure: TradeFigure | None = None,
) -> Citation:
    return CITATION.create(
        Citation, article=article, quote=quote, agreement=agreement, trade_figure=trade_figure
    )


def citation_update(*, citation: Citation, data: dict[str, Any]) -> Citation:
    return CITATION.update(instance=citation, data=data, fields=CITATION_FIELDS)


# Reverting to a version of the history ---------------------------------------------------


def _records_by_pk(model, pks, field: str) -> dict:
    """The records a version names, or a ValidationError on ``field`` if one is gone."""
    found = model._default_manager.in_bulk(set(pks))
    missing = [str(pk) for pk in pks if pk not in found]
    if missing:
        raise ValidationError(
            {
                field: f"This version names a {model._meta.verbose_name} that no longer "
                f"exists (id {', '.join(sorted(set(missing)))})."
            }
        )
    return found


def _citations_from(rows: list[dict]) -> list[CitationInput]:
    articles = _records_by_pk(Article, [row["article"] for row in rows], "citations")
    return [CitationInput(article=articles[row["article"]], quote=row["quote"]) for row in rows]


def actor_children_from_history(children: dict[str, list[dict]]) -> dict[str, list]:
    """The ``aliases`` and ``identifiers`` of actor_update, from a version's children."""
    return {
        "aliases": [row["name"] for row in children["aliases"]],
        "identifiers": [
            IdentifierInput(scheme=row["scheme"], value=row["value"])
            for row in children["identifiers"]
        ],
    }


def agreement_children_from_history(children: dict[str, list[dict]]) -> dict[str, list]:
    """The ``parties`` and ``citations`` of agreement_update, from a version's children."""
    actors = _records_by_pk(Actor, [row["actor"] for row in children["parties"]], "parties")
    return {
        "parties": [
            PartyInput(actor=actors[row["actor"]], role=row["role"]) for row in children["parties"]
        ],
        "citations": _citations_from(children["citations"]),
    }


def trade_figure_children_from_history(children: dict[str, list[dict]]) -> dict[str, list]:
    """The ``citations`` of trade_figure_update, from a version's children."""
    return {"citations": _citations_from(children["citations"])}


# The writers every door calls (core.services.Writer) -------------------------------------

writer_declare(
    Writer(
        Actor,
        actor_create,
        actor_update,
        "actor",
        related={"aliases": row_value("name"), "identifiers": row_input(IdentifierInput)},
        from_history=actor_children_from_history,
    ),
    Writer(
        Agreement,
        agreement_create,
        agreement_update,
        "agreement",
        related={"parties": row_input(PartyInput), "citations": row_input(CitationInput)},
        from_history=agreement_children_from_history,
    ),
    Writer(
        TradeFigure,
        trade_figure_create,
        trade_figure_update,
        "trade_figure",
        related={"citations": row_input(CitationInput)},
        from_history=trade_figure_children_from_history,
    ),
    Writer(
        ActorAlias,
        actor_alias_create,
        actor_alias_update,
        "alias",
        fields=ACTOR_ALIAS_FIELDS,
    ),
    Writer(
        ActorIdentifier,
        actor_identifier_create,
        actor_identifier_update,
        "identifier",
        fields=ACTOR_IDENTIFIER_FIELDS,
    ),
    Writer(Mention, mention_create, mention_update, "mention", fields=MENTION_FIELDS),
    Writer(
        AgreementParty,
        agreement_party_create,
        agreement_party_update,
        "party",
        fields=("agreement", *AGREEMENT_PARTY_FIELDS),
        part=AGREEMENT_PARTY,
    ),
    Writer(
        Citation,
        citation_create,
        citation_update,
        "citation",
        fields=("agreement", "trade_figure", *CITATION_FIELDS),
        part=CITATION,
    ),
)
