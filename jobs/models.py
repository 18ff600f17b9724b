import uuid

from django.conf import settings
from django.db import models


class Job(models.Model):
    """A background job (try-on, image search) that its owner polls and may cancel.

    A kind is a plain string: the apps that run jobs register a handler for theirs
    (`jobs.services.job_handler`); the choices only name them for people."""

    class Kind(models.TextChoices):
        TRYON = "tryon", "Try-on"
        IMAGE_SEARCH = "image_search", "Image search"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=50, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # Same photo, items, engine and options -> same key: a finished job answers again at once.
    cache_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The model began in tryon; its table, index and constraint names stayed, so moving it
        # changed no schema and no rows (migrations jobs 0001 and tryon 0004).
        db_table = "tryon_job"
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_0_100")]
        indexes = [models.Index(fields=["owner", "-created_at"], name="tryon_job_owner_i_8c8206_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} job {self.pk} ({self.status})"

    @property
    def files_prefix(self) -> str:
        """Every file a job writes lives under this storage folder, so cleanup is one rmtree."""
        return f"private/jobs/{self.pk}/"
