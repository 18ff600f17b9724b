from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ovdr import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("favicon.ico", views.favicon),
    path("catalog/", include("catalog.urls")),
    path("accounts/", include("accounts.urls")),
    path("closet/", include("closet.urls")),
    path("search/", include("search.urls")),
    path("outfits/", include("tryon.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("ovdr.api_urls", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, which the CSP allows; Swagger UI
    # styles its elements inline, so this one page also allows inline styles (never scripts).
    path("api/docs/", csp_update({"style-src": [SELF, UNSAFE_INLINE]})(
        SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    # Only catalog images are public media; shoppers' files go through ownership-checking views.
    re_path(r"^media/catalog/(?P<path>.+)$", views.catalog_media, name="catalog-media"),
]

handler400 = "core.views.bad_request"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
