from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import photo_get
from core.schema import path_id
from jobs.selectors import job_get
from jobs.serializers import JobSerializer
from tryon import selectors, services
from tryon.models import OUTFIT_SLOTS, Combination
from tryon.serializers import (
    ITEM_RULES, CombinationCreateSerializer, CombinationSerializer, SampleSerializer, ShareSerializer,
    TryOnSerializer,
)
from tryon.samples import SAMPLES
from tryon.services import tryon_share, tryon_start

OUTFIT_ID = path_id("id", "One of your outfits (`id` from GET /api/v1/combinations).")
TRYON_JOB_ID = path_id("id", "A finished try-on job of yours.", type_=OpenApiTypes.UUID)


@extend_schema_view(get=extend_schema(summary="List your outfits", description="Newest first."))
class CombinationListApi(generics.ListAPIView):
    serializer_class = CombinationSerializer
    queryset = Combination.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.combination_list(user=self.request.user)

    @extend_schema(summary="Save an outfit", request=CombinationCreateSerializer,
                   description=f"From items ({ITEM_RULES}) or from a finished try-on (`job_id`, with its image). "
                               "Saving the same items again answers the outfit already saved (200).",
                   responses={201: OpenApiResponse(CombinationSerializer, "The new outfit."),
                              200: OpenApiResponse(CombinationSerializer, "The same outfit, saved before.")},
                   examples=[OpenApiExample("Top and bottom", request_only=True, value={"top_id": 12, "bottom_id": 31}),
                             OpenApiExample("From a try-on", request_only=True,
                                            value={"job_id": "3f2b8f0e-7c1a-4d7e-9b1e-2a6f0c9d8e11"})])
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


@extend_schema_view(delete=extend_schema(summary="Delete an outfit", parameters=[OUTFIT_ID],
                                          description="Deletes the outfit and its image."))
class CombinationDetailApi(generics.DestroyAPIView):
    serializer_class = CombinationSerializer
    queryset = Combination.objects.none()  # for the schema

    def get_object(self):
        return selectors.combination_get(user=self.request.user, combination_id=self.kwargs["pk"])

    def perform_destroy(self, combination):
        services.combination_delete(combination=combination)


class CombinationImageApi(APIView):
    @extend_schema(summary="Download an outfit's picture", parameters=[OUTFIT_ID],
                   description="The try-on picture saved with the outfit; 404 when it was saved from items alone.",
                   responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, "The JPEG image.")})
    def get(self, request, pk: int):
        combination = selectors.combination_get(user=request.user, combination_id=pk)
        if not combination.result_image:
            raise Http404("This outfit has no image.")
        return FileResponse(combination.result_image.open("rb"), content_type="image/jpeg")


class TryOnApi(APIView):
    @extend_schema(summary="Start a try-on", request=TryOnSerializer,
                   responses={202: OpenApiResponse(JobSerializer, "Queued: poll GET /api/v1/jobs/{id}."),
                              200: OpenApiResponse(JobSerializer, "The finished job for the same request.")},
                   description=f"Renders you (`photo_id`) or a sample model (`sample`) wearing the items, as a "
                               f"job. {ITEM_RULES} The photo must be able to serve the items' body regions (see "
                               "the photo's `tryon_problems`). The same photo, items, engine and options answer "
                               "the finished job at once (200).",
                   examples=[OpenApiExample("Top and bottom", request_only=True, value={
                       "photo_id": 7, "top_id": 12, "bottom_id": 31, "engine": "warp", "options": {"seed": 42}})])
    def post(self, request):
        data = TryOnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "photo_id" in values:
            values["photo"] = photo_get(user=request.user, photo_id=values.pop("photo_id"))
        items = {slot: values.pop(f"{slot}_id", None) for slot in OUTFIT_SLOTS}
        job, created = tryon_start(owner=request.user, **items, **values)
        return Response(JobSerializer(job, context={"request": request}).data,
                        status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


class TryOnSampleListApi(APIView):
    @extend_schema(summary="List the sample models", responses={200: SampleSerializer(many=True)},
                   description="Photos anyone can try garments on (send `sample` instead of `photo_id`); they "
                               "are shared, read-only files, never photos of yours.")
    def get(self, request):
        samples = [{"name": sample.name, "label": sample.label, "image_url": request.build_absolute_uri(sample.url)}
                   for sample in SAMPLES.values()]
        return Response(SampleSerializer(samples, many=True).data)


class TryOnShareApi(APIView):
    @extend_schema(summary="Email a try-on", request=ShareSerializer, parameters=[TRYON_JOB_ID],
                   description="Emails a finished try-on: an HTML email with a plain-text alternative naming "
                               "each item worn with its price and link, the picture inline. A few a day per "
                               "shopper (429 `share_limit` with Retry-After).",
                   responses={201: OpenApiResponse(ShareSerializer, "Sent.")})
    def post(self, request, pk):
        data = ShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = job_get(user=request.user, job_id=pk)
        tryon_share(user=request.user, job=job, email=data.validated_data["email"],
                    site_url=request.build_absolute_uri("/"))
        return Response({"email": data.validated_data["email"]}, status=status.HTTP_201_CREATED)
