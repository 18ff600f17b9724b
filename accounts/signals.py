"""What accounts announces, so that other apps can act on it without accounts knowing them."""

from django.dispatch import Signal

# A shopper's photo was stored. Sent with sender=Photo and photo=<the Photo> by photo_upload,
# which returns only after every receiver has run.
photo_uploaded = Signal()
