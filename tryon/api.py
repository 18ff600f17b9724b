from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import photo_get
from jobs.selectors import job_get
from jobs.serializers import JobSerializer
from tryon import selectors, services
from tryon.models import OUTFIT_SLOTS, Combination
from tryon.serializers import (
    CombinationCreateSerializer, CombinationSerializer, ShareSerializer, TryOnSerializer,
)
from tryon.services import ShareLimitReached, tryon_share, tryon_start


class CombinationListApi(generics.ListAPIView):
    serializer_class = CombinationSerializer
    queryset = Combination.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.combination_list(user=self.request.user)

    @extend_schema(request=CombinationCreateSerializer,
                   responses={201: CombinationSerializer, 200: CombinationSerializer})
    def post(self, request):
        data = CombinationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if job_id := data.validated_data.get("job_id"):
            job = job_get(user=request.user, job_id=job_id)
            combination, created = services.combination_from_job(user=request.user, job=job)
        else:
            items = {slot: data.validated_data.get(f"{slot}_id") for slot in OUTFIT_SLOTS}
            combination, created = services.combination_create(user=request.user, **items)
        return Response(CombinationSerializer(combination, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CombinationDetailApi(generics.DestroyAPIView):
    serializer_class = CombinationSerializer
    queryset = Combination.objects.none()  # for the schema

    def get_object(self):
        return selectors.combination_get(user=self.request.user, combination_id=self.kwargs["pk"])

    def perform_destroy(self, combination):
        services.combination_delete(combination=combination)


class CombinationImageApi(APIView):
    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        combination = selectors.combination_get(user=request.user, combination_id=pk)
        if not combination.result_image:
            raise Http404("This outfit has no image.")
        return FileResponse(combination.result_image.open("rb"), content_type="image/jpeg")


class TooManyShares(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "share_limit"


class TryOnApi(APIView):
    @extend_schema(request=TryOnSerializer, responses={202: JobSerializer, 200: JobSerializer},
                   description="Queues a try-on (202). The same photo, items, engine and options answer "
                               "the finished job at once (200).")
    def post(self, request):
        data = TryOnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        photo = photo_get(user=request.user, photo_id=values.pop("photo_id"))
        items = {slot: values.pop(f"{slot}_id", None) for slot in OUTFIT_SLOTS}
        job, created = tryon_start(owner=request.user, photo=photo, **items, **values)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


class TryOnShareApi(APIView):
    @extend_schema(request=ShareSerializer, responses={201: ShareSerializer})
    def post(self, request, pk):
        data = ShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = job_get(user=request.user, job_id=pk)
        try:
            tryon_share(user=request.user, job=job, email=data.validated_data["email"])
        except ShareLimitReached as exc:
            raise TooManyShares(str(exc))
        return Response({"email": data.validated_data["email"]}, status=status.HTTP_201_CREATED)
