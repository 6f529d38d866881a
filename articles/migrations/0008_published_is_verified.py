from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [('articles', '0007_name_earlier_verifications')]

    operations = [
        migrations.AddConstraint(
            model_name='article',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('review_status', 'published'), _negated=True), models.Q(('verified_at__isnull', False), models.Q(('verified_by__isnull', False), models.Q(('verified_via', ''), _negated=True), _connector='OR')), _connector='OR'), name='article_published_is_verified', violation_error_message='A published record names who verified it and when: publish it through the review, which records them, rather than by setting its status.'),
        ),
    ]
