from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.selectors import clothing_get
from catalog.serializers import CategorySlugField, ScoredItemSerializer
from recommend.outfits import complete_the_look
from recommend.personal import for_you, similar_items
from recommend.trending import trending_list


class LimitSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


class TrendingQuerySerializer(LimitSerializer):
    category = CategorySlugField(required=False)


class RecommendationsSerializer(serializers.Serializer):
    results = ScoredItemSerializer(many=True)


class RecommendationApi(APIView):
    """Validates the query, asks `recommend()` for (item, score) pairs best first, answers them.
    An empty list is a normal answer: a recommender never fails for lack of data."""

    permission_classes = [AllowAny]
    query_serializer = LimitSerializer

    def recommend(self, request, **arguments) -> list:
        raise NotImplementedError

    def get(self, request, **kwargs):
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        pairs = self.recommend(request, **kwargs, **query.validated_data)
        results = [{"item": item, "score": score} for item, score in pairs]
        return Response(RecommendationsSerializer({"results": results}, context={"request": request}).data)


@extend_schema(parameters=[LimitSerializer], responses={200: RecommendationsSerializer})
class SimilarApi(RecommendationApi):
    def recommend(self, request, *, pk: int, limit: int):
        return similar_items(item=clothing_get(item_id=pk), limit=limit)


@extend_schema(parameters=[TrendingQuerySerializer], responses={200: RecommendationsSerializer})
class TrendingApi(RecommendationApi):
    query_serializer = TrendingQuerySerializer

    def recommend(self, request, *, limit: int, category=None):
        return trending_list(category=category, limit=limit)


@extend_schema(parameters=[LimitSerializer], responses={200: RecommendationsSerializer})
class ForYouApi(RecommendationApi):
    permission_classes = [IsAuthenticated]

    def recommend(self, request, *, limit: int):
        return for_you(user=request.user, limit=limit)


@extend_schema(parameters=[LimitSerializer], responses={200: RecommendationsSerializer})
class CompleteTheLookApi(RecommendationApi):
    def recommend(self, request, *, pk: int, limit: int):
        return complete_the_look(item=clothing_get(item_id=pk), limit=limit)
