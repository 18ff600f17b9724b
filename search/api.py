from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import photo_get
from jobs.serializers import JobSerializer
from search import services
from search.serializers import ImageSearchSerializer, SearchQuerySerializer, SearchResultSerializer


class SearchUnavailableError(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "search_unavailable"


class SearchApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[SearchQuerySerializer], responses={200: SearchResultSerializer})
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            hits = services.search_text(query=data["q"], category=data.get("category"), limit=data["limit"])
        except services.SearchUnavailable as exc:
            raise SearchUnavailableError(str(exc))
        category = data.get("category")
        body = {"query": data["q"], "category": category.slug if category else None, "results": hits}
        return Response(SearchResultSerializer(body, context={"request": request}).data)


class ImageSearchApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImageSearchSerializer, responses={202: JobSerializer},
                   description="Starts a job; poll GET /api/v1/jobs/{id} for the garments and matches.")
    def post(self, request):
        form = ImageSearchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        image = data.get("image") or photo_get(user=request.user, photo_id=data["photo_id"]).image
        job = services.image_search_start(owner=request.user, image_file=image,
                                          category=data.get("category"), limit=data["limit"])
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
