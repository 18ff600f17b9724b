from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_browse, name="browse"),
    path("<id:pk>/", views.clothing_detail, name="detail"),
]
