"""The one sign-in path: the admin, the pages and the API all call django.contrib.auth.authenticate,
which reaches this backend, so each way in is throttled the same (accounts.throttling)."""

from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from accounts.selectors import user_find
from accounts.throttling import auth_attempt


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        # Counted before the password is checked, so a parallel burst cannot pass the limit.
        auth_attempt(action="login", request=request, username=username)  # raises TooManyAttempts
        user = user_find(username=username)
        if user is None:
            User().set_password(password)  # as long as a real check: timing tells no names apart
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
