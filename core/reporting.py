"""What error reports (the DEBUG 500 page, the admins' error e-mails) may show.

Django hides settings and request.META entries whose names look secret (KEY, PASS, TOKEN...).
The development server copies the environment into request.META, and connection URLs carry their
password inside the value (DATABASE_URL, REDIS_URL, CACHE_URL, a cache's LOCATION, the redis
broker in Q_CLUSTER), so those names are hidden too, and any value holding `scheme://user:password@`,
in settings, request.META and the traceback's local variables alike.
"""

import re

from django.views.debug import SafeExceptionReporterFilter

URL_WITH_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@", re.I)


class CredentialsFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL"
        "|_URL$|^URL$|DSN|LOCATION|^REDIS$|CONNECTION_STRING", flags=re.I)

    def get_traceback_frame_variables(self, request, tb_frame):
        """Local variables too: a connection URL read into one is shown in the traceback."""
        return [(name, self.cleanse_setting(name, value))
                for name, value in super().get_traceback_frame_variables(request, tb_frame)]

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str) and URL_WITH_PASSWORD.search(cleansed):
            return self.cleansed_substitute
        return cleansed
