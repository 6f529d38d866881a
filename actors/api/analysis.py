"""The analytical answers of the public API, each one request: a pair's trade series with
its mirror, an actor's network and the whole graph (JSON or GraphML), the agreements over
time. The questions are answered by ``actors.analysis``; here they are read from the query
string, refused with a 400 that names the parameter, and written out.
"""

from xml.etree import ElementTree

from django import forms
from django.urls import reverse as django_reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from actors.analysis import (
    EdgeType,
    actor_network,
    agreements_timeline,
    network_graph,
    trade_series,
    value_bounds,
)
from actors.api.filters import ActorReferenceFormField, AgreementFilter
from actors.api.serializers import ActorReferenceSerializer, PartialDateReadField
from actors.models import Actor, Agreement, TradeFigure
from articles.api.serializers import ArticleReferenceSerializer
from core.rest.fast import URL_KEY, FastJSONRenderer

# Links ---------------------------------------------------------------------------------


class ActorLinkSerializer(ActorReferenceSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="actors-detail", lookup_field="slug")

    class Meta(ActorReferenceSerializer.Meta):
        fields = ["slug", "name", "kind", "iso_code", "url"]


class ArticleLinkSerializer(ArticleReferenceSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="articles-detail", lookup_field="slug")

    class Meta(ArticleReferenceSerializer.Meta):
        fields = ["slug", "title", "published", "url"]


class PublicCitationSerializer(serializers.Serializer):
    """A passage of a published article that states the fact."""

    article = ArticleLinkSerializer()
    quote = serializers.CharField()
    char_start = serializers.IntegerField()
    char_end = serializers.IntegerField()


# Trade series --------------------------------------------------------------------------


class BoundsSerializer(serializers.Serializer):
    lower = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        allow_null=True,
        help_text="The least the true value can be: the value for exact, over and at-least "
        "figures; null otherwise.",
    )
    upper = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        allow_null=True,
        help_text="The most the true value can be: the value for exact, nearly, under and "
        "at-most figures; null otherwise.",
    )


class FigureSourceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="trade-figures-detail")
    reporter = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = TradeFigure
        fields = [
            "url",
            "id",
            "reporter",
            "partner",
            "flow",
            "commodity",
            "year",
            "value",
            "currency",
            "qualifier",
        ]


class SeriesFigureSerializer(FigureSourceSerializer):
    """A trade figure in a series: its value, how exact the source says it is, the bounds
    that puts on the true value, and the published passages that state it."""

    bounds = serializers.SerializerMethodField()
    citations = PublicCitationSerializer(many=True, source="public_citations")

    class Meta(FigureSourceSerializer.Meta):
        fields = [*FigureSourceSerializer.Meta.fields, "bounds", "note", "citations"]

    @extend_schema_field(BoundsSerializer)
    def get_bounds(self, figure) -> dict:
        lower, upper = value_bounds(figure)
        return BoundsSerializer({"lower": lower, "upper": upper}).data


class ReportsSerializer(serializers.Serializer):
    by_actor = SeriesFigureSerializer(many=True, help_text="As the actor reports it.")
    by_partner = SeriesFigureSerializer(many=True, help_text="As the partner reports it.")
    disagree = serializers.BooleanField(
        help_text="Both sides report the same goods in the same currency, with different values."
    )


class SeriesYearSerializer(serializers.Serializer):
    partner = ActorLinkSerializer()
    year = serializers.IntegerField(
        allow_null=True, help_text="Null for figures whose source gives no year."
    )
    outbound = ReportsSerializer(
        help_text="Goods from the actor to the partner: the actor's exports (`by_actor`) "
        "next to the partner's imports from the actor (`by_partner`, the mirror)."
    )
    inbound = ReportsSerializer(
        help_text="Goods from the partner to the actor: the actor's imports (`by_actor`) "
        "next to the partner's exports to the actor (`by_partner`, the mirror)."
    )
    total = ReportsSerializer(help_text="Trade in both directions, as each side reports it.")


