from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from jobs import selectors, services
from jobs.models import Job
from jobs.serializers import JobSerializer


class JobFinished(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The job has already finished; there is nothing to cancel."
    default_code = "job_finished"


class JobListApi(generics.ListAPIView):
    serializer_class = JobSerializer
    queryset = Job.objects.none()  # for the schema

    def get_queryset(self):
        return selectors.job_list(user=self.request.user)


class JobDetailApi(APIView):
    @extend_schema(responses={200: JobSerializer})
    def get(self, request, pk):
        return Response(JobSerializer(selectors.job_get(user=request.user, job_id=pk)).data)

    @extend_schema(responses={200: JobSerializer, 409: OpenApiResponse(ErrorSerializer, JobFinished.default_detail)},
                   description="Cancel a queued or running job.")
    def delete(self, request, pk):
        job = selectors.job_get(user=request.user, job_id=pk)
        if job.status not in Job.ACTIVE:
            raise JobFinished()
        return Response(JobSerializer(services.job_cancel(job=job)).data)


class JobFileApi(APIView):
    """A file a job keeps (its query photo, its result image): owner only."""

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    def get(self, request, pk, name: str):
        job = selectors.job_get(user=request.user, job_id=pk)
        path = f"{job.files_prefix}{name}.jpg"
        if not default_storage.exists(path):
            raise Http404("No such file for this job.")
        return FileResponse(default_storage.open(path, "rb"), content_type="image/jpeg")
