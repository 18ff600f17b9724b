"""PhotoAnalysis moves from accounts to tryon: only Django's model state changes, the table
`accounts_photoanalysis` and its rows stay as they are (accounts 0003 drops the old state)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_photoanalysis"),
        ("tryon", "0003_reap_stale_jobs_schedule"),
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
    ]