class TradeSeriesSerializer(serializers.Serializer):
    actor = ActorLinkSerializer()
    partner = ActorLinkSerializer(allow_null=True)
    figure_count = serializers.IntegerField()
    years = SeriesYearSerializer(many=True)


class TradeSeriesForm(forms.Form):
    actor = ActorReferenceFormField(
        help_text="The actor (slug, ISO code, name or alias) whose trade this is."
    )
    partner = ActorReferenceFormField(
        required=False,
        help_text="The partner (slug, ISO code, name or alias); leave out for every partner.",
    )
    commodity = forms.CharField(
        required=False, help_text="Only figures whose goods contain this text, ignoring case."
    )
    year_min = forms.IntegerField(
        required=False, min_value=1, max_value=9999, help_text="From this year."
    )
    year_max = forms.IntegerField(
        required=False, min_value=1, max_value=9999, help_text="Up to this year."
    )

    def clean(self):
        data = super().clean()
        if data.get("actor") and data.get("actor") == data.get("partner"):
            raise forms.ValidationError({"partner": "The partner must differ from the actor."})
        return data


def form_parameters(form_class) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            name,
            OpenApiTypes.INT if isinstance(field, forms.IntegerField) else OpenApiTypes.STR,
            required=field.required,
            description=str(field.help_text),
        )
        for name, field in form_class.base_fields.items()
    ]


class AnalysisView(APIView):
    """A read-only answer computed from the published records: anyone may ask."""

    permission_classes = [AllowAny]
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer]
    form_class: type[forms.Form] | None = None

    def known_params(self) -> set[str]:
        return set(self.form_class.base_fields) if self.form_class else set()

    def params(self) -> dict:
        """The query string, read by ``form_class``; a parameter this answer does not take,
        or one it cannot use, is a 400 naming it."""
        query = self.request.query_params
        known = self.known_params() | {"format"}
        unknown = sorted(set(query) - known)
        if unknown:
            raise ValidationError(
                {
                    name: [f"Unknown parameter. This answer takes: {', '.join(sorted(known))}."]
                    for name in unknown
                }
            )
        if self.form_class is None:
            return {}
        form = self.form_class(query)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return form.cleaned_data


SERIES_EXAMPLE = {
    "actor": {
        "slug": "mongolia",
        "name": "Mongolia",
        "kind": "country",
        "iso_code": "MN",
        "url": "http://localhost:8000/api/v1/actors/mongolia/",
    },
    "partner": {"slug": "kazakhstan", "name": "Kazakhstan", "kind": "country"},
    "figure_count": 5,
    "years": [
        {
            "partner": {"slug": "kazakhstan", "name": "Kazakhstan"},
            "year": 2017,
            "outbound": {
                "by_actor": [
                    {
                        "flow": "export",
                        "commodity": "horse meat",
                        "value": "2900000.00",
                        "qualifier": "exact",
                        "bounds": {"lower": "2900000.00", "upper": "2900000.00"},
                    }
                ],
                "by_partner": [],
                "disagree": False,
            },
            "inbound": {
                "by_actor": [],
                "by_partner": [
                    {
                        "flow": "export",
                        "reporter": "kazakhstan",
                        "value": "72900000.00",
                        "qualifier": "approximately",
                        "bounds": {"lower": None, "upper": None},
                    }
                ],
                "disagree": False,
            },
            "total": {"by_actor": [], "by_partner": [], "disagree": False},
        }
    ],
}


def _address(request, view_name: str) -> str:
    """The absolute address of ``view_name``'s record with ``{}`` for its key."""
    return request.build_absolute_uri(django_reverse(view_name, args=[URL_KEY])).replace(
        URL_KEY, "{}"
    )


