"""Per-shopper limits (active jobs, photos kept, image searches an hour, shares a day).

A limit is a ValidationError, so pages show its message like any refusal; the API's exception
handler (core.api) answers it 429 with `Retry-After`. Each service decides it under the owner's
row lock, so a burst of parallel requests cannot all pass the count.
"""

import math

from django.core.exceptions import ValidationError


class LimitReached(ValidationError):
    def __init__(self, message: str, *, retry_after: int, code: str = "limit_reached"):
        super().__init__(message, code=code)
        self.retry_after = max(1, math.ceil(retry_after))
