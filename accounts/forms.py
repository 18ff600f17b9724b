from django import forms

from accounts.selectors import username_taken


class RegisterForm(forms.Form):
    username = forms.CharField(min_length=3, max_length=150, help_text="3 to 150 characters.",
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    email = forms.EmailField(required=False, help_text="Optional, for password resets.")
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)
    password_confirm = forms.CharField(label="Confirm password", strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_username(self):
        username = self.cleaned_data["username"]
        if username_taken(username=username):
            raise forms.ValidationError("That username is already taken.")
        return username

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
