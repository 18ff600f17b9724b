"""Addresses mail may be sent to on a shopper's behalf: on a public domain.

Django's validate_email accepts `x@localhost` and `x@[127.0.0.1]`; a share sent there would make the
server mail its own host or network. A public domain has a dot and ends in a top-level domain of
letters (or IDNA `xn--`) that is not reserved for private use (RFC 2606, RFC 6761, RFC 6762...).
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

TOP_LEVEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
PRIVATE_TOP_LEVELS = {"localhost", "local", "localdomain", "test", "example", "invalid", "internal", "intranet",
                      "lan", "home", "corp", "private", "onion", "arpa", "alt"}


def validate_public_email(address: str) -> None:
    validate_email(address)
    labels = address.rsplit("@", 1)[1].lower().rstrip(".").split(".")
    if len(labels) < 2 or not TOP_LEVEL.match(labels[-1]) or labels[-1] in PRIVATE_TOP_LEVELS:
        raise ValidationError("Enter an address on a public domain (like name@example.com).", code="invalid")
