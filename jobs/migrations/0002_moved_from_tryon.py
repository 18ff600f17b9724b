"""Point what the database knows of Job's old home at the jobs app: the reaper's schedule (created by
tryon 0003) calls jobs.tasks now, and the content type moves, so staff keep their Job permissions and
admin history instead of the app getting a second, empty Job content type."""

from django.db import migrations

OLD_TASK, NEW_TASK = "tryon.tasks.job_reap_stale", "jobs.tasks.job_reap_stale"


def _move(apps, *, task: tuple[str, str], app_label: tuple[str, str]) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(func=task[0]).update(func=task[1])
    types = apps.get_model("contenttypes", "ContentType").objects.filter(model="job")
    # After a migration back and forth, post_migrate may have made the target already: keep that one.
    if not types.filter(app_label=app_label[1]).exists():
        types.filter(app_label=app_label[0]).update(app_label=app_label[1])


def forwards(apps, schema_editor):
    _move(apps, task=(OLD_TASK, NEW_TASK), app_label=("tryon", "jobs"))


def backwards(apps, schema_editor):
    _move(apps, task=(NEW_TASK, OLD_TASK), app_label=("jobs", "tryon"))


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("tryon", "0003_reap_stale_jobs_schedule"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
