"""The read path of the API: records straight from database rows, written by orjson.

A read serializer declares what a record reads as: its fields, their sources and their
schema (drf-spectacular reads it). DRF would build each record field by field from model
instances, which costs about ten times the query. ``RecordReader`` reads the same
declaration once and turns it into one query and one function of a row:

- a field of the record is a column (``source`` read as a path: ``author.slug`` is
  ``author__slug``); a field computed from several columns (``model_fields``, a partial
  date) gets those columns;
- a record inside it (``reporter``) is its columns, joined;
- a list of records or values inside it (``citations``, ``aliases``) is aggregated as
  JSON by the database, in a subquery per list, in the order the relation (or the
  viewset's ``Prefetch``) gives it;
- the record's address is its lookup value inside the address DRF would build.

Values leave the row as DRF's fields would write them: a field whose value orjson writes
exactly as DRF does (text, numbers, dates, UUIDs, UTC date-times) is passed through; any
other field's own ``to_representation`` is called. A field the reader cannot take from
the database (a ``SerializerMethodField``, a property) is refused when the reader is
built: the serializer then reads that resource. Every resource's JSON is compared, in the
tests, with its serializer's.
"""

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

import orjson
from django.db.models import F, Func, OuterRef, Prefetch, Subquery, TextField, Value
from django.urls import reverse as django_reverse
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.reverse import reverse

from core.editorial import PublicationQuerySet, can_see_unpublished

# Fields whose value orjson writes exactly as DRF's to_representation does (the exact
# class: a subclass may write differently).
PASSED_THROUGH = {
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DateTimeField,  # UTC (settings.TIME_ZONE): orjson writes "…Z" as DRF does
    serializers.EmailField,
    serializers.IntegerField,
    serializers.SlugField,
    serializers.URLField,
    serializers.UUIDField,
}
# Inside a list aggregated by the database, a value is written by the database's JSON
# functions: only text, whole numbers and dates read the same there.
JSON_NATIVE = {
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.IntegerField,
    serializers.SlugField,
}
# A value that satisfies any URL pattern of the API, replaced by each record's own.
URL_KEY = "00000000-0000-4000-8000-000000000000"
ORJSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS

Getter = Callable[[dict], Any]


class JSONBuildObject(Func):
    """A JSON object of ``key, value, …`` pairs, its keys in the order given (PostgreSQL's
    ``json_build_object``, not the ``jsonb`` one, which sorts them)."""

    function = "JSON_BUILD_OBJECT"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="JSON_OBJECT", **extra)


class JSONList(Subquery):
    """The ``j`` values of a subquery's rows as a JSON array (text), in the subquery's
    order; ``[]`` when it has no rows.

    The subquery depends only on the query it is part of (the table its ``OuterRef``
    names, and the prefix of its own aliases), never on a request: it is resolved and
    compiled once for each such query and kept, which saves most of the cost of
    building a page's query.
    """

    output_field = TextField()

    def __init__(self, queryset, *, objects: bool):
        self.objects = objects
        self.resolved: dict[tuple, JSONList] = {}
        self.compiled: dict[tuple, tuple[str, tuple]] = {}
        super().__init__(queryset)

    def resolve_expression(self, query=None, *args, **kwargs):
        if query is None:
            return super().resolve_expression(query, *args, **kwargs)
        key = (query.alias_prefix, query.get_initial_alias(), args, tuple(kwargs.items()))
        if key not in self.resolved:
            resolved = super().resolve_expression(query, *args, **kwargs)
            resolved.compiled = {}
            self.resolved[key] = resolved
        return self.resolved[key]

    def as_sql(self, compiler, connection, template=None, **extra):
        key = (connection.vendor, compiler.query.alias_prefix, compiler.query.get_initial_alias())
        if key not in self.compiled:
            sql, params = super().as_sql(compiler, connection, **extra)
            if connection.vendor == "postgresql":
                sql = f"(SELECT COALESCE(json_agg(_l.j), '[]')::text FROM {sql} _l)"
            else:
                item = "json(_l.j)" if self.objects else "_l.j"
                sql = f"(SELECT json_group_array({item}) FROM {sql} _l)"
            self.compiled[key] = (sql, tuple(params))
        return self.compiled[key]


def _path(prefix: str, source: str) -> str:
    return prefix + source.replace(".", "__")


