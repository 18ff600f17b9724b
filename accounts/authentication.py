"""Token authentication that counts wrong tokens like wrong passwords."""

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.throttling import auth_attempt

TOKEN_KEY = Token._meta.get_field("key").column  # `key`: a reserved word in MySQL, so it is quoted


class ThrottledTokenAuthentication(TokenAuthentication):
    """A client that keeps sending unknown tokens is guessing: after AUTH_ATTEMPTS_LIMIT wrong
    tokens from one address in the window it gets 429 instead of 401. Valid tokens never count."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            auth_attempt(action="token", request=request)  # TooManyAttempts: core.api answers 429
            raise

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        """DRF's lookup, with the same answers, as one raw query: every API request makes it, and the ORM's
        select_related().get() cost 0.25 ms more CPU compiling it. The token's other column (`created`)
        is read by nothing here, so the token handed to the view is just its key and its user."""
        found = list(User.objects.raw(
            f"SELECT u.* FROM {User._meta.db_table} u JOIN {Token._meta.db_table} t ON t.user_id = u.id "
            f"WHERE t.{connection.ops.quote_name(TOKEN_KEY)} = %s", [key]))
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not found[0].is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return found[0], Token(key=key, user=found[0])

