"""What every page of the editors' admin shares: history, writes through the services,
the review workflow, spreadsheet import and export.

The apps' admins (``articles/admin.py``, ``actors/admin.py``) build on these classes.
"""

from copy import copy
from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.utils.html import conditional_escape
from django.utils.text import capfirst
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats.base_formats import CSV, JSON, XLSX
from import_export.forms import ExportForm
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelDelta
from simple_history.template_utils import HistoricalRecordContextHelper

from core.admin_versions import VERSION_FIELD, versioned_form
from core.editorial import ReviewStatus
from core.history import aggregate_children, aggregate_parents, children_at
from core.resources import record_resource
from core.rules import rules_check
from core.services import (
    NOT_CONTENT,
    Writer,
    aggregates_touch,
    history_of,
    publish_check,
    record_delete,
    record_review,
    records_publish,
    records_send_back_to_review,
    writer_for,
)

RECORD_FIELDS = ("created_at", "updated_at", "import_digest")
REVIEW_FIELDS = ("review_status", "review_note", "verified_by", "verified_at", "verified_via")
# Every save moves it: listing it in each version of the history would hide the change.
HISTORY_NOISE = ("updated_at",)


def live_forms(formset) -> list:
    """The inline forms an editor filled in and did not mark for deletion, in page order."""
    return [
        form
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
    ]


class RuleCheckedFormSet(BaseInlineFormSet):
    """An inline formset that applies the rule book's rules about its rows as a whole.

    The rows are those the parent record's writer takes under a name ("parties",
    "citations"), and the rules those of the parent's model about that name
    (``core/rules.py``). Their ``ValidationError`` is shown above the inline, so the page
    says what is wrong before anything is written.
    """

    def clean(self) -> None:
        # The rule book first: its message, not the formset's generic one about duplicate
        # rows, is what every door says of an actor named twice.
        writer = writer_for(type(self.instance))
        name = writer.related_for(self.fk.remote_field.get_accessor_name())
        if name is not None and not any(self.errors):
            inputs = writer.inputs(name, [form.cleaned_data for form in live_forms(self)])
            try:
                rules_check(type(self.instance), name, inputs)
            except ValidationError as error:
                raise ValidationError(error.messages) from error
        super().clean()


class RecordChangesHelper(HistoricalRecordContextHelper):
    """What the history page lists as a version's changes: every field but the noise."""

    def context_for_delta_changes(self, delta: ModelDelta) -> list[dict[str, Any]]:
        changes = [change for change in delta.changes if change.field not in HISTORY_NOISE]
        delta = replace(delta, changes=changes, changed_fields=[c.field for c in changes])
        return super().context_for_delta_changes(delta)


class SheetExportMixin(ExportMixin):
    """Export the changelist, as filtered, as CSV, XLSX or JSON: through the model's own
    resource where it has one (``resource_classes``), one column per field otherwise."""

    export_formats = [CSV, XLSX, JSON]
    # Every column goes out: a sheet that is exported can be imported back as it is.
    export_form_class = ExportForm

    def get_resource_classes(self, request):
        return list(self.resource_classes) or [record_resource(self.model)]


