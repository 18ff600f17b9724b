"""What the catalog announces, so that the apps built on it can act without the catalog knowing them."""

from django.dispatch import Signal

# A signed-in shopper looked at an item (its page or its API answer).
# Sent with sender=ClothingItem, user=<the User> and item=<the ClothingItem>.
item_viewed = Signal()
