"""What an import did, or would do: counts per model, changed fields, conflicts, errors."""

from collections import Counter
from dataclasses import dataclass, field

# Records listed one by one in a report (per model and kind); the counts cover them all.
DETAIL_LIMIT = 1000
ACTIONS = ("created", "updated", "unchanged", "deleted", "conflicts")


@dataclass(frozen=True)
class BundleError:
    """One thing wrong with one record of a bundle."""

    file: str
    index: int | None  # the record's index in the file's JSON array, from 0
    model: str
    key: str
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.index is None else f"{self.file} [index {self.index}]"
        record = f"{self.model} {self.key}" if self.model else ""
        parts = [where, record, self.field and f"{self.field}:", self.message]
        return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class RecordChange:
    """A record the import changes (or, for a conflict, would change), and which fields."""

    model: str
    key: str
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.model} {self.key}: {', '.join(self.fields) or '(its child records)'}"


@dataclass
class ModelReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    conflicts: int = 0
    changed_fields: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in ACTIONS}


@dataclass
class ImportReport:
    files: list[str]
    dry_run: bool = False
    overwrite: bool = False
    models: dict[str, ModelReport] = field(default_factory=dict)
    updates: list[RecordChange] = field(default_factory=list)
    conflicts: list[RecordChange] = field(default_factory=list)
    errors: list[BundleError] = field(default_factory=list)
    run_id: int | None = None

    def model(self, label: str) -> ModelReport:
        return self.models.setdefault(label, ModelReport())

    def counts(self) -> dict[str, dict[str, int]]:
        return {label: report.as_dict() for label, report in self.models.items()}

    def total(self, action: str) -> int:
        return sum(getattr(report, action) for report in self.models.values())

    @property
    def wrote_nothing(self) -> bool:
        return not any(self.total(action) for action in ("created", "updated", "deleted"))

    def lines(self) -> list[str]:
        """The report as a person reads it."""
        if self.errors:
            head = "Not imported (errors below); checked"
        elif self.dry_run:
            head = "Dry run, nothing written; checked"
        else:
            head = "Imported"
        lines = [f"{head}: {', '.join(self.files)}"]
        if self.run_id is not None:
            lines[0] += f" (import run #{self.run_id})"
        width = max((len(label) for label in self.models), default=10)
        lines.append(f"{'model':<{width}}  " + "  ".join(f"{a:>9}" for a in ACTIONS))
        for label, report in self.models.items():
            counts = "  ".join(f"{getattr(report, a):>9}" for a in ACTIONS)
            lines.append(f"{label:<{width}}  {counts}")
        for label, report in self.models.items():
            if report.changed_fields:
                fields = ", ".join(f"{n} ({c})" for n, c in sorted(report.changed_fields.items()))
                lines.append(f"{label}: fields changed: {fields}")
        lines += _listing("Updated", self.updates, self.total("updated"))
        if self.conflicts or self.total("conflicts"):
            kept = "replaced by the bundle" if self.overwrite else "kept (use --overwrite)"
            lines += _listing(
                f"Edited since their import, editor's version {kept}",
                self.conflicts,
                self.total("conflicts"),
            )
        if self.errors:
            lines.append(f"{len(self.errors)} error(s); nothing was written:")
            lines += [f"  {error}" for error in self.errors]
        return lines


def _listing(title: str, records: list[RecordChange], total: int) -> list[str]:
    if not records:
        return []
    lines = [f"{title}:"] + [f"  {record}" for record in records]
    if total > len(records):
        lines.append(f"  … and {total - len(records)} more")
    return lines


class BundleInvalid(Exception):
    """The bundle has errors: nothing was written. ``report.errors`` lists every one."""

    def __init__(self, report: ImportReport):
        self.report = report
        first = f" The first: {report.errors[0]}" if report.errors else ""
        super().__init__(
            f"{len(report.errors)} error(s) in the bundle; nothing was written.{first}"
        )
