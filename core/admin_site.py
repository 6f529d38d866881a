"""The editors' admin site: Django's, plus two pages of editorial work.

- "Needs review": every record waiting for an editor, across models, with its note.
- "Deleted records": what was deleted (from the history tables), each with a restore
  button that brings the record back with what its deletion carried along.
"""

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from core.services import history_of, record_restore

REVIEW_ROWS_PER_MODEL = 200
DELETED_ROWS_PER_MODEL = 100


def _change_url(opts, pk) -> str:
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])


def _label_of_deleted(record) -> str:
    """The deleted record as its own ``__str__`` shows it, using the joined relations."""
    instance = record.instance
    for field in instance._meta.concrete_fields:
        if not field.is_relation:
            continue
        historical_field = record._meta.get_field(field.name)
        if historical_field.is_cached(record):
            field.set_cached_value(instance, historical_field.get_cached_value(record))
    try:
        return str(instance)
    except (ObjectDoesNotExist, AttributeError):
        return f"{instance._meta.verbose_name} {instance.pk}"


class EditorialAdminSite(admin.AdminSite):
    site_header = "CACI dataset"
    site_title = "CACI dataset admin"
    index_title = "Articles, actors, agreements and trade figures"
    index_template = "admin/caci/index.html"

    def get_urls(self):
        return [
            path("review/", self.admin_view(self.needs_review_view), name="needs_review"),
            path("deleted/", self.admin_view(self.deleted_records_view), name="deleted_records"),
            path(
                "deleted/<str:app_label>/<str:model_name>/<str:object_id>/restore/",
                self.admin_view(self.restore_view),
                name="restore_record",
            ),
            *super().get_urls(),
        ]

    def _reviewed_admins(self, request):
        from core.admin import ReviewedAdmin

        return self._admins_of_kind(request, ReviewedAdmin)

    def _curated_admins(self, request):
        from core.admin import CuratedAdmin

        return self._admins_of_kind(request, CuratedAdmin)

    def model_admins(self) -> list:
        """The admin of every model registered on this site."""
        return [
            self.get_model_admin(model) for model in apps.get_models() if self.is_registered(model)
        ]

    def _admins_of_kind(self, request, kind) -> list:
        """The registered admins of this class the user may view, by their models' names."""
        admins = [
            model_admin
            for model_admin in self.model_admins()
            if isinstance(model_admin, kind) and model_admin.has_view_permission(request)
        ]
        return sorted(admins, key=lambda model_admin: model_admin.opts.verbose_name_plural)

    def index(self, request, extra_context=None):
        extra_context = {
            "needs_review_count": sum(
                model_admin.review_queue(request).count()
                for model_admin in self._reviewed_admins(request)
            ),
            **(extra_context or {}),
        }
        return super().index(request, extra_context)

    def needs_review_view(self, request):
        sections = []
        for model_admin in self._reviewed_admins(request):
            opts = model_admin.opts
            queryset = model_admin.review_queue(request).order_by("-updated_at")
            records = list(queryset[:REVIEW_ROWS_PER_MODEL])
            sections.append(
                {
                    "opts": opts,
                    "total": queryset.count()
                    if len(records) == REVIEW_ROWS_PER_MODEL
                    else len(records),
                    "changelist_url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_changelist"
                    )
                    + "?review_status__exact=needs_review",
                    "rows": [
                        {"record": record, "url": _change_url(opts, record.pk)}
                        for record in records
                    ],
                }
            )
        context = {
            **self.each_context(request),
            "title": "Needs review",
            "sections": sections,
            "total": sum(section["total"] for section in sections),
        }
        return TemplateResponse(request, "admin/caci/needs_review.html", context)

    def deleted_records_view(self, request):
        rows = []
        for model_admin in self._curated_admins(request):
            model = model_admin.model
            relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
            deletions = (
                history_of(model)
                .filter(history_type="-")
                # What went with another record comes back with it: list the record only.
                .exclude(history_change_reason__startswith="Deleted with ")
                .select_related("history_user", *relations)
                .order_by("-history_date", "-history_id")[:DELETED_ROWS_PER_MODEL]
            )
            latest = {}
            for record in deletions:
                latest.setdefault(record.instance.pk, record)
            restored = set(
                model._default_manager.filter(pk__in=latest).values_list("pk", flat=True)
            )
            can_restore = model_admin.has_add_permission(request)
            for pk, record in latest.items():
                if pk in restored:
                    continue
                opts = model._meta
                rows.append(
                    {
                        "opts": opts,
                        "label": _label_of_deleted(record),
                        "record": record,
                        "history_url": reverse(
                            f"admin:{opts.app_label}_{opts.model_name}_history", args=[pk]
                        ),
                        "restore_url": reverse(
                            "admin:restore_record", args=[opts.app_label, opts.model_name, pk]
                        )
                        if can_restore
                        else None,
                    }
                )
        rows.sort(key=lambda row: row["record"].history_date, reverse=True)
        context = {**self.each_context(request), "title": "Deleted records", "rows": rows}
        return TemplateResponse(request, "admin/caci/deleted_records.html", context)

    def restore_view(self, request, app_label, model_name, object_id):
        return _restore(request, self, app_label, model_name, object_id)


@require_POST
def _restore(request, site, app_label, model_name, object_id):
    try:
        model_admin = site.get_model_admin(apps.get_model(app_label, model_name))
    except (LookupError, NotRegistered) as error:
        raise Http404 from error
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    model = model_admin.model
    try:
        pk = model._meta.pk.to_python(object_id)
        record = record_restore(model=model, pk=pk)
    except ValidationError as error:
        site_messages = " ".join(error.messages)
        messages.error(request, site_messages)
        return HttpResponseRedirect(reverse("admin:deleted_records"))
    messages.success(request, f"Restored {model._meta.verbose_name} “{record}”.")
    return HttpResponseRedirect(_change_url(model._meta, record.pk))
