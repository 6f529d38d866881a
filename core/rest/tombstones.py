"""The tombstones resource: what left the dataset, for clients that mirror it.

A client that keeps a copy with ``updated_since`` sees what was created or changed, never
what was deleted, sent back to review or renamed: the tombstones say it, each with the
resource, the identifier the record had in that resource's addresses, when and why.
"""

from collections.abc import Mapping

import django_filters
from django.db.models import Q
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from core.models import RemovalReason, Tombstone
from core.rest.filters import DatasetOrderingFilter, SyncDateTimeFilter
from core.rest.pagination import PageOrCursorPagination
from core.rest.permissions import can_see_unpublished
from core.rest.versions import ConditionalListMixin
from core.rest.viewsets import DatasetViewSet


class TombstoneSerializer(serializers.ModelSerializer):
    resource = serializers.SerializerMethodField(
        help_text="The resource the record was listed in: `agreements`, `actors`…"
    )
    id = serializers.CharField(
        source="record_id",
        help_text="The record's identifier in that resource's addresses: its slug, or "
        "its UUID for agreements and trade figures.",
    )
    url = serializers.SerializerMethodField(
        help_text="The record's address as it was: the key a mirror drops."
    )
    removed_by = serializers.SerializerMethodField(
        help_text="The editor who removed it: shown to accounts that may see unpublished "
        "records of this kind, null for everyone else."
    )

    class Meta:
        model = Tombstone
        fields = ["resource", "id", "url", "reason", "removed_at", "removed_by"]
        read_only_fields = fields
        extra_kwargs = {
            "reason": {
                "help_text": "`deleted`; `unpublished` (sent back to review: no longer "
                "public, still listed to editors); `renamed` (its slug changed: the "
                "record lives on under its new one)."
            },
            "removed_at": {"help_text": "When the record left the dataset."},
        }

    @extend_schema_field(OpenApiTypes.STR)
    def get_resource(self, tombstone) -> str:
        return self.context["view"].resource_of[tombstone.model]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, tombstone) -> str:
        return f"{self.context['view'].list_url(tombstone.model)}{tombstone.record_id}/"

    @extend_schema_field({"type": "string", "nullable": True})
    def get_removed_by(self, tombstone) -> str | None:
        if tombstone.removed_by is None:
            return None
        if tombstone.model not in self.context["view"].models_seen_in_full:
            return None
        return tombstone.removed_by.get_username()


def tombstone_viewset(resources: Mapping[str, type[DatasetViewSet]]) -> type:
    """The tombstones of the records of ``resources`` (name in the API → its viewset)."""
    models = {name: viewset.queryset.model for name, viewset in resources.items()}
    model_of = {name: model._meta.label_lower for name, model in models.items()}

    class TombstoneFilter(django_filters.FilterSet):
        updated_since = SyncDateTimeFilter(
            field_name="removed_at",
            lookup_expr="gte",
            help_text="Only what left the dataset at or after this moment (ISO 8601 date-time, "
            "or a date, read as midnight UTC): the same moment you pass as `updated_since` "
            "to the resources.",
        )
        resource = django_filters.ChoiceFilter(
            choices=[(name, name) for name in resources],
            method="filter_resource",
            help_text="Only the tombstones of this resource.",
        )
        reason = django_filters.ChoiceFilter(choices=RemovalReason.choices)
        ordering = DatasetOrderingFilter(fields=("removed_at",), default=("removed_at",))

        class Meta:
            model = Tombstone
            fields = ["updated_since", "resource", "reason"]

        def filter_resource(self, queryset, name, value):
            return queryset.filter(model=model_of[value])

    class TombstoneViewSet(ConditionalListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
        """What left the dataset: deleted records, records sent back to review (no longer
        public) and records whose slug changed, each under the identifier it had.

        The public sees the tombstones of records it could see; editors see all those of
        the records they may see unpublished. With `updated_since`, this is the other half
        of a sync (see the API description)."""

        queryset = Tombstone.objects.select_related("removed_by")
        serializer_class = TombstoneSerializer
        filterset_class = TombstoneFilter
        pagination_class = PageOrCursorPagination
        filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
        renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
        resource_of = {label: name for name, label in model_of.items()}

        query_params_check = DatasetViewSet.query_params_check

        def initial(self, request, *args, **kwargs):
            self.query_params_check(request)
            super().initial(request, *args, **kwargs)

        @property
        def models_seen_in_full(self) -> set[str]:
            user = self.request.user
            return {
                model._meta.label_lower
                for model in models.values()
                if can_see_unpublished(user, model)
            }

        def list_url(self, label: str) -> str:
            name = self.resource_of[label]
            return self.request.build_absolute_uri(reverse(f"{name}-list"))

        def get_queryset(self):
            visible = Q(public=True)
            if self.models_seen_in_full:
                visible |= Q(model__in=self.models_seen_in_full)
            return super().get_queryset().filter(visible, model__in=list(model_of.values()))

    return TombstoneViewSet
