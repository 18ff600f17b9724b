from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts.forms import ThrottledPasswordResetForm

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("register/", views.register, name="register"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("photos/upload/", views.photo_upload, name="photo-upload"),
    # Password reset: Django's own views, with OVDR's templates.
    path("password-reset/", auth_views.PasswordResetView.as_view(
        form_class=ThrottledPasswordResetForm, template_name="accounts/password_reset_form.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password-reset-done")), name="password-reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password-reset-done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password-reset-complete")), name="password-reset-confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password-reset-complete"),
    path("photos/<id:pk>/primary/", views.photo_primary, name="photo-primary"),
    path("photos/<id:pk>/delete/", views.photo_delete, name="photo-delete"),
]
