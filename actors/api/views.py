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
from actors.models import Actor, Agreement, TradeFigure
from core.rest.viewsets import SLUG_PATTERN, UUID_PATTERN, DatasetViewSet

# The CSV columns of the lists of records inside a record (see core.rest.csv).
CITATION_COLUMNS = {"citation_article_slugs": "article.slug", "citation_quotes": "quote"}


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


class AgreementViewSet(DatasetViewSet):
    """Treaties, partnerships, declarations and packages of agreements, with their parties
    and the passages that report them."""

    queryset = Agreement.objects.with_relations()
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


class TradeFigureViewSet(DatasetViewSet):
    """Values of trade between two actors that an article states, with the passages."""

    queryset = TradeFigure.objects.with_relations()
    serializer_class = TradeFigureSerializer
    write_serializer_class = TradeFigureWriteSerializer
    filterset_class = TradeFigureFilter
    lookup_value_regex = UUID_PATTERN
    csv_filename = "trade-figures"
    csv_lists = {"citations": CITATION_COLUMNS}
