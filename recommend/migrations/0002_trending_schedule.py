"""Refresh the trending list every RECOMMEND_TRENDING_REFRESH_MINUTES in the django-q2 workers."""

from django.conf import settings
from django.db import migrations

TASK = "recommend.tasks.trending_refresh"


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(func=TASK, defaults={
        "name": "Refresh trending items", "schedule_type": "I",
        "minutes": settings.RECOMMEND_TRENDING_REFRESH_MINUTES, "repeats": -1,
    })


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("recommend", "0001_initial"), ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
    operations = [migrations.RunPython(schedule, unschedule)]
