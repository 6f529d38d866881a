# The import record moves here from actors: same table, same rows; only Django's
# state and the content type (which its permissions hang on) change app.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, source="actors", target="bundles"):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.using(schema_editor.connection.alias).filter(
        app_label=source, model="importrun"
    ).update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="bundles", target="actors")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("actors", "0008_import_run_check_all"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("started_at", models.DateTimeField(help_text="When the import started.")),
                        ("finished_at", models.DateTimeField(blank=True, help_text="When the import finished; blank while it runs.", null=True)),
                        ("files", models.JSONField(default=list, help_text="The bundle files, in the order read.")),
                        ("dry_run", models.BooleanField(default=False, help_text="A dry run checks and reports but writes no record.")),
                        ("overwrite", models.BooleanField(default=False, help_text="Whether the bundle's version replaced records edited since their import.")),
                        ("check_all", models.BooleanField(default=False, help_text="Whether every record was checked field by field, also those the database held exactly as the bundle wrote them (otherwise known unchanged by their text).")),
                        ("counts", models.JSONField(default=dict, help_text="Per model (app_label.model): how many records were created, updated, left unchanged, deleted, or kept as conflicts.")),
                        ("user", models.ForeignKey(blank=True, help_text="Who ran the import; blank for a command run without --user.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="import_runs", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "actors_importrun",
                        "ordering": ["-started_at"],
                        "indexes": [models.Index(fields=["started_at"], name="import_run_started_at_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
