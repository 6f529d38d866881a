"""The admin of fixture imports: what each run did, read-only."""

from django.contrib import admin

from bundles.models import ImportRun
from core.admin import SheetExportMixin


@admin.register(ImportRun)
class ImportRunAdmin(SheetExportMixin, admin.ModelAdmin):
    """What each fixture import did. Written by the importer only: read-only here."""

    list_display = (
        "__str__",
        "started_at",
        "finished_at",
        "user",
        "dry_run",
        "overwrite",
        "check_all",
        "written",
    )
    list_filter = ("dry_run", "overwrite", "check_all")
    list_select_related = ("user",)
    search_fields = ("files", "user__username")
    date_hierarchy = "started_at"
    readonly_fields = (
        "started_at",
        "finished_at",
        "user",
        "files",
        "dry_run",
        "overwrite",
        "check_all",
        "counts",
    )

    @admin.display(description="created / updated / conflicts")
    def written(self, run: ImportRun) -> str:
        totals = {"created": 0, "updated": 0, "conflicts": 0}
        for counts in run.counts.values():
            for key in totals:
                totals[key] += counts.get(key, 0)
        return " / ".join(str(value) for value in totals.values())

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
