"""REST API plumbing shared by every app: one error format, one pagination style."""

import math
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.core.paginator import Paginator as DjangoPaginator
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from core.limits import LimitReached
from core.throttled import RateLimited


class CountedPaginator(DjangoPaginator):
    """Django's paginator, told the count of its query when the caller knows it: no COUNT(*)."""

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.count = count  # takes the place of the cached property that would query it


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    page_size_query_description = "Items per page, at most 100 (default 20)."
    max_page_size = 100
    # The count of the query about to be paginated, when a view has it from a cache (catalog.api); None: COUNT(*).
    known_count: int | None = None

    def django_paginator_class(self, object_list, per_page) -> CountedPaginator:
        return CountedPaginator(object_list, per_page, count=self.known_count)

    def paginate_count(self, request, *, count: int, number: int) -> None:
        """Stand where paginate_queryset() leaves this paginator on page `number` of `count` results,
        without a query: for a page whose results come from a cache (the links are the request's own)."""
        self.request = request
        self.page = self.django_paginator_class(range(count), self.get_page_size(request)).page(number)

    def get_paginated_response_schema(self, schema):
        """DRF's, with examples of this API's links instead of its stock api.example.org ones."""
        paginated = super().get_paginated_response_schema(schema)
        links = paginated["properties"]
        links["next"]["example"] = "http://127.0.0.1:8000/api/v1/clothes?page=3"
        links["previous"]["example"] = "http://127.0.0.1:8000/api/v1/clothes?page=1"
        return paginated


