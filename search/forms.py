from django import forms
from django.utils.timezone import localtime

from catalog.models import Category
from search.services import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", max_length=MAX_QUERY_LENGTH, strip=True,
                        widget=forms.TextInput(attrs={"placeholder": "e.g. red floral summer dress",
                                                      "type": "search"}))


class FindSimilarForm(forms.Form):
    image = forms.FileField(required=False, label="Upload a photo",
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    # Radio thumbnails (templates/search/similar.html): a date alone does not tell two photos apart.
    photo = forms.ModelChoiceField(queryset=None, required=False, label="…or pick one of your photos",
                                   empty_label=None, widget=forms.RadioSelect)
    category = forms.ModelChoiceField(queryset=Category.objects.all(), to_field_name="slug", required=False,
                                      empty_label="Any category")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].queryset = user.photos.all()
        self.fields["photo"].label_from_instance = lambda photo: (
            f"{'Your primary photo' if photo.pk == user.primary_photo_id else 'Your photo'} "
            f"from {localtime(photo.created_at):%-d %b %Y, %H:%M}")

    def clean(self):
        data = super().clean()
        if bool(data.get("image")) == bool(data.get("photo")):
            raise forms.ValidationError("Upload a photo or pick one of yours (one, not both).")
        return data