class CuratedAdmin(SheetExportMixin, SimpleHistoryAdmin):
    """A curated record's admin: its history field by field, revert, recoverable deletes,
    its list exported as a spreadsheet."""

    list_per_page = 50

    # What other apps add ------------------------------------------------------------------

    def contribute(self, *, inline=None, fieldset=None, position: int | None = None) -> None:
        """Add another app's inline, or a read-only section, to this admin.

        The app that owns a model keeps its admin; an app that knows more about the model
        (the facts that cite an article) adds to it instead of replacing it. ``fieldset``
        is a ``(title, options)`` pair whose fields are callables taking the record; it is
        placed at ``position`` among the fieldsets (at the end by default).
        """
        if inline is not None:
            self.inlines = [*self.inlines, inline]
        if fieldset is not None:
            fieldsets = list(self.fieldsets or ())
            fieldsets.insert(len(fieldsets) if position is None else position, fieldset)
            self.fieldsets = tuple(fieldsets)
            self.readonly_fields = (*self.readonly_fields, *fieldset[1]["fields"])

    # A part edited on its own page is a change of its record ---------------------------------

    @transaction.atomic
    def save_model(self, request, obj, form, change) -> None:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        parents = aggregate_parents(stored) if stored is not None else []
        super().save_model(request, obj, form, change)
        parents += [p for p in aggregate_parents(obj) if p not in parents]
        aggregates_touch(parents=parents)

    # Deleting so that a restore can bring it back -------------------------------------------

    def delete_model(self, request, obj) -> None:
        record_delete(instance=obj, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            record_delete(instance=obj, user=request.user)

    # History: a revert is a change ------------------------------------------------------------

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history lets anyone who may view the history post the revert form: only
        # those who may change the record may revert it.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Read-only record columns ---------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [name for name in RECORD_FIELDS if name not in fields]

    # History: the changed fields of each version ----------------------------------------

    def get_historical_record_context_helper(self, request, historical_record):
        return RecordChangesHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # The record's own fields, then its parts (an agreement's parties…) that changed.
        records = list(historical_records)
        super().set_history_delta_changes(request, records, foreign_keys_are_objs)
        children = ChildrenDisplay(self.model, records)
        for newer, older in zip(records, records[1:], strict=False):
            shorten = (
                self.get_historical_record_context_helper(request, newer)
                .get_obj_diff_display()
                .common_shorten_repr
            )
            for label, old, new in children.changes(older, newer):
                old, new = shorten(old, new)
                newer.history_delta_changes.append(
                    {
                        "field": label,
                        "old": conditional_escape(old),
                        "new": conditional_escape(new),
                    }
                )


class ChildrenDisplay:
    """An aggregate's children as its history page shows them: each child as its fields'
    values ("Mongolia · Signatory"), related records by name, fetched once per page."""

    def __init__(self, model, versions):
        self.model = model
        self.relations = aggregate_children(model)
        self.snapshots = {version.history_id: children_at(version) for version in versions}
        self.related_names = {}
        if not self.relations:
            return
        wanted: dict = {}
        for relation, fields in self.relations.items():
            child = model._meta.get_field(relation).related_model
            for name in fields:
                field = child._meta.get_field(name)
                if not field.is_relation:
                    continue
                for snapshot in self.snapshots.values():
                    for row in (snapshot or {}).get(relation, []):
                        wanted.setdefault(field.related_model, set()).add(row[name])
        for related, pks in wanted.items():
            self.related_names[related] = {
                pk: str(record) for pk, record in related._default_manager.in_bulk(pks).items()
            }

    def changes(self, older, newer) -> list[tuple[str, str, str]]:
        """(label, before, after) for each relation whose children differ between versions."""
        before, after = self.snapshots[older.history_id], self.snapshots[newer.history_id]
        if before is None or after is None:
            return []
        return [
            (
                capfirst(relation.replace("_", " ")),
                self.render(relation, before.get(relation, [])),
                self.render(relation, after.get(relation, [])),
            )
            for relation in self.relations
            if before.get(relation, []) != after.get(relation, [])
        ]

    def render(self, relation: str, rows: list[dict]) -> str:
        child = self.model._meta.get_field(relation).related_model
        rendered = []
        for row in rows:
            values = []
            for name, value in row.items():
                field = child._meta.get_field(name)
                if field.is_relation:
                    names = self.related_names.get(field.related_model, {})
                    value = names.get(value, f"(deleted {field.related_model._meta.verbose_name})")
                elif field.choices:
                    value = dict(field.flatchoices).get(value, value)
                values.append(str(value))
            rendered.append(" · ".join(values))
        return "; ".join(rendered) if rendered else "(none)"


class ServiceAdmin(CuratedAdmin):
    """A curated record's admin whose writes go through the model's writer
    (``core.services.Writer``, declared next to the app's services).

    The writer is given the form's values for its fields and, for the inlines of its
    related rows (an inline's model whose related name the writer takes: "parties",
    "aliases"), the rows' values. The record is created in ``save_related`` because the
    services create a record and its inlines together (an agreement never exists without
    its parties and citations).
    """

    @property
    def writer(self) -> Writer:
        return writer_for(self.model)

    @property
    def service_fields(self) -> tuple[str, ...]:
        return self.writer.fields

    def related_name(self, formset) -> str | None:
        """The writer's name for the rows of ``formset``, or None for an inline of its own."""
        return self.writer.related_for(formset.fk.remote_field.get_accessor_name())

    def get_fieldsets(self, request, obj=None):
        # A field the services write and the admin's layout does not place yet (a field
        # just added to the model) goes at the end of the first section, not off the form.
        fieldsets = [
            (name, dict(options)) for name, options in super().get_fieldsets(request, obj)
        ]
        placed = set(flatten_fieldsets(fieldsets))
        for date_fields in getattr(self.model, "partial_dates", {}).values():
            placed.update(date_fields)  # Typed as one partial date (its public name).
        missing = tuple(name for name in self.service_fields if name not in placed)
        if obj is not None and VERSION_FIELD not in placed:
            missing = (*missing, VERSION_FIELD)  # hidden
        if missing and fieldsets:
            first, options = fieldsets[0]
            fieldsets[0] = (first, {**options, "fields": (*options["fields"], *missing)})
        return fieldsets

    def service_data(self, form) -> dict[str, Any]:
        return {
            name: form.cleaned_data[name]
            for name in self.service_fields
            if name in form.cleaned_data
        }

    def related_from_history(self, children: dict[str, list[dict]]) -> dict[str, list]:
        """What a version's children make of the writer's related rows (a revert)."""
        from_history = self.writer.from_history
        return from_history(children) if from_history else {}

    def save_model(self, request, obj, form, change) -> None:
        version = getattr(request, "reverting_to", None)
        if version is None:
            # Written with its inlines in save_related, in one call of the services: a
            # record and its children change as one (one version in its history).
            return
        # A revert: the version's fields as the form shows them, its children as they were.
        children = children_at(version)
        related = self.related_from_history(children) if children else {}
        self.record_write(request, obj, form, related)

    def save_related(self, request, form, formsets, change) -> None:
        obj = form.instance
        related = {}
        other_formsets = []
        for formset in formsets:
            name = self.related_name(formset)
            if name is None:
                other_formsets.append(formset)
                continue
            related[name] = self.writer.inputs(
                name, [inline.cleaned_data for inline in live_forms(formset)]
            )
            self._describe_formset(formset)
        if change:
            self.record_write(request, obj, form, related)
        else:
            saved = self.writer.create(data=self.service_data(form), related=related)
            # The admin goes on with its own object (its log entry, the message, the
            # redirect): make it the record as written.
            obj.pk = saved.pk
            obj.refresh_from_db()
            self.after_write(request, saved, form)
        for formset in other_formsets:
            self.save_formset(request, form, formset, change=change)

    def record_write(self, request, obj, form, related) -> None:
        # The form has already set its values on ``obj``: compare with the stored record so
        # that the service writes, and the history records, only what changed.
        stored = type(obj)._default_manager.get(pk=obj.pk)
        saved = self.writer.update(instance=stored, data=self.service_data(form), related=related)
        self.after_write(request, saved, form)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        request.reverting_to = (
            history_of(self.model)
            .filter(**{self.model._meta.pk.attname: object_id}, history_id=version_id)
            .first()
        )
        try:
            with transaction.atomic():
                return super().history_form_view(request, object_id, version_id, extra_context)
        except ValidationError as error:
            # The version breaks a rule that holds now (a cited passage edited out of its
            # article since, an actor deleted): nothing is written, and the editor is told.
            self.message_user(
                request,
                f"Cannot revert to this version: {' '.join(error.messages)}",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())

    def after_write(self, request, record, form) -> None:
        """Hook for what follows a write (publication, for reviewed records). A part
        written on its own page (a citation, a party) is a change of its record: its
        writer says so (``core.services.Part``)."""

    def rows_check(self, cleaned_data: dict[str, Any], instance) -> None:
        """Apply the rules a part meets only with its siblings (a party among its
        agreement's parties), before the page saves. ``instance`` is None on an add page."""
        part = self.writer.part
        if part is None:
            return
        candidate = copy(instance) if instance is not None else self.model()
        for name in self.service_fields:
            if name in cleaned_data:
                setattr(candidate, name, cleaned_data[name])
        part.rows_check(candidate, replacing=instance)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # A change page carries the version of the record it opened (core.admin_versions):
        # as stored, also on a revert page, whose ``obj`` is the version to revert to.
        stored = self.model._default_manager.filter(pk=obj.pk).first() if obj else None
        kwargs["form"] = versioned_form(kwargs.get("form", self.form), stored)
        form_class = super().get_form(request, obj, change=change, **kwargs)
        check = self.rows_check

        class RowsCheckedForm(form_class):
            def clean(self):
                cleaned_data = super().clean()
                if not self.errors:
                    try:
                        check(cleaned_data, obj)
                    except ValidationError as error:
                        raise ValidationError(error.messages) from error
                return cleaned_data

        return RowsCheckedForm

    @staticmethod
    def _describe_formset(formset) -> None:
        # The admin's change message reads these; the services wrote the rows themselves.
        # The formset's initial forms hold the stored rows, its extra forms the new ones.
        live = live_forms(formset)
        formset.new_objects = [
            form.instance for form in formset.extra_forms if form in live and form.has_changed()
        ]
        formset.changed_objects = [
            (form.instance, form.changed_data)
            for form in formset.initial_forms
            if form in live and form.has_changed()
        ]
        formset.deleted_objects = [
            form.instance for form in formset.initial_forms if form in formset.deleted_forms
        ]


@admin.action(
    description="Mark selected as published (checked against the source by me)",
    permissions=["change"],
)
def publish_selected(modeladmin, request, queryset) -> None:
    try:
        count = records_publish(records=queryset, user=request.user)
    except ValidationError as error:
        modeladmin.message_user(
            request, f"Nothing was published. {' '.join(error.messages)}", messages.ERROR
        )
        return
    modeladmin.message_user(
        request, f"{count} {queryset.model._meta.verbose_name_plural} published.", messages.SUCCESS
    )


@admin.action(description="Send selected back to review", permissions=["change"])
def send_back_to_review(modeladmin, request, queryset) -> None:
    count = records_send_back_to_review(records=queryset, user=request.user)
    modeladmin.message_user(
        request,
        f"{count} {queryset.model._meta.verbose_name_plural} sent back to review.",
        messages.SUCCESS,
    )


class ReviewRefused(Exception):
    """The review refused a change the form could not foresee; the page says why."""

    def __init__(self, error: ValidationError):
        super().__init__(" ".join(error.messages))


class ReviewForm(forms.ModelForm):
    """A reviewed record's form: its ``review_status`` moves through the review service.

    The wanted status is taken out of the record's values (``review_status_wanted``): the
    record keeps its stored status until the review applies the change, naming the editor
    (``reviewer``, set on the field by ``ReviewedAdmin``) as its verifier. A publication the
    review would refuse is a form error, and nothing is written.
    """

    review_status_wanted = None

    def clean(self):
        cleaned_data = super().clean()
        if "review_status" not in cleaned_data:
            return cleaned_data
        wanted = self.review_status_wanted = cleaned_data.pop("review_status")
        if wanted == ReviewStatus.PUBLISHED and (
            self.instance._state.adding or self.instance.review_status != wanted
        ):
            content_changed = set(self.changed_data) - NOT_CONTENT
            try:
                publish_check(
                    record=self.instance,
                    user=getattr(self.fields["review_status"], "reviewer", None),
                    rewrites=self.instance._state.adding or bool(content_changed),
                )
            except ValidationError as error:
                self.add_error("review_status", error.messages)
        return cleaned_data


class ReviewedAdmin(ServiceAdmin):
    """A record an editor checks against its source: review actions, status and verifier.

    The status, whether set in the form or by the actions, moves through the review
    service (``core.services``), which records who verified the record and when.
    """

    actions = [publish_selected, send_back_to_review]
    form = ReviewForm

    def get_readonly_fields(self, request, obj=None):
        return [
            *super().get_readonly_fields(request, obj),
            "verified_by",
            "verified_at",
            "verified_via",
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "review_status" and formfield is not None:
            # The form asks the review whether this editor may publish the record.
            formfield.reviewer = request.user
        return formfield

    def after_write(self, request, record, form) -> None:
        wanted = getattr(form, "review_status_wanted", None)
        if wanted is None or wanted == record.review_status:
            return
        try:
            record_review(record=record, status=wanted, user=request.user)
        except ValidationError as error:
            # What the form could not foresee (an inline's change making this editor the
            # record's author): the whole save is undone.
            raise ReviewRefused(error) from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ReviewRefused as refusal:
            self.message_user(request, f"Nothing was saved. {refusal}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert to a published version publishes it again: the review may refuse it,
        # and then the revert is undone with it.
        try:
            with transaction.atomic():
                return super().history_form_view(request, object_id, version_id, extra_context)
        except ReviewRefused as refusal:
            self.message_user(request, f"Nothing was reverted. {refusal}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def review_queue(self, request):
        """What the review page lists for this model: records waiting for an editor."""
        queryset = self.get_queryset(request).filter(review_status=ReviewStatus.NEEDS_REVIEW)
        if self.list_select_related and not isinstance(self.list_select_related, bool):
            queryset = queryset.select_related(*self.list_select_related)
        return queryset


# Spreadsheets ---------------------------------------------------------------------------------


class SpreadsheetMixin(ImportExportMixin):
    """Import the formats of the export, all or nothing (the resources,
    ``core/resources.py``, roll back a file with one bad row)."""

    import_formats = [CSV, XLSX, JSON]

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)
