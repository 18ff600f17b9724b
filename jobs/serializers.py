from dataclasses import dataclass

from django.urls import reverse
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs.models import Job


@dataclass(frozen=True)
class JobResultType:
    serializer: type[serializers.Serializer]
    image: str  # the file name of the job's image (result_url), e.g. "result.jpg"


# kind -> how its result reads; the apps that run a kind register it (`job_result`), as they register handlers.
JOB_RESULTS: dict[str, JobResultType] = {}


def job_result(kind: str, *, image: str):
    """Register the serializer of a kind's `Job.result` (it must declare `kind`) and the name of its image file."""
    def register(serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
        JOB_RESULTS[str(kind)] = JobResultType(serializer=serializer, image=image)
        return serializer

    return register


class JobPictureResultSerializer(serializers.Serializer):
    """What every registered result has: its kind and its picture, fetched at the job's `result_url`."""

    kind = serializers.CharField(help_text="The job's kind, which tells the result shapes apart.")
    image = serializers.CharField(help_text="The picture's file name; fetch it at the job's `result_url`.")
    width = serializers.IntegerField(help_text="The picture's width in pixels.")
    height = serializers.IntegerField(help_text="The picture's height in pixels.")


def job_file_names() -> list[str]:
    """The `{name}` of /api/v1/jobs/{id}/files/{name}.jpg: each kind's image."""
    return sorted({result.image.removesuffix(".jpg") for result in JOB_RESULTS.values()})


class JobResultField(serializers.Field):
    """`Job.result` read by its kind's serializer (absolute URLs, a `kind` to tell the shapes apart)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, job: Job):
        if job.result is None or job.kind not in JOB_RESULTS:
            return job.result
        return JOB_RESULTS[job.kind].serializer({**job.result, "kind": job.kind}, context=self.context).data


class JobResultFieldSchema(OpenApiSerializerFieldExtension):
    """null until the job succeeds, then one of the registered results, told apart by `kind`."""

    target_class = JobResultField

    def map_serializer_field(self, auto_schema, direction):
        refs = {kind: auto_schema.resolve_serializer(result.serializer, direction).ref
                for kind, result in sorted(JOB_RESULTS.items())}
        mapping = {kind: ref["$ref"] for kind, ref in refs.items()}
        return {"oneOf": [*refs.values(), {"type": "null"}],
                "discriminator": {"propertyName": "kind", "mapping": mapping},
                "description": "null until the job succeeds; then shaped by `kind`."}


class JobSerializer(serializers.ModelSerializer):
    result = JobResultField()
    result_url = serializers.SerializerMethodField(
        help_text="The job's image (try-on result, searched photo), absolute; null until the job succeeds.")

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "stage", "result", "result_url", "error",
                  "created_at", "started_at", "finished_at"]
        read_only_fields = fields

    @extend_schema_field({"type": ["string", "null"], "format": "uri"})
    def get_result_url(self, job: Job) -> str | None:
        if job.status != Job.Status.SUCCEEDED or job.kind not in JOB_RESULTS:
            return None
        name = JOB_RESULTS[job.kind].image.removesuffix(".jpg")
        return self.context["request"].build_absolute_uri(reverse("api:job-file", args=[job.pk, name]))
