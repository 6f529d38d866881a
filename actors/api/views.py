"""The actors, agreements and trade-figures resources of the public API."""

from actors.api.filters import ActorListFilter, AgreementFilter, TradeFigureFilter
from actors.api.serializers import (
    ActorSerializer,
    ActorWriteSerializer,
    AgreementSerializer,
    AgreementWriteSerializer,
    TradeFigureSerializer,
    TradeFigureWriteSerializer,
)
from actors.models import Actor, Agreement, PartyRole, TradeFigure
from actors.services import (
    CitationInput,
    PartyInput,
    actor_create,
    actor_update,
    agreement_create,
    agreement_update,
    trade_figure_create,
    trade_figure_update,
)
from core.rest.viewsets import SLUG_PATTERN, UUID_PATTERN, DatasetViewSet


def _citation_inputs(items) -> list[CitationInput]:
    return [CitationInput(article=item["article"], quote=item["quote"]) for item in items]


def _party_inputs(items) -> list[PartyInput]:
    return [
        PartyInput(actor=item["actor"], role=item.get("role", PartyRole.SIGNATORY))
        for item in items
    ]


def _citation_columns():
    return (
        ("citation_article_slugs", lambda r: [c.article.slug for c in r.citations.all()]),
        ("citation_quotes", lambda r: [c.quote for c in r.citations.all()]),
    )


def _actor_columns(role: str):
    return (
        (f"{role}_slug", lambda r: getattr(r, role).slug),
        (f"{role}_name", lambda r: getattr(r, role).name),
        (f"{role}_kind", lambda r: getattr(r, role).kind),
        (f"{role}_iso_code", lambda r: getattr(r, role).iso_code),
    )


def _timestamps():
    return (
        ("created_at", lambda r: r.created_at.isoformat()),
        ("updated_at", lambda r: r.updated_at.isoformat()),
    )


class ActorViewSet(DatasetViewSet):
    """Countries, people, organizations, companies and initiatives the articles discuss."""

    queryset = Actor.objects.with_relations()
    serializer_class = ActorSerializer
    write_serializer_class = ActorWriteSerializer
    filterset_class = ActorListFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    csv_filename = "actors"
    csv_columns = (
        ("slug", lambda a: a.slug),
        ("name", lambda a: a.name),
        ("kind", lambda a: a.kind),
        ("iso_code", lambda a: a.iso_code),
        ("description", lambda a: a.description),
        ("aliases", lambda a: [alias.name for alias in a.aliases.all()]),
        (
            "identifiers",
            lambda a: [f"{i.scheme}:{i.value}" for i in a.identifiers.all()],
        ),
        *_timestamps(),
    )

    def record_create(self, data):
        return actor_create(**data)

    def record_update(self, record, data):
        aliases = data.pop("aliases", None)
        return actor_update(actor=record, data=data, aliases=aliases)


class AgreementViewSet(DatasetViewSet):
    """Treaties, partnerships, declarations and packages of agreements, with their parties
    and the passages that report them."""

    queryset = Agreement.objects.with_relations()
    serializer_class = AgreementSerializer
    write_serializer_class = AgreementWriteSerializer
    filterset_class = AgreementFilter
    lookup_value_regex = UUID_PATTERN
    model_error_fields = {"signed_on": "signed", "signed_precision": "signed"}
    csv_filename = "agreements"
    csv_columns = (
        ("id", lambda a: a.pk),
        ("title", lambda a: a.title),
        ("kind", lambda a: a.kind),
        ("status", lambda a: a.status),
        ("signed", lambda a: a.signed_display),
        ("signed_precision", lambda a: a.signed_precision),
        ("signed_earliest", lambda a: a.signed_on),
        ("signed_latest", lambda a: a.signed_on_latest),
        ("instrument_count", lambda a: a.instrument_count),
        ("summary", lambda a: a.summary),
        ("party_slugs", lambda a: [p.actor.slug for p in a.parties.all()]),
        ("party_names", lambda a: [p.actor.name for p in a.parties.all()]),
        ("party_roles", lambda a: [p.role for p in a.parties.all()]),
        *_citation_columns(),
        ("review_status", lambda a: a.review_status),
        *_timestamps(),
    )

    @staticmethod
    def _signed(data: dict) -> dict:
        if "signed" in data:
            data["signed_on"], data["signed_precision"] = data.pop("signed") or (None, "")
        return data

    def record_create(self, data):
        data = self._signed(data)
        return agreement_create(
            parties=_party_inputs(data.pop("parties")),
            citations=_citation_inputs(data.pop("citations")),
            **data,
        )

    def record_update(self, record, data):
        data = self._signed(data)
        parties = data.pop("parties", None)
        citations = data.pop("citations", None)
        return agreement_update(
            agreement=record,
            data=data,
            parties=None if parties is None else _party_inputs(parties),
            citations=None if citations is None else _citation_inputs(citations),
        )


class TradeFigureViewSet(DatasetViewSet):
    """Values of trade between two actors that an article states, with the passages."""

    queryset = TradeFigure.objects.with_relations()
    serializer_class = TradeFigureSerializer
    write_serializer_class = TradeFigureWriteSerializer
    filterset_class = TradeFigureFilter
    lookup_value_regex = UUID_PATTERN
    csv_filename = "trade-figures"
    csv_columns = (
        ("id", lambda f: f.pk),
        *_actor_columns("reporter"),
        *_actor_columns("partner"),
        ("flow", lambda f: f.flow),
        ("commodity", lambda f: f.commodity),
        ("year", lambda f: f.year),
        ("value", lambda f: f.value),
        ("currency", lambda f: f.currency),
        ("qualifier", lambda f: f.qualifier),
        ("note", lambda f: f.note),
        *_citation_columns(),
        ("review_status", lambda f: f.review_status),
        *_timestamps(),
    )

    def record_create(self, data):
        return trade_figure_create(citations=_citation_inputs(data.pop("citations")), **data)

    def record_update(self, record, data):
        citations = data.pop("citations", None)
        return trade_figure_update(
            trade_figure=record,
            data=data,
            citations=None if citations is None else _citation_inputs(citations),
        )
