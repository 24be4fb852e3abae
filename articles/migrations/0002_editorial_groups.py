"""The two editorial groups: 编辑 (editor) and 主编 (chief editor, who may also publish and delete)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "编辑"
CHIEF_EDITOR = "主编"

EDITOR_PERMISSIONS = [
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    ("articles", "add_byline"),
    ("articles", "change_byline"),
    ("articles", "view_byline"),
    ("articles", "view_issue"),
    ("articles", "change_issue"),
    ("articles", "view_page"),
    ("articles", "add_reporter"),
    ("articles", "change_reporter"),
    ("articles", "view_reporter"),
    ("articles", "add_reporteralias"),
    ("articles", "change_reporteralias"),
    ("articles", "view_reporteralias"),
    ("articles", "add_organisation"),
    ("articles", "change_organisation"),
    ("articles", "view_organisation"),
    ("articles", "add_organisationalias"),
    ("articles", "change_organisationalias"),
    ("articles", "view_organisationalias"),
    ("taggit", "add_tag"),
    ("taggit", "change_tag"),
    ("taggit", "view_tag"),
]
# Publishing, deleting and merging (which deletes) are the chief editor's.
CHIEF_EXTRA_PERMISSIONS = [
    ("articles", "can_publish"),
    ("articles", "delete_article"),
    ("articles", "delete_byline"),
    ("articles", "add_issue"),
    ("articles", "delete_issue"),
    ("articles", "add_page"),
    ("articles", "change_page"),
    ("articles", "delete_page"),
    ("articles", "delete_reporter"),
    ("articles", "delete_reporteralias"),
    ("articles", "delete_organisation"),
    ("articles", "delete_organisationalias"),
    ("taggit", "delete_tag"),
]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(pairs):
        found = []
        for app_label, codename in pairs:
            found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return found

    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(permissions(EDITOR_PERMISSIONS))
    chief, _ = Group.objects.get_or_create(name=CHIEF_EDITOR)
    chief.permissions.set(permissions(EDITOR_PERMISSIONS + CHIEF_EXTRA_PERMISSIONS))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITOR, CHIEF_EDITOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
