"""The two editorial roles, with exactly their permissions.

Editors add, change and delete the dataset's records (no user management); Viewers only
view them. Permissions are created here because post_migrate, which normally creates
them, runs only after every migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DATASET_MODELS = {
    "articles": ["author", "article", "authorship"],
    "actors": [
        "actor",
        "actoralias",
        "actoridentifier",
        "mention",
        "agreement",
        "agreementparty",
        "tradefigure",
        "citation",
    ],
}
EDITOR_ACTIONS = ["view", "add", "change", "delete"]
VIEWER_ACTIONS = ["view"]
ROLES = {"Editors": EDITOR_ACTIONS, "Viewers": VIEWER_ACTIONS}


def _permissions(apps, actions):
    Permission = apps.get_model("auth", "Permission")
    wanted = [
        (app_label, f"{action}_{model}")
        for app_label, models in DATASET_MODELS.items()
        for model in models
        for action in actions
    ]
    found = []
    for app_label, codename in wanted:
        found.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return found


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, actions in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(apps, actions))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0001_initial"),
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
