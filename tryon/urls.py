from django.urls import path

from tryon import views

app_name = "tryon"
urlpatterns = [
    path("", views.outfits_page, name="outfits"),
    path("<int:pk>/delete/", views.outfit_delete, name="delete"),
]
