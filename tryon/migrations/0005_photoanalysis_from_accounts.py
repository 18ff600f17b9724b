"""PhotoAnalysis moves from accounts to tryon: only Django's model state changes, the table
`accounts_photoanalysis` and its rows stay as they are (accounts 0003 drops the old state). Its content type
moves too, like Job's in jobs 0002, so the app does not get a second, empty PhotoAnalysis content type."""

import django.db.models.deletion
from django.db import migrations, models



def _content_type_move(apps, *, old: str, new: str) -> None:
    types = apps.get_model("contenttypes", "ContentType").objects.filter(model="photoanalysis")
    # After a migration back and forth, post_migrate may have made the target already: keep that one.
    if not types.filter(app_label=new).exists():
        types.filter(app_label=old).update(app_label=new)


def forwards(apps, schema_editor):
    _content_type_move(apps, old="accounts", new="tryon")


def backwards(apps, schema_editor):
    _content_type_move(apps, old="tryon", new="accounts")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_photoanalysis"),
        ("tryon", "0004_job_moved_to_jobs"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PhotoAnalysis",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("data", models.JSONField()),
                        ("person_mask", models.ImageField(upload_to="private/analysis/")),
                        ("problems", models.JSONField(default=dict)),
                        ("photo", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                       related_name="analysis", to="accounts.photo")),
                    ],
                    options={"db_table": "accounts_photoanalysis"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
