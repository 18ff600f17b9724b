"""Try-on's answers to what other apps announce."""

from django.dispatch import receiver

from accounts.signals import photo_uploaded
from tryon.preprocess import photo_analyse


@receiver(photo_uploaded, dispatch_uid="tryon_analyse_uploaded_photo")
def analyse_uploaded_photo(sender, photo, **kwargs) -> None:
    # Pose and segmentation now, so the shopper learns at once what this photo can be used for.
    photo_analyse(photo=photo)