def _relation(model, name: str, prefetches: dict[str, Prefetch]):
    """The model, and its records related to ``OuterRef("pk")``, that a list named
    ``name`` reads: the viewset's ``Prefetch`` of that name when it has one (its queryset
    and order), else the relation of that name in its default order. Not yet filtered by
    ``OuterRef``: the reader may first keep only what its reader may open."""
    prefetch = prefetches.get(name)
    relation = prefetch.prefetch_through if prefetch else name
    field = model._meta.get_field(relation)
    child = field.related_model
    back = field.field.name if field.auto_created else field.related_query_name()
    queryset = prefetch.queryset if prefetch and prefetch.queryset is not None else None
    if queryset is None:
        queryset = child._default_manager.all()
    return child, queryset, back


def _json_value(field, prefix: str):
    """The SQL expression that writes ``field`` as JSON inside an aggregated list."""
    if isinstance(field, serializers.Serializer):
        return _json_object(field, _path(prefix, field.source) + "__")
    if type(field) not in JSON_NATIVE:
        raise TypeError(f"{field!r} cannot be written by the database's JSON functions.")
    return F(_path(prefix, field.source))


def _json_object(serializer, prefix: str = "") -> JSONBuildObject:
    pairs = []
    for name, field in serializer.fields.items():
        pairs += [Value(name), _json_value(field, prefix)]
    return JSONBuildObject(*pairs)


def _nested_getter(getters: dict[str, Getter], nullable_key: str | None):
    names, parts = list(getters), list(getters.values())

    def get(row: dict) -> dict | None:
        if nullable_key is not None and row[nullable_key] is None:
            return None
        return dict(zip(names, [part(row) for part in parts], strict=True))

    return get


def _represented(key: str, field) -> Getter:
    def get(row: dict):
        value = row[key]
        return None if value is None else field.to_representation(value)

    return get


