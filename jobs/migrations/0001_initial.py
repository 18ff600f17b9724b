"""Job moves here from tryon with its table, rows, index and constraint names: state only."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("tryon", "0003_reap_stale_jobs_schedule"),  # tryon created the table and its last change
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Job",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("kind", models.CharField(choices=[("tryon", "Try-on"), ("image_search", "Image search")], max_length=20)),
                        ("status", models.CharField(choices=[("queued", "Queued"), ("running", "Running"), ("succeeded", "Succeeded"), ("failed", "Failed"), ("cancelled", "Cancelled")], default="queued", max_length=10)),
                        ("progress", models.PositiveSmallIntegerField(default=0)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("stage", models.CharField(blank=True, max_length=50)),
                        ("params", models.JSONField(blank=True, default=dict)),
                        ("result", models.JSONField(blank=True, null=True)),
                        ("error", models.CharField(blank=True, max_length=500)),
                        ("cache_key", models.CharField(blank=True, db_index=True, max_length=64)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("owner", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="jobs", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "tryon_job",
                        "ordering": ["-created_at"],
                        "indexes": [models.Index(fields=["owner", "-created_at"], name="tryon_job_owner_i_8c8206_idx")],
                        "constraints": [models.CheckConstraint(condition=models.Q(("progress__lte", 100)), name="job_progress_0_100")],
                    },
                ),
            ],
        ),
    ]