class ErrorCode(StrEnum):
    """Every `code` an error answer can carry: stable, so clients may branch on it (messages may change).

    A new code is added here, with its meaning, before anything raises it; the schema's enum is this list."""

    INVALID = "invalid", "Invalid input; `fields` says which."
    DOES_NOT_EXIST = "does_not_exist", "An id in the body names nothing you may use (unknown, inactive, not yours)."
    INVALID_CREDENTIALS = "invalid_credentials", "Wrong username or password."
    INACTIVE = "inactive", "The item is no longer available."
    DUPLICATE = "duplicate", "It is already there (an item already in your closet)."
    CATEGORY_FULL = "category_full", "The closet holds its maximum for this category; remove one first."
    PARSE_ERROR = "parse_error", "The body is not valid JSON."
    BAD_REQUEST = "bad_request", "The request could not be read (too large or malformed)."
    NOT_AUTHENTICATED = "not_authenticated", "No credentials were sent."
    AUTHENTICATION_FAILED = "authentication_failed", "The token or the session is not valid."
    PERMISSION_DENIED = "permission_denied", "Not allowed (a failed CSRF check on a session request)."
    NOT_FOUND = "not_found", "No such object for this shopper, or no such URL or page."
    METHOD_NOT_ALLOWED = "method_not_allowed", "The operation does not take this HTTP method."
    NOT_ACCEPTABLE = "not_acceptable", "No answer in a media type the Accept header allows."
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", "The body is not in the operation's one media type."
    JOB_FINISHED = "job_finished", "The job has already finished."
    THROTTLED = "throttled", "Too many attempts in a while; retry after Retry-After seconds."
    LIMIT_REACHED = "limit_reached", "A per-shopper limit is reached; retry after Retry-After seconds."
    SHARE_LIMIT = "share_limit", "The daily number of shared try-ons is reached; retry after Retry-After seconds."
    DATABASE_UNAVAILABLE = "database_unavailable", "The database is briefly unavailable; retry after Retry-After."
    SEARCH_UNAVAILABLE = "search_unavailable", "The search index is missing or being rebuilt; retry after Retry-After."
    SERVER_ERROR = "server_error", "A bug on our side."

    def __new__(cls, value: str, meaning: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member


ERROR_CODE_CHOICES = [(code.value, code.meaning) for code in ErrorCode]  # the schema's ErrorCodeEnum

# A code DRF or Django raises that is not one of ours (a field's "required", "max_length") becomes this.
_CODE_BY_STATUS = {400: ErrorCode.INVALID, 401: ErrorCode.NOT_AUTHENTICATED, 403: ErrorCode.PERMISSION_DENIED,
                   404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED, 406: ErrorCode.NOT_ACCEPTABLE,
                   415: ErrorCode.UNSUPPORTED_MEDIA_TYPE, 429: ErrorCode.THROTTLED}
RETRY_STATUSES = (429, 503)
DEFAULT_RETRY_AFTER_SECONDS = 30


def retry_after(response, *, seconds: float):
    """The one place a 429 or 503 gets its Retry-After (whole seconds, at least one)."""
    response["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response


class RetryLater(exceptions.APIException):
    """A 429 or 503 that knows when to come back; `wait` (seconds) becomes Retry-After."""

    def __init__(self, detail=None, *, code: str | None = None, wait: float = DEFAULT_RETRY_AFTER_SECONDS):
        super().__init__(detail, code)
        self.wait = wait


def _first_message(detail) -> str:
    """The first human-readable message inside DRF's nested error detail."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def _first_code(codes) -> str | None:
    """The code of the first message, in the order _first_message reads them."""
    if isinstance(codes, dict):
        return _first_code(next(iter(codes.values()), None))
    if isinstance(codes, list):
        return _first_code(codes[0]) if codes else None
    return codes


def _field_lists(detail, prefix: str = "") -> dict[str, list[str]]:
    """Messages per field, always a list of strings; a nested field's key is dotted (`options.steps`)."""
    fields = {}
    for key, value in detail.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            fields.update(_field_lists(value, prefix=f"{name}."))
        elif isinstance(value, list) and any(isinstance(entry, dict) for entry in value):
            for index, entry in enumerate(value):
                fields.update(_field_lists(entry, prefix=f"{name}.{index}.") if isinstance(entry, dict) else {})
        else:
            fields[name] = [str(entry) for entry in value] if isinstance(value, list) else [str(value)]
    return fields


def error_code(code, *, status_code: int) -> ErrorCode:
    if code in ErrorCode._value2member_map_:
        return ErrorCode(code)
    return _CODE_BY_STATUS.get(status_code, ErrorCode.INVALID if status_code < 500 else ErrorCode.SERVER_ERROR)


def error_body(*, status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    error = {"status": status_code, "code": str(error_code(code, status_code=status_code)), "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def is_api_request(request) -> bool:
    """Whether an error outside DRF's views (a 404, a 500, a lost database) answers in the error format."""
    return request.path.startswith("/api/")


def error_response(*, status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(status_code=status_code, code=code, message=message), status=status_code)


class _TooManyRequests(RetryLater):
    """RateLimited (attempts) and LimitReached (a shopper's limit) in DRF's terms. Not DRF's own Throttled,
    which would append "Expected available in N seconds." to the message."""

    status_code = 429


def _as_api_exception(exc):
    if isinstance(exc, RateLimited):
        return _TooManyRequests(exc.message, code=ErrorCode.THROTTLED, wait=exc.wait_seconds)
    if isinstance(exc, LimitReached):
        return _TooManyRequests(exc.messages[0], code=exc.code, wait=exc.retry_after)
    if isinstance(exc, DjangoValidationError):
        detail = exc.error_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.error_list}
        # Keep each message's code (category_full, duplicate): DRF would keep only the text.
        return exceptions.ValidationError({
            field: [exceptions.ErrorDetail(message, code=error.code or "invalid")
                    for error in errors for message in error.messages]
            for field, errors in detail.items()})
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or None)
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    return exc


def exception_handler(exc, context):
    """Every 4xx of the API answers {"error": {"status", "code", "message", "fields"?}}; 429 and 503 with Retry-After."""
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail
    fields = None
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict):
        fields = _field_lists({k: v for k, v in detail.items() if k != "non_field_errors"}) or None
    response.data = error_body(status_code=response.status_code, code=_first_code(exc.get_codes()),
                               message=_first_message(detail), fields=fields)
    if response.status_code in RETRY_STATUSES:
        retry_after(response, seconds=getattr(exc, "wait", None) or DEFAULT_RETRY_AFTER_SECONDS)
    return response


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.ChoiceField(
        choices=ERROR_CODE_CHOICES,
        help_text="What went wrong, for programs: stable, branch on it (the message is for people).")
    message = serializers.CharField(help_text="What went wrong, in a sentence to show a shopper.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Messages per input field, each a list; a nested field's name is dotted (`options.steps`).")


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx (and 503) the API answers."""

    error = ErrorDetailSerializer()
