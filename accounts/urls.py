from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("register/", views.register, name="register"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("photos/upload/", views.photo_upload, name="photo-upload"),
    path("photos/<int:pk>/primary/", views.photo_primary, name="photo-primary"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo-delete"),
]
