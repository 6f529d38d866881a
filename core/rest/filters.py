"""Filtering and ordering shared by every list: strict, documented, backed by indexes.

A filter value the API cannot use (an unknown slug, ``year=abc``, an ordering it does not
offer) is a 400 naming the parameter: never a silently ignored parameter or an empty list
that looks like an answer.
"""

import copy
from datetime import UTC

import django_filters
from django import forms
from django.db.models import F
from django.db.models.enums import TextChoices
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import PermissionDenied

from core.editorial import PublicationQuerySet, ReviewStatus
from core.rest.permissions import can_see_unpublished


class SyncDateTimeField(forms.DateTimeField):
    """An ISO 8601 date-time ("2025-06-01T12:00:00Z") or date ("2025-06-01", midnight UTC)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            # In UTC, as the database compares it: an offset such as -17:00, which
            # Python accepts and PostgreSQL does not, never reaches the database.
            return value.astimezone(UTC)
        except OverflowError as exc:
            raise forms.ValidationError("This date-time is out of range.") from exc


class SyncDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = SyncDateTimeField


class BoundedIntegerFilter(django_filters.NumberFilter):
    """A whole number within bounds: the database is never asked about 10**40."""

    field_class = forms.IntegerField


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelChoiceFilter):
    """A related record named by its slug; an unknown slug is a 400 that says so.

    A record the request's account may not open (an unpublished article, for the public)
    is unknown to it: the same 400, so that a filter never tells what is under review.
    The records a request may name are settled for each request (``visible_to``), in
    ``DatasetFilterSet.form``.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault(
            "error_messages", {"invalid_choice": "Nothing has the slug “%(value)s”."}
        )
        super().__init__(*args, **kwargs)

    def visible_to(self, user):
        """The records ``user`` may name with this filter."""
        queryset = self.queryset
        if isinstance(queryset, PublicationQuerySet):
            queryset = queryset.visible_to(user)
        return queryset


class DatasetFilterSet(django_filters.FilterSet):
    """What every list accepts.

    Built for every request, so built cheaply: django-filter deep-copies every filter
    (with its queryset and choices) and makes a new form class each time; here each
    filter is copied shallowly (what a request sets on it, ``model`` and ``parent``, is
    its own) and the form class is made once per filter set (each form copies its
    fields; what depends on the request, the records a slug filter may name, is set on
    the form's copies: see ``form``).
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
            if filter_.method is not None:
                filter_.method = filter_.method  # bound to this copy, which has the parent

    @classmethod
    def _form_class(cls):
        if "_form_class_made" not in cls.__dict__:
            fields = {}
            for name, base in cls.base_filters.items():
                filter_ = copy.copy(base)
                filter_.model = cls._meta.model  # for its label
                fields[name] = filter_.field
            cls._form_class_made = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        return cls._form_class_made

    def get_form_class(self):
        return self._form_class()

    @property
    def form(self):
        """The form of this request: its fields are copies of the form class's, and each
        slug filter's choices are the records this request's account may open."""
        if not hasattr(self, "_form"):
            form = super().form
            user = getattr(self.request, "user", None)
            for name, filter_ in self.filters.items():
                if isinstance(filter_, SlugFilter):
                    form.fields[name].queryset = filter_.visible_to(user)
        return self._form

    updated_since = SyncDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Only records created or changed at or after this moment (ISO 8601 "
        "date-time such as 2025-06-01T00:00:00Z, or a date, read as midnight UTC). Keep "
        "the time of your last sync and pass it here to fetch only what changed since.",
    )


class ReviewVisibility(TextChoices):
    PUBLISHED = ReviewStatus.PUBLISHED.value, "Published (the default)"
    NEEDS_REVIEW = ReviewStatus.NEEDS_REVIEW.value, "Needs review (editors only)"
    ALL = "all", "All, whatever their review status (editors only)"


REVIEW_STATUS_HELP = (
    "Which records to list by their editorial review. The public sees only records an "
    "editor has checked against their source (`published`, the default). Accounts with the "
    "right to view or change these records may ask for `needs_review` or `all`; anyone "
    "else asking for them gets a 403."
)


class ReviewedFilterSet(DatasetFilterSet):
    """A list of records that an editor publishes after checking them: published only,
    unless an account with the right asks for more."""

    review_status = django_filters.ChoiceFilter(
        choices=ReviewVisibility.choices,
        method="filter_review_status",
        help_text=REVIEW_STATUS_HELP,
    )
    review_params = ("review_status",)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not any(self.form.cleaned_data.get(name) for name in self.review_params):
            queryset = queryset.filter(review_status=ReviewStatus.PUBLISHED)
        return queryset

    def filter_review_status(self, queryset, name, value):
        if value != ReviewVisibility.PUBLISHED:
            user = getattr(self.request, "user", None)
            if not can_see_unpublished(user, queryset.model):
                raise PermissionDenied(
                    f"{name}={value}: only accounts allowed to view unpublished "
                    f"{queryset.model._meta.verbose_name_plural} may list them; "
                    "the public API lists published records."
                )
        if value == ReviewVisibility.ALL:
            return queryset
        return queryset.filter(review_status=value)


class OrderingNameField(django_filters.fields.ChoiceField):
    """One name of an ``ordering`` list; "title, -signed" reads as "title,-signed"."""

    def to_python(self, value):
        return super().to_python(value).strip()


class DatasetOrderingFilter(django_filters.OrderingFilter):
    """``ordering=name,-other`` over ``fields`` (a column, or a ``(column, public name)``
    pair), ``default`` when the request names none.

    An unknown name is a 400 that lists the choices. Empty values sort last in either
    direction, on every database, and the primary key breaks ties so that pages never
    overlap. A search that annotates its matches with ``relevance`` and names no ordering
    puts the most relevant first. Declared on a FilterSet as ``ordering`` and left out
    of its ``Meta.fields``, it comes after the other filters and sees what they annotate.
    """

    field_class = OrderingNameField

    def __init__(self, *, fields, default: tuple[str, ...], relevance: str = "", **kwargs):
        self.default = tuple(default)
        self.relevance = relevance
        kwargs.setdefault(
            "help_text",
            "Sort by these columns, comma-separated, `-` for descending (default "
            f"`{','.join(self.default)}`). Empty values sort last. Not applied in cursor mode.",
        )
        super().__init__(fields=fields, **kwargs)
        names = ", ".join(self.param_map)
        self.extra.setdefault(
            "error_messages",
            {
                "invalid_choice": f"Cannot order by %(value)s. Choose from: {names} "
                "(prefix - for descending)."
            },
        )

    def get_ordering_value(self, param):
        name = super().get_ordering_value(param)
        if name.startswith("-"):
            return F(name[1:]).desc(nulls_last=True)
        return F(name).asc(nulls_last=True)

    def filter(self, qs, value):
        names = [name for name in value or () if name]
        ordering = [self.get_ordering_value(name) for name in names or self.default]
        if not names and self.relevance in qs.query.annotations:
            ordering.insert(0, F(self.relevance).desc())
        return qs.order_by(*ordering, "pk")
