"""REST API plumbing shared by every app: one error format, one pagination style."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


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


def error_body(*, status_code: int, code: str, message: str, fields=None) -> dict:
    error = {"status": status_code, "code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def is_api_request(request) -> bool:
    """Whether an error outside DRF's views (a 404, a 500, a lost database) answers in the error format."""
    return request.path.startswith("/api/")


def error_response(*, status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(status_code=status_code, code=code, message=message), status=status_code)


def exception_handler(exc, context):
    """Every 4xx of the API answers {"error": {"status", "code", "message", "fields"?}}."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    fields = detail if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict) else None
    if fields:
        fields = {k: v for k, v in fields.items() if k != "non_field_errors"} or None
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if not isinstance(code, str):
        code = "invalid"
    response.data = error_body(
        status_code=response.status_code, code=code, message=_first_message(detail), fields=fields
    )
    return response


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.JSONField(), required=False,
        help_text="Messages per input field: a list of strings, or an object of them for a nested field.")


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx (and 503) the API answers."""

    error = ErrorDetailSerializer()
