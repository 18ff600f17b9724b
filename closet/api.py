import django_filters
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.filters import category_filter
from closet import selectors, services
from closet.models import MAX_ITEMS_PER_CATEGORY
from closet.models import ClosetItem, HistoryEntry
from closet.serializers import ClosetAddSerializer, ClosetItemSerializer, HistoryEntrySerializer
from core.api import ErrorSerializer
from core.schema import path_id

CLOSET_RULES = (f"At most {MAX_ITEMS_PER_CATEGORY} items per category (`category_full`), each item once "
                "(`duplicate`); an unknown or withdrawn item is `does_not_exist`.")


class ClosetFilter(django_filters.FilterSet):
    category = category_filter(field_name="item__category")


@extend_schema_view(get=extend_schema(summary="List your closet", description="Newest first."))
class ClosetListApi(generics.ListAPIView):
    serializer_class = ClosetItemSerializer
    filterset_class = ClosetFilter
    queryset = ClosetItem.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.closet_list(user=self.request.user)

    @extend_schema(
        summary="Keep an item", description=f"Adds an item to your closet. {CLOSET_RULES}",
        request=ClosetAddSerializer,
        responses={201: OpenApiResponse(ClosetItemSerializer, "The item, now in your closet."),
                   400: OpenApiResponse(ErrorSerializer, f"Invalid input, or a closet rule: {CLOSET_RULES}", examples=[
                       OpenApiExample("Category full", value={"error": {
                           "status": 400, "code": "category_full",
                           "message": "Max 5 tops items allowed. Remove one to add new."}})])},
        examples=[OpenApiExample("Keep an item", request_only=True, value={"clothing_id": 12})])
    def post(self, request):
        data = ClosetAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.closet_add(user=request.user, item=data.validated_data["clothing_id"])
        return Response(ClosetItemSerializer(entry, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class ClosetRemoveApi(APIView):
    @extend_schema(summary="Remove an item from your closet", responses={204: None},
                   parameters=[path_id("clothing_id", "The item's id (not a closet entry's).")],
                   description="404 when the item is not in your closet.")
    def delete(self, request, clothing_id: int):
        if not services.closet_remove(user=request.user, item_id=clothing_id):
            raise Http404("That item is not in your closet.")
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(get=extend_schema(
    summary="Your recently viewed items", description="The latest 20 items you viewed, newest first."))
class HistoryListApi(generics.ListAPIView):
    serializer_class = HistoryEntrySerializer
    queryset = HistoryEntry.objects.none()  # for the schema

    def get_queryset(self):
        return selectors.history_list(user=self.request.user)