def _amount(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def series_json(series, request) -> dict:
    """The series as ``TradeSeriesSerializer`` writes it, built directly: a busy pair has
    thousands of figures, which DRF's fields would take seconds to write."""
    figure_url = _address(request, "trade-figures-detail")
    article_url = _address(request, "articles-detail")
    actor_url = _address(request, "actors-detail")

    def actor(record):
        if record is None:
            return None
        return {
            "slug": record.slug,
            "name": record.name,
            "kind": record.kind,
            "iso_code": record.iso_code,
            "url": actor_url.format(record.slug),
        }

    def figure(record):
        lower, upper = value_bounds(record)
        return {
            "url": figure_url.format(record.pk),
            "id": str(record.pk),
            "reporter": record.reporter.slug,
            "partner": record.partner.slug,
            "flow": record.flow,
            "commodity": record.commodity,
            "year": record.year,
            "value": _amount(record.value),
            "currency": record.currency,
            "qualifier": record.qualifier,
            "bounds": {"lower": _amount(lower), "upper": _amount(upper)},
            "note": record.note,
            "citations": [
                {
                    "article": {
                        "slug": c.article.slug,
                        "title": c.article.title,
                        "published": c.article.published_on and c.article.published_on.isoformat(),
                        "url": article_url.format(c.article.slug),
                    },
                    "quote": c.quote,
                    "char_start": c.char_start,
                    "char_end": c.char_end,
                }
                for c in record.public_citations
            ],
        }

    def reports(part):
        return {
            "by_actor": [figure(f) for f in part.by_actor],
            "by_partner": [figure(f) for f in part.by_partner],
            "disagree": part.disagree,
        }

    return {
        "actor": actor(series.actor),
        "partner": actor(series.partner),
        "figure_count": series.figure_count,
        "years": [
            {
                "partner": actor(row.partner),
                "year": row.year,
                "outbound": reports(row.outbound),
                "inbound": reports(row.inbound),
                "total": reports(row.total),
            }
            for row in series.years
        ],
    }


class TradeSeriesView(AnalysisView):
    """The trade between an actor and a partner (or every partner), year by year, each
    flow next to its mirror: what the actor reports exporting to the partner beside what
    the partner reports importing from it, and the other way round, so that a reader sees
    where the sources disagree. Published figures only, each with its qualifier, the
    bounds it puts on the true value, and the passages of published articles that state
    it. Figures whose source gives no year come last, under `year: null`."""

    form_class = TradeSeriesForm

    @extend_schema(
        operation_id="trade_series",
        tags=["analysis"],
        parameters=form_parameters(TradeSeriesForm),
        responses=TradeSeriesSerializer,
        examples=[
            OpenApiExample(
                "Mongolia and Kazakhstan",
                summary="?actor=mongolia&partner=kazakhstan (abridged)",
                value=SERIES_EXAMPLE,
                response_only=True,
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        params = self.params()
        series = trade_series(
            actor=params["actor"],
            partner=params.get("partner"),
            commodity=params.get("commodity") or "",
            year_min=params.get("year_min"),
            year_max=params.get("year_max"),
        )
        return Response(series_json(series, request))


# Network -------------------------------------------------------------------------------


class AgreementSourceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="agreements-detail")
    signed = PartialDateReadField(model_fields=Agreement.partial_dates["signed"], allow_null=True)

    class Meta:
        model = Agreement
        fields = ["url", "id", "title", "kind", "status", "signed"]


SOURCE_SERIALIZERS = {
    EdgeType.AGREEMENT: AgreementSourceSerializer,
    EdgeType.TRADE: FigureSourceSerializer,
    EdgeType.CO_MENTION: ArticleLinkSerializer,
}


class EdgeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=[(t, EdgeType.LABELS[t]) for t in EdgeType.ALL],
        help_text="`agreement`: parties to the same agreements; `trade`: trade figures "
        "between them, either reporting; `co-mention`: articles that discuss both.",
    )
    weight = serializers.IntegerField(help_text="How many records link them: the sources.")
    records = serializers.SerializerMethodField(
        help_text="The list of the sources, where a list selects exactly them."
    )
    sources = serializers.SerializerMethodField(
        help_text="The published agreements, trade figures or articles behind the edge."
    )

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "oneOf": [
                    {"$ref": "#/components/schemas/AgreementSource"},
                    {"$ref": "#/components/schemas/FigureSource"},
                    {"$ref": "#/components/schemas/ArticleLink"},
                ]
            },
        }
    )
    def get_sources(self, edge) -> list:
        serializer = SOURCE_SERIALIZERS[edge.type]
        return serializer(edge.sources, many=True, context=self.context).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_records(self, edge) -> str | None:
        pair = self.context["pair"]
        if edge.type == EdgeType.CO_MENTION:
            return None
        name, param = (
            ("agreements-list", "party") if edge.type == EdgeType.AGREEMENT else
            ("trade-figures-list", "actor")
        )  # fmt: skip
        url = reverse(name, request=self.context["request"])
        return f"{url}?{param}={pair[0]}&{param}={pair[1]}"


