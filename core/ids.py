"""Object ids from URLs and request bodies, bounded to what a database id can be.

A larger number names nothing, yet reaching the database it overflows (SQLite raises
OverflowError on a foreign-key lookup): a 500 for `/api/v1/closet/99999999999999999999999`.
URLs use `<id:pk>` (registered in core.apps), bodies `id_field()`; both answer as for a missing object.
"""

from rest_framework import serializers

MAX_ID = 2**63 - 1  # BigAutoField's ceiling on every backend


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("no such id")  # the URL does not match: a 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)
