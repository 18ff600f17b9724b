import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.filters import category_filter
from catalog.models import ClothingItem
from closet import selectors, services
from closet.models import ClosetItem, HistoryEntry
from closet.serializers import ClosetAddSerializer, ClosetItemSerializer, HistoryEntrySerializer


class ClosetFilter(django_filters.FilterSet):
    category = category_filter(field_name="item__category")


class ClosetListApi(generics.ListAPIView):
    serializer_class = ClosetItemSerializer
    filterset_class = ClosetFilter
    queryset = ClosetItem.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.closet_list(user=self.request.user)

    @extend_schema(request=ClosetAddSerializer, responses={201: ClosetItemSerializer})
    def post(self, request):
        data = ClosetAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = ClothingItem.objects.select_related("category").filter(
            pk=data.validated_data["clothing_id"], is_active=True).first()
        if item is None:
            raise ValidationError({"clothing_id": "No such item in the catalog."})
        entry = services.closet_add(user=request.user, item=item)
        return Response(ClosetItemSerializer(entry, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class ClosetRemoveApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, clothing_id: int):
        if not services.closet_remove(user=request.user, item_id=clothing_id):
            raise Http404("That item is not in your closet.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class HistoryListApi(generics.ListAPIView):
    serializer_class = HistoryEntrySerializer
    queryset = HistoryEntry.objects.none()  # for the schema

    def get_queryset(self):
        return selectors.history_list(user=self.request.user)