class NeighbourSerializer(serializers.Serializer):
    actor = ActorLinkSerializer()
    weight = serializers.IntegerField(help_text="The sum of the edges' weights.")
    edges = serializers.SerializerMethodField()

    @extend_schema_field(EdgeSerializer(many=True))
    def get_edges(self, neighbour) -> list:
        context = {**self.context, "pair": (self.context["actor"].slug, neighbour.actor.slug)}
        return EdgeSerializer(neighbour.edges, many=True, context=context).data


class ActorNetworkSerializer(serializers.Serializer):
    actor = ActorLinkSerializer()
    neighbours = NeighbourSerializer(many=True)


class EdgeTypesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[(t, EdgeType.LABELS[t]) for t in EdgeType.ALL], required=False, **kwargs
        )


class NetworkForm(forms.Form):
    type = EdgeTypesField(
        help_text="Only edges of this type: `agreement`, `trade` or `co-mention`; repeat "
        "the parameter for several. Every type by default."
    )


TYPE_PARAMETER = OpenApiParameter(
    "type",
    {"type": "array", "items": {"type": "string", "enum": list(EdgeType.ALL)}},
    description=str(NetworkForm.base_fields["type"].help_text),
    explode=True,
)


def edge_types(params: dict) -> tuple[str, ...]:
    return tuple(params.get("type") or EdgeType.ALL)


NETWORK_EXAMPLE = {
    "actor": {"slug": "azerbaijan", "name": "Azerbaijan", "kind": "country", "iso_code": "AZ"},
    "neighbours": [
        {
            "actor": {"slug": "china", "name": "China", "kind": "country", "iso_code": "CN"},
            "weight": 5,
            "edges": [
                {
                    "type": "agreement",
                    "weight": 2,
                    "records": "http://localhost:8000/api/v1/agreements/?party=azerbaijan&party=china",
                    "sources": [
                        {
                            "title": "Comprehensive Strategic Partnership between Azerbaijan "
                            "and China",
                            "kind": "strategic-partnership",
                            "status": "signed",
                            "signed": "2025-04",
                        }
                    ],
                },
                {
                    "type": "trade",
                    "weight": 1,
                    "records": "http://localhost:8000/api/v1/trade-figures/?actor=azerbaijan&actor=china",
                    "sources": [
                        {
                            "reporter": "azerbaijan",
                            "partner": "china",
                            "flow": "total",
                            "year": 2024,
                            "value": "3740000000.00",
                            "currency": "USD",
                            "qualifier": "nearly",
                        }
                    ],
                },
            ],
        }
    ],
}


class ActorNetworkView(AnalysisView):
    """An actor's neighbours: the other parties of its published agreements, its trade
    partners in published figures, the actors that published articles discuss with it.
    Each neighbour has one edge per type of link, weighted by the number of records behind
    it and listing them; the heaviest neighbours first."""

    form_class = NetworkForm

    @extend_schema(
        operation_id="actor_network",
        tags=["analysis"],
        parameters=[TYPE_PARAMETER],
        responses=ActorNetworkSerializer,
        examples=[
            OpenApiExample(
                "Azerbaijan",
                summary="actors/azerbaijan/network/ (abridged)",
                value=NETWORK_EXAMPLE,
                response_only=True,
            )
        ],
    )
    def get(self, request, slug: str, *args, **kwargs):
        params = self.params()
        actor = Actor.objects.filter(slug=slug).first()
        if actor is None:
            raise NotFound("No Actor matches the given query.")
        network = actor_network(actor=actor, types=edge_types(params))
        context = {"request": request, "actor": actor}
        return Response(ActorNetworkSerializer(network, context=context).data)


