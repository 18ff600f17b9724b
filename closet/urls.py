from django.urls import path

from closet import views

app_name = "closet"
urlpatterns = [
    path("", views.closet_page, name="closet"),
    path("add/<id:pk>/", views.closet_add_view, name="add"),
    path("remove/<id:pk>/", views.closet_remove_view, name="remove"),
    path("history/", views.history_page, name="history"),
]
