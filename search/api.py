from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import photo_get
from catalog.filters import ClothingFilter, filter_parameters
from core.api import RetryLater
from jobs.serializers import JobSerializer
from search import services
from search.serializers import ImageSearchSerializer, SearchQuerySerializer, SearchResultSerializer


class SearchUnavailableError(RetryLater):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "search_unavailable"


class SearchApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="Search the catalog in words",
                   parameters=[SearchQuerySerializer, *filter_parameters(exclude=("category",))],
                   description="Active items ranked by how well they match the words; public. Words that "
                               "name a garment type, a colour, a price (\"under 30\", \"€50-80\", \"cheap\") "
                               "or a sale are applied as filters (`understood`) and the rest is ranked by "
                               "meaning; weak matches are left out, so a query may find nothing (then "
                               "`suggestions` offers other queries). A query made only of filter words with "
                               "nothing to rank (\"on sale\", \"cheap\") lists the items that pass, each with "
                               "score 1. The filter parameters are the catalog list's and win over the words. "
                               "Answers 503 "
                               "`search_unavailable` (with Retry-After) while the index is missing or rebuilt.",
                   responses={200: OpenApiResponse(SearchResultSerializer, "The best matches first.")})
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        params = {name: request.query_params.get(name, "") for name in ClothingFilter.base_filters}
        try:
            outcome = services.search_catalog(query=data["q"], params=params, limit=data["limit"])
        except services.SearchUnavailable as exc:
            raise SearchUnavailableError(str(exc))
        category = data.get("category")
        body = {"query": data["q"], "category": category.slug if category else None, "results": outcome.hits,
                "understood": {"text": outcome.understood.text, "filters": outcome.understood.filters()},
                "suggestions": outcome.suggestions}
        return Response(SearchResultSerializer(body, context={"request": request}).data)


class ImageSearchApi(APIView):
    parser_classes = [MultiPartParser]  # an upload: a file cannot travel form-encoded or in JSON

    @extend_schema(summary="Find similar items from a photo", request=ImageSearchSerializer,
                   description="Send `image` (a JPEG, PNG or WEBP upload) or `photo_id` (one of your photos), "
                               "exactly one. Starts a job; poll GET /api/v1/jobs/{id}: its `result` lists the "
                               "garments found, each with its box, body region and closest catalog items.",
                   responses={202: OpenApiResponse(JobSerializer, "Queued: poll GET /api/v1/jobs/{id}.")},
                   examples=[OpenApiExample("One of your photos", request_only=True,
                                            value={"photo_id": 7, "category": "tops", "limit": 5})])
    def post(self, request):
        form = ImageSearchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        photo = photo_get(user=request.user, photo_id=data["photo_id"]) if "photo_id" in data else None
        job = services.image_search_start(owner=request.user, image_file=data.get("image") or photo.image,
                                          category=data.get("category"), limit=data["limit"],
                                          photo_id=photo and photo.pk)
        return Response(JobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)
