from django import forms
from django.contrib.auth.forms import PasswordResetForm

from accounts.models import User
from accounts.throttling import password_reset_attempt


class RegisterForm(forms.Form):
    username = forms.CharField(min_length=3, max_length=150, help_text="3 to 150 characters.",
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    email = forms.EmailField(required=False, help_text="Optional, for password resets.")
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)
    password_confirm = forms.CharField(label="Confirm password", strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_username(self):
        # Said early, beside the other fields' errors; user_register checks again (User.clean).
        if clash := User.username_clash(self.cleaned_data["username"]):
            raise forms.ValidationError(clash)
        return self.cleaned_data["username"]

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", "The two passwords do not match.")
        return data


class LoginForm(forms.Form):
    username = forms.CharField(widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PhotoUploadForm(forms.Form):
    image = forms.FileField(
        label="Full-body photo",
        help_text="JPEG, PNG or WEBP, up to 10 MB. Stand facing the camera, head to feet in the frame.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class ThrottledPasswordResetForm(PasswordResetForm):
    """Counts each request per address and per e-mail address before any mail goes out; over the
    limit, TooManyAttempts reaches core.throttled's middleware (the 429 page)."""

    def save(self, *args, request=None, **kwargs):
        password_reset_attempt(request=request, email=self.cleaned_data["email"])
        return super().save(*args, request=request, **kwargs)
