"""The API's "contains" filters are served by trigram indexes on PostgreSQL."""

import pytest
from django.db import connection

from actors.models import Actor, ActorAlias, TradeFigure

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
    ),
]


@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: TradeFigure.objects.filter(commodity__icontains="horse"), "trade_commodity"),
        (lambda: Actor.objects.filter(name__icontains="stan"), "actor_name"),
        (lambda: ActorAlias.objects.filter(name__icontains="wash"), "alias_name"),
    ],
)
def test_a_contains_filter_can_use_its_trigram_index(queryset, index):
    with connection.cursor() as cursor:
        # On an empty table a sequential scan is always cheaper: ask what else the planner has.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset().explain()

    assert f"{index}_trgm_idx" in plan
