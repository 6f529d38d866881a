# ImportRun now belongs to the bundles app (bundles/migrations/0001_initial.py), which
# keeps its table: only Django's state forgets it here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("actors", "0008_import_run_check_all"),
        ("bundles", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportRun")],
            database_operations=[],
        ),
    ]