class GraphMLRenderer(BaseRenderer):
    """The graph as GraphML (Gephi, Cytoscape, networkx, igraph read it)."""

    media_type = "application/graphml+xml"
    format = "graphml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        ns = "http://graphml.graphdrawing.org/xmlns"
        root = ElementTree.Element("graphml", xmlns=ns)
        keys = [
            ("label", "node", "string"),
            ("kind", "node", "string"),
            ("iso_code", "node", "string"),
            ("url", "node", "string"),
            ("type", "edge", "string"),
            ("weight", "edge", "int"),
        ]
        for name, owner, type_ in keys:
            ElementTree.SubElement(
                root, "key", {"id": name, "for": owner, "attr.name": name, "attr.type": type_}
            )
        graph = ElementTree.SubElement(root, "graph", id="caci", edgedefault="undirected")
        for node in data["nodes"]:
            element = ElementTree.SubElement(graph, "node", id=node["id"])
            for name in ("label", "kind", "iso_code", "url"):
                if node.get(name) is not None:
                    ElementTree.SubElement(element, "data", key=name).text = str(node[name])
        for number, edge in enumerate(data["edges"]):
            element = ElementTree.SubElement(
                graph, "edge", id=f"e{number}", source=edge["source"], target=edge["target"]
            )
            ElementTree.SubElement(element, "data", key="type").text = edge["type"]
            ElementTree.SubElement(element, "data", key="weight").text = str(edge["weight"])
        ElementTree.indent(root)
        return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


GRAPH_SCHEMA = inline_serializer(
    "Graph",
    {
        "nodes": inline_serializer(
            "GraphNode",
            {
                "id": serializers.CharField(help_text="The actor's slug."),
                "label": serializers.CharField(help_text="The actor's name."),
                "kind": serializers.CharField(),
                "iso_code": serializers.CharField(allow_null=True),
                "url": serializers.URLField(),
            },
            many=True,
        ),
        "edges": inline_serializer(
            "GraphEdge",
            {
                "source": serializers.CharField(help_text="One actor's slug."),
                "target": serializers.CharField(help_text="The other's."),
                "type": serializers.ChoiceField(choices=list(EdgeType.ALL)),
                "weight": serializers.IntegerField(
                    help_text="How many published agreements, figures or articles link them."
                ),
            },
            many=True,
        ),
    },
)


class NetworkGraphView(AnalysisView):
    """The whole network of actors, for network tools: the actors that have a link, and one
    undirected edge per pair and type of link (`agreement`, `trade`, `co-mention`),
    weighted by the number of published records behind it. As a JSON node and edge list,
    or as GraphML with `format=graphml`."""

    form_class = NetworkForm
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer, GraphMLRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        # Only the graph is GraphML; an error answers as every API error does (a problem
        # details document), whatever the client accepts.
        if response.status_code >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), GraphMLRenderer
        ):
            request.accepted_renderer = FastJSONRenderer()
            request.accepted_media_type = FastJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        operation_id="network_graph",
        tags=["analysis"],
        parameters=[
            TYPE_PARAMETER,
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "graphml"],
                description="`graphml` for GraphML (or send `Accept: application/graphml+xml`).",
            ),
        ],
        responses={(200, "application/json"): GRAPH_SCHEMA, (200, "application/graphml+xml"): str},
    )
    def get(self, request, *args, **kwargs):
        params = self.params()
        graph = network_graph(types=edge_types(params))
        slugs = {actor.pk: actor.slug for actor in graph.nodes}
        nodes = [
            {
                "id": actor.slug,
                "label": actor.name,
                "kind": actor.kind,
                "iso_code": actor.iso_code,
                "url": request.build_absolute_uri(
                    django_reverse("actors-detail", args=[actor.slug])
                ),
            }
            for actor in graph.nodes
        ]
        edges = [
            {
                "source": slugs[edge.source],
                "target": slugs[edge.target],
                "type": edge.type,
                "weight": edge.weight,
            }
            for edge in graph.edges
        ]
        response = Response({"nodes": nodes, "edges": edges})
        if getattr(request.accepted_renderer, "format", "") == "graphml":
            response["Content-Disposition"] = 'attachment; filename="caci-network.graphml"'
        return response


