from django.urls import reverse
from rest_framework import serializers

from jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    result_url = serializers.SerializerMethodField(help_text="The job's image (try-on result, search photo).")

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "stage", "result", "result_url", "error",
                  "created_at", "started_at", "finished_at"]
        read_only_fields = fields

    def get_result_url(self, job: Job) -> str | None:
        name = (job.result or {}).get("image", "")
        if job.status != Job.Status.SUCCEEDED or not name.endswith(".jpg"):
            return None
        return reverse("api:job-file", args=[job.pk, name.removesuffix(".jpg")])
