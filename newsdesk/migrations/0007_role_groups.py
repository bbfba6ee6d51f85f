"""The role groups (annotator, editor, api_client) exist on every install,
so an admin can give people their roles in the admin from the start."""

from django.db import migrations

# As in newsdesk/roles.py, written out: a migration must not change when the code does.
ROLE_GROUPS = ("annotator", "editor", "api_client")


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("newsdesk", "0006_admin_names_in_the_interface_language"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
