from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.permissions import AllowAny

from catalog import selectors, services
from catalog.payloads import clothing_page_rows, clothing_payloads
from catalog.filters import ClothingFilter
from catalog.models import Category
from catalog.serializers import CategorySerializer, ClothingItemSerializer
from core.schema import path_id


@extend_schema_view(get=extend_schema(
    summary="List categories", description="Every category, in shop order; public. Its `slug` filters lists."))
class CategoryListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    pagination_class = None
    queryset = Category.objects.all()


@extend_schema_view(get=extend_schema(
    summary="Browse the catalog",
    description="Active items, newest first unless `sort` says otherwise; public. The filters and sorts are "
                "the ones search takes (catalog/filters.py); a bad value answers 400."))
class ClothingListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ClothingItemSerializer
    filterset_class = ClothingFilter

    def get_queryset(self):
        return clothing_page_rows(selectors.clothing_list())

    def list(self, request, *args, **kwargs):
        """A page of payloads from the cache (catalog/payloads.py); the same answer as serialising it."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(clothing_payloads(rows=page, request=request))


@extend_schema_view(get=extend_schema(
    summary="Get an item", parameters=[path_id("id", "The item's id.")],
    description="One active item; public. A signed-in shopper's view is recorded in their history."))
class ClothingDetailApi(generics.RetrieveAPIView):
    """Viewing an item is announced like viewing its page (the shopper's history records it)."""

    permission_classes = [AllowAny]
    serializer_class = ClothingItemSerializer

    def get_object(self):
        item = selectors.clothing_get(item_id=self.kwargs["pk"])
        services.clothing_view_announce(user=self.request.user, item=item)
        return item