class RecordReader:
    """What a read serializer writes, read from rows (see the module doc).

    ``withheld``: the reviewed models whose unpublished records the reader's lists leave
    out (a list of records whose queryset is a ``PublicationQuerySet`` keeps its
    ``public()`` records when its reviewed model is one of them): the models the reader
    of a request cannot see unpublished. ``reviewed_models`` says which models the lists
    depend on, so that a viewset knows which reader a request needs.
    """

    def __init__(self, serializer_class, queryset, withheld: frozenset = frozenset()):
        model = queryset.model
        self.withheld = withheld
        self.reviewed_models: set = set()
        self.prefetches = {
            (lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup): (
                lookup if isinstance(lookup, Prefetch) else Prefetch(lookup)
            )
            for lookup in queryset._prefetch_related_lookups
        }
        self.columns: list[str] = ["pk"]
        self.lists: dict[str, JSONList] = {}
        self.urls: list[tuple[str, Any]] = []
        serializer = serializer_class()
        self.getters = self._getters(serializer, model, "", top=True)
        self.names = list(self.getters)
        # Built once: resolving two dozen columns and their joins is most of the cost
        # of making a page's query.
        self.base = self.queryset(queryset)
        # The viewset's own queryset, for other readings of the same records (the CSV).
        self.source = queryset.prefetch_related(None)

    # Building ----------------------------------------------------------------------

    def _column(self, path: str) -> str:
        if path not in self.columns:
            self.columns.append(path)
        return path

    def _getters(self, serializer, model, prefix: str, *, top: bool = False) -> dict:
        return {
            name: self._getter(name, field, model, prefix, top)
            for name, field in serializer.fields.items()
        }

    def _getter(self, name: str, field, model, prefix: str, top: bool) -> Getter:
        if isinstance(field, serializers.HyperlinkedIdentityField) and top:
            key = self._column(_path(prefix, field.lookup_field))
            self.urls.append((name, field))
            return lambda row, key=key, name=name: row["_urls"][name].format(row[key])
        if isinstance(field, serializers.ListSerializer | serializers.ManyRelatedField):
            return self._list_getter(name, field, model, prefix)
        if isinstance(field, serializers.Serializer):
            return self._record_getter(field, model, prefix)
        model_fields = getattr(field, "model_fields", None)
        if model_fields and field.source == "*":
            keys = [self._column(_path(prefix, column)) for column in model_fields]

            def computed(row, keys=keys, columns=model_fields, field=field):
                values = dict(zip(columns, (row[key] for key in keys), strict=True))
                return field.to_representation(SimpleNamespace(**values))

            return computed
        if (
            isinstance(field, serializers.SerializerMethodField | serializers.HiddenField)
            or field.source == "*"
        ):
            raise TypeError(f"{name}: {field!r} is not read from columns.")
        key = self._column(_path(prefix, field.source))
        if type(field) in PASSED_THROUGH:
            return itemgetter(key)
        return _represented(key, field)

    def _record_getter(self, field, model, prefix: str) -> Getter:
        relation = model._meta.get_field(field.source)
        inner = _path(prefix, field.source) + "__"
        nullable = None
        if relation.null:
            nullable = self._column(_path(prefix, relation.attname))
        getters = self._getters(field, relation.related_model, inner)
        return _nested_getter(getters, nullable)

    def _list_getter(self, name: str, field, model, prefix: str) -> Getter:
        if prefix:
            raise TypeError(f"{name}: a list inside a record inside a record.")
        _, queryset, back = _relation(model, field.source, self.prefetches)
        queryset = self.list_queryset(queryset).filter(**{back: OuterRef("pk")})
        if isinstance(field, serializers.ManyRelatedField):
            slug = field.child_relation
            if type(slug) is not serializers.SlugRelatedField:
                raise TypeError(f"{name}: {slug!r} is not read from columns.")
            value, objects = F(slug.slug_field), False
        else:
            value, objects = _json_object(field.child), True
        key = f"_list_{name}"
        items = queryset.annotate(j=value).values("j")
        self.lists[key] = JSONList(items, objects=objects)
        return lambda row, key=key: orjson.loads(row[key])

    def list_queryset(self, queryset):
        """``queryset`` (a list's records) without those the reader withholds."""
        if isinstance(queryset, PublicationQuerySet):
            self.reviewed_models.add(queryset.reviewed_model)
            if queryset.reviewed_model in self.withheld:
                queryset = queryset.public()
        return queryset

    # Reading -----------------------------------------------------------------------

    def queryset(self, queryset):
        """``queryset``'s records as rows (dicts) of what the reader writes."""
        return queryset.prefetch_related(None).values(*self.columns, **self.lists)

    def rows(self):
        """All the records of the reader's queryset, as rows: filter them at will."""
        return self.base.all()

    def url_formats(self, request, format=None, *, bare: bool = False) -> dict[str, str]:
        """Each address field's address with ``{}`` in place of the record's key, as
        DRF builds it for this request (``bare``: without the request's query)."""
        formats = {}
        for name, field in self.urls:
            kwargs = {field.lookup_url_kwarg: URL_KEY}
            if bare:
                url = request.build_absolute_uri(django_reverse(field.view_name, kwargs=kwargs))
            else:
                url = reverse(field.view_name, kwargs=kwargs, request=request, format=format)
            formats[name] = url.replace("{", "{{").replace("}", "}}").replace(URL_KEY, "{}")
        return formats

    def records(
        self, rows: Iterable[dict], request, format=None, *, bare: bool = False
    ) -> Iterator[dict]:
        """The records of ``rows``, as the serializer writes them for ``request``."""
        urls = self.url_formats(request, format, bare=bare)
        names, getters = self.names, list(self.getters.values())
        for row in rows:
            row["_urls"] = urls
            yield dict(zip(names, [get(row) for get in getters], strict=True))


@cache
def reader_for(serializer_class, queryset, withheld: frozenset = frozenset()) -> RecordReader:
    """The reader of ``serializer_class`` over ``queryset`` (a viewset's own) that
    withholds the unpublished records of the ``withheld`` models: built once for the
    process."""
    return RecordReader(serializer_class, queryset, withheld)


def reader_for_user(serializer_class, queryset, user) -> RecordReader:
    """The reader for what ``user`` may see: the lists inside each record leave out the
    records ``user`` may not open (``PublicationQuerySet.visible_to``)."""
    reviewed = reader_for(serializer_class, queryset).reviewed_models
    withheld = frozenset(model for model in reviewed if not can_see_unpublished(user, model))
    return reader_for(serializer_class, queryset, withheld)


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON, byte for byte, written by orjson (the stdlib's when indented, for the
    browsable API, or for a value orjson does not write)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if self.get_indent(accepted_media_type, renderer_context) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, option=ORJSON_OPTIONS)
        except TypeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: the two line separators JavaScript reads as line ends are escaped.
        if b"\xe2\x80\xa8" in body or b"\xe2\x80\xa9" in body:
            body = body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return body
