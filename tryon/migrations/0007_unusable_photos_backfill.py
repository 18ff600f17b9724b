"""Photos analysed before accounts 0005 get their `unusable_reason` from their analysis (no person found:
empty data, one message for every region), and no shopper keeps such a photo as primary: the newest
usable one takes over, or none."""

from django.db import migrations


def mark_unusable(apps, schema_editor):
    PhotoAnalysis = apps.get_model("tryon", "PhotoAnalysis")
    Photo = apps.get_model("accounts", "Photo")
    User = apps.get_model("accounts", "User")
    for analysis in PhotoAnalysis.objects.only("photo_id", "data", "problems").iterator():
        if not analysis.data and analysis.problems:
            reason = next(iter(analysis.problems.values()))[:200]
            Photo.objects.filter(pk=analysis.photo_id).update(unusable_reason=reason)
    for user in User.objects.filter(primary_photo__isnull=False).exclude(primary_photo__unusable_reason=""):
        successor = Photo.objects.filter(owner=user, unusable_reason="").order_by("-created_at", "-id").first()
        User.objects.filter(pk=user.pk).update(primary_photo=successor)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_photo_unusable_reason'),
        ('tryon', '0006_share_outlives_its_job'),
    ]

    operations = [
        migrations.RunPython(mark_unusable, migrations.RunPython.noop),
    ]
