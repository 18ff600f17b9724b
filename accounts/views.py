from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from accounts import selectors, services
from accounts.forms import LoginForm, PhotoUploadForm, RegisterForm
from accounts.throttling import TooManyAttempts, auth_attempt
from core.decorators import require_form_methods
from core.throttled import rate_limited_response


def _safe_next(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next")
    # Only a path on this site: redirect() would take a bare word for a URL name and fail on it.
    if target and target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}):
        return target
    return default


@require_form_methods
def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
        try:  # every POST counts, valid or not: the form tells whether a name is taken, as the API does
            auth_attempt(action="register", request=request)
        except TooManyAttempts as exc:
            return rate_limited_response(request, exc)  # not the form: its errors would answer the question
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_register(username=data["username"], email=data["email"],
                                          password=data["password"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user)
            messages.success(request, f"Welcome, {user.username}! Add a full-body photo to get started.")
            return redirect("accounts:photo-upload")
    return render(request, "accounts/register.html", {"form": form})


@require_form_methods
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_authenticate(request=request, **form.cleaned_data)
        except TooManyAttempts as exc:  # the form again, the message on top, with 429 and Retry-After
            form.add_error(None, exc.message)
            return rate_limited_response(request, exc, template="accounts/login.html",
                                         context={"form": form, "next": request.GET.get("next", "")})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user)
            return redirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("home")


@require_safe
@login_required
def account(request):
    photos = selectors.photo_list(user=request.user)
    return render(request, "accounts/account.html", {"photos": photos})


@require_form_methods
@login_required
def photo_upload(request):
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            photo = services.photo_upload(user=request.user, upload=form.cleaned_data["image"])
        except ValidationError as exc:
            form.add_error("image", exc)
        else:
            messages.success(request, "Photo uploaded.")
            if not photo.usable:  # said once, not once per body region
                messages.warning(request, f"This photo cannot be used for try-on: {photo.unusable_reason} "
                                          "It was not made your primary photo.")
            else:
                for problem in sorted(set(selectors.photo_tryon_problems(photo=photo).values())):
                    messages.warning(request, f"For try-on: {problem}")
            return redirect("accounts:account")
    return render(request, "accounts/photo_upload.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def photo_primary(request, pk: int):
    photo = selectors.photo_get(user=request.user, photo_id=pk)
    try:
        services.photo_set_primary(user=request.user, photo=photo)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Primary photo changed.")
    return redirect("accounts:account")


@require_form_methods
@login_required
def photo_delete(request, pk: int):
    """GET asks for confirmation (a page: no script needed), POST deletes."""
    photo = selectors.photo_get(user=request.user, photo_id=pk)
    if request.method != "POST":
        return render(request, "confirm_delete.html", {
            "title": "Delete this photo?", "cancel_url": reverse("accounts:account"),
            "image_url": reverse("api:photo-file", args=[photo.pk]),
            "image_alt": f"Your photo from {dateformat.format(photo.created_at, 'j M Y')}",
            "consequence": "Try-ons made from it are deleted too; outfits you saved keep their pictures.",
            "button": "Delete photo"})
    services.photo_delete(user=request.user, photo=photo)
    messages.success(request, "Photo deleted.")
    return redirect("accounts:account")