# Agreements over time ------------------------------------------------------------------


class PartyLinkSerializer(serializers.Serializer):
    actor = ActorLinkSerializer()
    role = serializers.CharField()


class TimelineAgreementSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="agreements-detail")
    signed = PartialDateReadField(
        model_fields=Agreement.partial_dates["signed"],
        help_text="The date as far as it is known: 2025-04-17, 2025-04 or 2025.",
    )
    start = serializers.DateField(
        source="signed_on", help_text="The first day the date can stand for."
    )
    end = serializers.DateField(
        source="signed_on_latest",
        help_text="The last day it can stand for: the day itself, the month's last day, or "
        "31 December for a date known to the year.",
    )
    parties = PartyLinkSerializer(many=True)

    class Meta:
        model = Agreement
        fields = [
            "url",
            "id",
            "title",
            "kind",
            "status",
            "signed",
            "signed_precision",
            "start",
            "end",
            "parties",
        ]


class TimelineYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField(help_text="Agreements signed in the year.")
    by_precision = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Of which known to the `day`, the `month`, or only the `year` (spanning "
        "the whole year).",
    )


class TimelineSerializer(serializers.Serializer):
    years = TimelineYearSerializer(many=True)
    undated = serializers.IntegerField(help_text="Agreements whose source gives no date.")
    agreements = TimelineAgreementSerializer(
        many=True, help_text="The dated agreements by the first day of their period."
    )
    truncated = serializers.BooleanField(
        help_text="More dated agreements than listed (the counts are whole): narrow the "
        "filters to list them all."
    )


class AgreementsTimelineView(AnalysisView):
    """The agreements over time, each spanning the period its date can stand for: a day, a
    month for a date known to the month, a whole year for a date known to the year (not 1
    January). Counts per year, split by precision, and the dated agreements in order; the
    agreements list's filters apply (`party`, `kind`, `status`, `signed_after`…)."""

    def known_params(self) -> set[str]:
        return set(AgreementFilter.base_filters) - {"ordering"}

    @extend_schema(
        operation_id="agreements_timeline",
        tags=["analysis"],
        filters=False,
        parameters=[
            OpenApiParameter(
                name,
                {"type": "array", "items": {"type": "string"}}
                if name == "party"
                else OpenApiTypes.STR,
                description=str(AgreementFilter.base_filters[name].extra.get("help_text", "")),
                explode=name == "party",
            )
            for name in AgreementFilter.base_filters
            if name != "ordering"
        ],
        responses=TimelineSerializer,
        examples=[
            OpenApiExample(
                "A date known to the year",
                summary="?signed_after=2022-01-01&signed_before=2022-12-31 (abridged)",
                value={
                    "years": [{"year": 2022, "count": 1, "by_precision": {"year": 1}}],
                    "undated": 0,
                    "agreements": [
                        {
                            "title": "Russia–Iran natural gas pipeline through Azerbaijani "
                            "territory",
                            "kind": "other",
                            "status": "agreed",
                            "signed": "2022",
                            "signed_precision": "year",
                            "start": "2022-01-01",
                            "end": "2022-12-31",
                        }
                    ],
                    "truncated": False,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        self.params()
        filters = AgreementFilter(
            request.query_params, queryset=Agreement.objects.all(), request=request
        )
        if not filters.is_valid():
            raise ValidationError({name: list(errors) for name, errors in filters.errors.items()})
        timeline = agreements_timeline(agreements=filters.qs)
        return Response(TimelineSerializer(timeline, context={"request": request}).data)
