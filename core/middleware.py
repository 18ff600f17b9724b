"""A database that is down, restarting or locked past its busy timeout answers 503 + Retry-After, not a 500."""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from core.api import error_response, is_api_request, retry_after

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# One warning per process at the start of an outage, then at most one a minute with a count.
WARN_EVERY_SECONDS = 60

# MySQL/MariaDB client and server codes that mean "no connection", not "this query failed":
# 2002/2003 refused or unreachable (libmariadb uses 2002 for TCP too), 2006/2013/2055 lost,
# 1040 too many connections, 1053 server shutting down, 1927 connection killed (by a shutdown).
# Lock wait timeouts (1205) and deadlocks (1213) are NOT here: the database is up and answering;
# they come from our own transactions, so they stay loud 500s that someone must fix.
MYSQL_CONNECTION_ERRORS = frozenset({1040, 1053, 1927, 2002, 2003, 2006, 2013, 2055})
# SQLite: the file cannot be opened, or another process held its one write lock past the busy
# timeout (DATABASE_BUSY_TIMEOUT). Unlike a MariaDB lock wait, that is no bug of ours but the
# engine's single writer being busy (a catalog import, a worker), so it is an outage too.
SQLITE_UNAVAILABLE = ("unable to open database file", "database is locked")


def database_unreachable(exc: BaseException) -> bool:
    """Whether exc says the database cannot be reached (or, for SQLite, written), as opposed to a failing query."""
    if isinstance(exc, InterfaceError):
        return True  # drivers raise it for a closed or broken connection, not for a query
    if not isinstance(exc, OperationalError):
        return False
    code = exc.args[0] if exc.args else None  # Django keeps the driver's (code, message)
    if isinstance(code, int):
        return code in MYSQL_CONNECTION_ERRORS
    return any(message in str(exc) for message in SQLITE_UNAVAILABLE)


def database_unavailable_response(request) -> HttpResponse:
    if is_api_request(request):
        response = error_response(status_code=503, code="database_unavailable",
                                  message="The service is briefly unavailable. Please try again in a moment.")
    else:
        # No request context: context processors and request.user would query the database again.
        response = HttpResponse(render_to_string("503.html"), status=503)
    retry_after(response, seconds=RETRY_AFTER_SECONDS)
    # Django's request logger would add an ERROR line per request; this middleware logs instead.
    response._has_been_logged = True
    return response


class DatabaseUnavailableMiddleware:
    """Turns connectivity errors raised in a view (DRF re-raises what its handler does not
    know) into 503s; every other error propagates. See MIDDLEWARE for its place.

    The broken connection needs nothing from here: at request_finished Django pings a
    connection that raised and closes it, and with CONN_HEALTH_CHECKS it pings a reused one
    before its first query, so the next request reconnects (tests/test_database_outage.py
    restarts MariaDB under load with CONN_MAX_AGE=60).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._lock = threading.Lock()
        self._warned_at = float("-inf")
        self._unreported = 0  # 503s answered since the last warning

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_unreachable(exception):
            return None
        self._warn(exception)
        return database_unavailable_response(request)

    def _warn(self, exception: BaseException) -> None:
        with self._lock:
            self._unreported += 1
            now = time.monotonic()
            if now - self._warned_at < WARN_EVERY_SECONDS:
                return
            count, self._unreported, self._warned_at = self._unreported, 0, now
        logger.warning("Database unreachable, answering 503 (%d request(s) since the last warning): %s",
                       count, exception)
