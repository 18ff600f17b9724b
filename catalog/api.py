from rest_framework import generics
from rest_framework.permissions import AllowAny

from catalog import selectors, services
from catalog.filters import ClothingFilter
from catalog.models import Category
from catalog.serializers import CategorySerializer, ClothingItemSerializer


class CategoryListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    pagination_class = None
    queryset = Category.objects.all()


class ClothingListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ClothingItemSerializer
    filterset_class = ClothingFilter

    def get_queryset(self):
        return selectors.clothing_list()


class ClothingDetailApi(generics.RetrieveAPIView):
    """Viewing an item is announced like viewing its page (the shopper's history records it)."""

    permission_classes = [AllowAny]
    serializer_class = ClothingItemSerializer

    def get_object(self):
        item = selectors.clothing_get(item_id=self.kwargs["pk"])
        services.clothing_view_announce(user=self.request.user, item=item)
        return item
