"""Token authentication that counts wrong tokens like wrong passwords."""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.throttling import auth_attempt


class ThrottledTokenAuthentication(TokenAuthentication):
    """A client that keeps sending unknown tokens is guessing: after AUTH_ATTEMPTS_LIMIT wrong
    tokens from one address in the window it gets 429 instead of 401. Valid tokens never count."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            auth_attempt(action="token", request=request)  # TooManyAttempts: core.api answers 429
            raise
