from django.urls import path

from tryon import studio, views

app_name = "tryon"
urlpatterns = [
    path("", views.outfits_page, name="outfits"),
    path("<id:pk>/delete/", views.outfit_delete, name="delete"),
    path("studio/", studio.studio_page, name="studio"),
]
