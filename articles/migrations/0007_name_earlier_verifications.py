from django.db import migrations
from django.db.models import F

# What vouches for a record published before the review recorded its verification: the
# database cannot say who checked it, so it says so, and keeps the moment it last changed.
EARLIER_PUBLICATION = "Published before verification was recorded"


def name_earlier_verifications(apps, schema_editor):
    for name in ('Article',):
        model = apps.get_model('articles', name)
        published = model.objects.filter(review_status="published")
        published.filter(verified_by__isnull=True, verified_via="").update(
            verified_via=EARLIER_PUBLICATION
        )
        published.filter(verified_at__isnull=True).update(verified_at=F("updated_at"))


class Migration(migrations.Migration):
    # Its own migration: on PostgreSQL the rows it changes must be written before the
    # constraint that needs them is added, in a transaction of its own.

    dependencies = [('articles', '0006_verified_via')]

    operations = [
        migrations.RunPython(name_earlier_verifications, migrations.RunPython.noop),
    ]
