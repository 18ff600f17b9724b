"""Every 5 minutes, end jobs whose worker died or that no worker picked up (tryon.jobs.job_reap_stale)."""

from django.db import migrations

TASK = "tryon.tasks.job_reap_stale"


def schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(func=TASK, defaults={
        "name": "End stale jobs", "schedule_type": "I", "minutes": 5, "repeats": -1})


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tryon", "0002_job_attempts_job_cache_key_share"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
