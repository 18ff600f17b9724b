"""API sign-in throttling, and token authentication that counts wrong tokens like wrong passwords."""

from rest_framework import exceptions, status
from rest_framework.authentication import TokenAuthentication

from accounts.throttling import TooManyAttempts, auth_attempt


class AttemptsThrottled(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, error: TooManyAttempts):
        super().__init__(error.messages[0])
        self.wait = error.wait_seconds  # DRF's handler turns it into a Retry-After header


def api_auth_attempt(*, action: str, request, username: str = "") -> None:
    try:
        auth_attempt(action=action, request=request, username=username)
    except TooManyAttempts as exc:
        raise AttemptsThrottled(exc)


class ThrottledTokenAuthentication(TokenAuthentication):
    """A client that keeps sending unknown tokens is guessing: after AUTH_ATTEMPTS_LIMIT wrong
    tokens from one address in the window it gets 429 instead of 401. Valid tokens never count."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            api_auth_attempt(action="token", request=request)
            raise
