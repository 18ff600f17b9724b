"""Every REST endpoint under /api/v1/, named in the "api" namespace."""

from django.urls import path

from accounts import api as accounts
from catalog import api as catalog
from closet import api as closet
from jobs import api as jobs
from recommend import api as recommend
from search import api as search
from tryon import api as tryon

urlpatterns = [
    path("auth/register", accounts.RegisterApi.as_view(), name="register"),
    path("auth/login", accounts.LoginApi.as_view(), name="login"),
    path("auth/logout", accounts.LogoutApi.as_view(), name="logout"),
    path("me", accounts.MeApi.as_view(), name="me"),
    path("photos", accounts.PhotoListApi.as_view(), name="photo-list"),
    path("photos/<id:pk>", accounts.PhotoDetailApi.as_view(), name="photo-detail"),
    path("photos/<id:pk>/primary", accounts.PhotoPrimaryApi.as_view(), name="photo-primary"),
    path("photos/<id:pk>/file", accounts.PhotoFileApi.as_view(), name="photo-file"),
    path("categories", catalog.CategoryListApi.as_view(), name="category-list"),
    path("clothes", catalog.ClothingListApi.as_view(), name="clothing-list"),
    path("clothes/<id:pk>", catalog.ClothingDetailApi.as_view(), name="clothing-detail"),
    path("closet", closet.ClosetListApi.as_view(), name="closet-list"),
    path("closet/<id:clothing_id>", closet.ClosetRemoveApi.as_view(), name="closet-remove"),
    path("history", closet.HistoryListApi.as_view(), name="history-list"),
    path("combinations", tryon.CombinationListApi.as_view(), name="combination-list"),
    path("combinations/<id:pk>", tryon.CombinationDetailApi.as_view(), name="combination-detail"),
    path("combinations/<id:pk>/image", tryon.CombinationImageApi.as_view(), name="combination-image"),
    path("search", search.SearchApi.as_view(), name="search"),
    path("search/image", search.ImageSearchApi.as_view(), name="search-image"),
    path("recommendations/similar/<id:pk>", recommend.SimilarApi.as_view(), name="recommend-similar"),
    path("recommendations/trending", recommend.TrendingApi.as_view(), name="recommend-trending"),
    path("recommendations/for-you", recommend.ForYouApi.as_view(), name="recommend-for-you"),
    path("recommendations/complete/<id:pk>", recommend.CompleteTheLookApi.as_view(), name="recommend-complete"),
    path("tryon", tryon.TryOnApi.as_view(), name="tryon"),
    path("tryon/samples", tryon.TryOnSampleListApi.as_view(), name="tryon-samples"),
    path("tryon/<uuid:pk>/share", tryon.TryOnShareApi.as_view(), name="tryon-share"),
    path("jobs", jobs.JobListApi.as_view(), name="job-list"),
    path("jobs/<uuid:pk>", jobs.JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<uuid:pk>/files/<slug:name>.jpg", jobs.JobFileApi.as_view(), name="job-file"),
]
