from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.selectors import clothing_get
from catalog.serializers import CategorySlugField, ScoredItemSerializer
from core.schema import path_id
from recommend.outfits import complete_the_look
from recommend.personal import for_you, similar_items
from recommend.trending import trending_list


class LimitSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10, help_text="How many items, 1-50.")


class TrendingQuerySerializer(LimitSerializer):
    category = CategorySlugField(required=False, help_text="Only this category: a slug from /api/v1/categories.")


class RecommendationsSerializer(serializers.Serializer):
    results = ScoredItemSerializer(many=True, help_text="Best first; may be empty.")


RANKED = OpenApiResponse(RecommendationsSerializer, "Items with their scores, best first (possibly none).")
ITEM_ID = path_id("id", "The item to start from.")


def _documented(summary: str, description: str, *, query=LimitSerializer, item: bool = False):
    return extend_schema(summary=summary, description=description, responses={200: RANKED},
                         parameters=[query, *([ITEM_ID] if item else [])])


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


@_documented("Items like this one", "Items of the same category that look most alike; public.", item=True)
class SimilarApi(RecommendationApi):
    def recommend(self, request, *, pk: int, limit: int):
        return similar_items(item=clothing_get(item_id=pk), limit=limit)


@_documented("Trending items", "What shoppers viewed and kept most lately (recent activity counts more); public. "
                               "Until enough different shoppers interacted (RECOMMEND_TRENDING_MIN_PEOPLE), and "
                               "whenever trending items do not fill `limit`, the newest items (score 0) complete "
                               "the list, spread across categories.",
             query=TrendingQuerySerializer)
class TrendingApi(RecommendationApi):
    query_serializer = TrendingQuerySerializer

    def recommend(self, request, *, limit: int, category=None):
        return trending_list(category=category, limit=limit)


@_documented("Picked for you", "Items chosen from what you viewed and kept, spread across categories; "
                               "until you have viewed some, and to complete `limit`, the curators' featured "
                               "picks and the newest items (score 0).")
class ForYouApi(RecommendationApi):
    permission_classes = [IsAuthenticated]

    def recommend(self, request, *, limit: int):
        return for_you(user=request.user, limit=limit)


@_documented("Complete the look", "Items that go with this one: what shoppers saved in outfits with it, "
                                   "else items of other categories in matching colours; public.", item=True)
class CompleteTheLookApi(RecommendationApi):
    def recommend(self, request, *, pk: int, limit: int):
        return complete_the_look(item=clothing_get(item_id=pk), limit=limit)
