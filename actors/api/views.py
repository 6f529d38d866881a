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
from actors.models import (
    Actor,
    ActorKind,
    Agreement,
    AgreementKind,
    AgreementStatus,
    Qualifier,
    TradeFigure,
    TradeFlow,
)
from core.rest.facets import Facet, FacetTotals, year_range
from core.rest.viewsets import SLUG_PATTERN, UUID_PATTERN, DatasetViewSet

# The CSV columns of the lists of records inside a record (see core.rest.csv).
CITATION_COLUMNS = {"citation_article_slugs": "article.slug", "citation_quotes": "quote"}


def actor_facet(path: str, description: str, **kwargs) -> Facet:
    """A key that is an actor: its slug, labelled by its name, linked to its record."""
    return Facet(
        path=path,
        lookup="slug",
        label="name",
        view="actors-detail",
        description=description,
        **kwargs,
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
    csv_lists = {
        "identifiers": {"identifiers": lambda identifier: "{scheme}:{value}".format(**identifier)}
    }
    facets = {
        "kind": Facet(
            path="kind", choices=ActorKind, records="kind", description="the kind of actor."
        ),
    }


class AgreementViewSet(DatasetViewSet):
    """Treaties, partnerships, declarations and packages of agreements, with their parties
    and the passages that report them."""

    queryset = Agreement.objects.with_relations()
    default_pagination = "cursor"
    serializer_class = AgreementSerializer
    write_serializer_class = AgreementWriteSerializer
    filterset_class = AgreementFilter
    lookup_value_regex = UUID_PATTERN
    csv_filename = "agreements"
    csv_lists = {
        "parties": {
            "party_slugs": "actor.slug",
            "party_names": "actor.name",
            "party_roles": "role",
        },
        "citations": CITATION_COLUMNS,
    }
    facets = {
        "party": actor_facet(
            "parties__actor",
            "each party (an agreement counts once for each of its parties).",
            many=True,
            records="party",
            repeatable=True,
        ),
        "kind": Facet(path="kind", choices=AgreementKind, records="kind", description="the kind."),
        "status": Facet(
            path="status",
            choices=AgreementStatus,
            records="status",
            description="where the agreement stands.",
        ),
        "year": Facet(
            path="signed_on",
            year=True,
            records=year_range("signed_after", "signed_before"),
            description="the year of signing, however precisely the date is known (null: "
            "no date).",
        ),
    }


class TradeFigureViewSet(DatasetViewSet):
    """Values of trade between two actors that an article states, with the passages."""

    queryset = TradeFigure.objects.with_relations()
    default_pagination = "cursor"
    serializer_class = TradeFigureSerializer
    write_serializer_class = TradeFigureWriteSerializer
    filterset_class = TradeFigureFilter
    lookup_value_regex = UUID_PATTERN
    csv_filename = "trade-figures"
    csv_lists = {"citations": CITATION_COLUMNS}
    facets = {
        "reporter": actor_facet("reporter", "the reporting actor.", records="reporter"),
        "partner": actor_facet("partner", "the partner.", records="partner"),
        "flow": Facet(path="flow", choices=TradeFlow, records="flow", description="the flow."),
        "commodity": Facet(
            path="commodity",
            description="the goods as the source names them (empty: all goods).",
        ),
        "year": Facet(path="year", records="year", description="the year (null: none given)."),
        "qualifier": Facet(
            path="qualifier",
            choices=Qualifier,
            records="qualifier",
            description="how exact the source says the value is.",
        ),
    }
    facet_totals = FacetTotals(value="value", currency="currency")
