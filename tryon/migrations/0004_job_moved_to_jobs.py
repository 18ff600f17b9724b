"""Job now lives in the jobs app (jobs 0001), on the same table: state only, the database is unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("jobs", "0001_initial"),
        ("tryon", "0003_reap_stale_jobs_schedule"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="share",
                    name="job",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="shares", to="jobs.job"),
                ),
                migrations.DeleteModel(name="Job"),
            ],
        ),
    ]
