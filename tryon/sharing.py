"""Emailing a try-on result: owners only, valid addresses only, a few a day, never a relay."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_lock
from jobs.models import Job
from tryon.models import Share
from tryon.tryons import RESULT_FILE


class ShareLimitReached(Exception):
    """The daily cap; the message says when to try again."""


def tryon_share(*, user: User, job: Job, email: str) -> Share:
    validate_email(email)
    if job.kind != Job.Kind.TRYON or job.status != Job.Status.SUCCEEDED:
        raise ValidationError("Only a finished try-on can be shared.")
    with transaction.atomic():
        user_lock(user_id=user.pk)  # two requests at once cannot both take the last share
        since = timezone.now() - timedelta(days=1)
        if Share.objects.filter(user=user, created_at__gte=since).count() >= settings.TRYON_SHARES_PER_DAY:
            raise ShareLimitReached(
                f"You can share {settings.TRYON_SHARES_PER_DAY} try-ons a day. Please try again tomorrow.")
        share = Share.objects.create(user=user, job=job, email=email)
    message = EmailMessage(
        subject=f"{user.username} shared a look with you",
        body=f"{user.username} tried something on in OVDR, the Online Virtual Dressing Room, and wanted you to see it.",
        to=[email],
    )
    with default_storage.open(job.files_prefix + RESULT_FILE, "rb") as handle:
        message.attach("look.jpg", handle.read(), "image/jpeg")
    message.send()
    return share
