from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.permissions import AllowAny

from catalog import selectors, services
from catalog.filters import ClothingFilter
from catalog.models import Category
from catalog.pages import (
    CatalogPage,
    catalog_count_lookup,
    catalog_count_store,
    catalog_page_lookup,
    catalog_page_store,
    count_key,
    filter_params_served,
    page_key,
    page_params_asked,
    page_params_served,
)
from catalog.payloads import clothing_page_rows, clothing_payloads
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
        """The whole page from the cache while the catalog is unchanged (catalog/pages.py), else built
        from cached item payloads (catalog/payloads.py): the same answer as serialising it."""
        site = request.build_absolute_uri("/")  # image URLs are absolute
        asked = page_params_asked(request.query_params, filters=self.filterset_class.base_filters,
                                  paginator=self.paginator)
        page, version = catalog_page_lookup(key=page_key(asked, site=site))
        if page is None:
            filters, items = self._filtered(asked)
            counted = count_key(filters)
            self.paginator.known_count = catalog_count_lookup(key=counted, version=version)
            rows = self.paginate_queryset(items)
            page = CatalogPage(version=version, count=self.paginator.page.paginator.count,
                               number=self.paginator.page.number,
                               results=clothing_payloads(rows=rows, request=request))
            if self.paginator.known_count is None:
                catalog_count_store(key=counted, version=version, count=page.count)
            catalog_page_store(key=page_key(page_params_served(filters, paginator=self.paginator), site=site),
                               page=page)
        else:
            self.paginator.paginate_count(request, count=page.count, number=page.number)
        return self.get_paginated_response(page.results)

    def _filtered(self, asked: dict[str, str]) -> tuple[dict[str, str], QuerySet]:
        """The normal spelling of the request's filters, and its query. A request that asks for no filter
        (a plain browse, most requests) needs no filterset: its form cost about 1 ms to filter nothing."""
        if asked.keys().isdisjoint(self.filterset_class.base_filters):
            return {}, self.get_queryset()
        filterset = self._valid_filterset()
        return filter_params_served(filterset.form.cleaned_data), filterset.qs

    def _valid_filterset(self) -> ClothingFilter:
        """What DjangoFilterBackend.filter_queryset does, keeping the filterset: its cleaned data spell the key."""
        filterset = DjangoFilterBackend().get_filterset(self.request, self.get_queryset(), self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset


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
