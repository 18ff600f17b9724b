from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from core.schema import AutoSchema, path_id
from jobs import selectors, services
from jobs.models import Job
from jobs.serializers import JobSerializer, job_file_names

JOB_ID = path_id("id", "The job's id (a UUID), as the operation that started it answered.", type_=OpenApiTypes.UUID)


class JobFinished(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The job has already finished; there is nothing to cancel."
    default_code = "job_finished"


@extend_schema_view(get=extend_schema(
    summary="List your jobs", description="Your try-on and image-search jobs, newest first."))
class JobListApi(generics.ListAPIView):
    serializer_class = JobSerializer
    queryset = Job.objects.none()  # for the schema

    def get_queryset(self):
        return selectors.job_list(user=self.request.user)


class JobDetailApi(APIView):
    @extend_schema(summary="Poll a job", parameters=[JOB_ID],
                   description="Its status (queued, running, succeeded, failed, cancelled), progress (0-100) and, "
                               "once it succeeded, its `result` and `result_url`. Poll every second or two.",
                   responses={200: OpenApiResponse(JobSerializer, "The job as it stands.")})
    def get(self, request, pk):
        job = selectors.job_get(user=request.user, job_id=pk)
        return Response(JobSerializer(job, context={"request": request}).data)

    @extend_schema(summary="Cancel a job", parameters=[JOB_ID],
                   description="Cancels a queued or running job: it stops at its next step and keeps no files.",
                   responses={200: OpenApiResponse(JobSerializer, "The cancelled job."),
                              409: OpenApiResponse(ErrorSerializer, JobFinished.default_detail)})
    def delete(self, request, pk):
        job = selectors.job_get(user=request.user, job_id=pk)
        if job.status not in Job.ACTIVE:
            raise JobFinished()
        return Response(JobSerializer(services.job_cancel(job=job), context={"request": request}).data)


class JobFileSchema(AutoSchema):
    """The file names come from the kinds registered when the apps loaded, so they are read at generation time."""

    def get_override_parameters(self):
        return [*super().get_override_parameters(), OpenApiParameter(
            "name", str, OpenApiParameter.PATH, enum=job_file_names(),
            description="`result` for a try-on's picture, `query` for the photo an image search looked at. "
                        "A job's `result_url` names it for you.")]


class JobFileApi(APIView):
    """A file a job keeps (its query photo, its result image): owner only."""

    schema = JobFileSchema()

    @extend_schema(summary="Download a job's image", operation_id="jobs_file_retrieve", parameters=[JOB_ID],
                   description="The JPEG a succeeded job made (try-on) or looked at (image search); owner only.",
                   responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, "The JPEG image.")})
    def get(self, request, pk, name: str):
        job = selectors.job_get(user=request.user, job_id=pk)
        path = f"{job.files_prefix}{name}.jpg"
        if not default_storage.exists(path):
            raise Http404("No such file for this job.")
        return FileResponse(default_storage.open(path, "rb"), content_type="image/jpeg")
