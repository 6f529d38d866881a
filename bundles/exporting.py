"""Writing a bundle: the dataset in Django's fixture format, with natural keys.

The bundle carries each record's data and nothing this database alone vouches for
(timestamps, import digests, verification): the columns the importer does not read.
"""

import itertools
from collections import Counter
from collections.abc import Sequence
from typing import IO

from django.core import serializers

from bundles.specs import NOT_IMPORTED, SPECS, SPECS_BY_LABEL

CHUNK = 2_000


def exportable_labels() -> list[str]:
    return [spec.label for spec in SPECS]


def fixtures_export(*, out: IO[str], labels: Sequence[str] | None = None) -> Counter:
    """Write the records of ``labels`` (every importable model by default) to ``out``.

    Models come in dependency order, so the bundle imports (and loads) as it stands.
    Returns how many records of each model were written.
    """
    wanted = set(labels) if labels else set(SPECS_BY_LABEL)
    unknown = wanted - set(SPECS_BY_LABEL)
    if unknown:
        raise ValueError(f"Not exportable: {', '.join(sorted(unknown))}.")
    specs = [spec for spec in SPECS if spec.label in wanted]
    counts: Counter = Counter()
    fields = set()
    querysets = []
    for spec in specs:
        names = [f.name for f in spec.model._meta.concrete_fields if f.name not in NOT_IMPORTED]
        fields.update(names)
        related = [ref.name for ref in spec.references]
        # Natural keys of children go through their parents (Authorship: article.slug).
        queryset = spec.model._default_manager.select_related(*related).order_by("pk")
        querysets.append(_counting(queryset.iterator(chunk_size=CHUNK), spec.label, counts))
    serializers.serialize(
        "json",
        itertools.chain.from_iterable(querysets),
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
        fields=sorted(fields),
        stream=out,
        indent=None,
    )
    return counts


def _counting(records, label: str, counts: Counter):
    for record in records:
        counts[label] += 1
        yield record
