"""The OpenAPI schema's AutoSchema: drf-spectacular's, plus the one error format.

It lives apart from core.api because drf-spectacular's AutoSchema imports DRF's generic views,
which import the pagination class in core.api: one module would import itself half-built.
"""

from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance, is_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from core.api import RETRY_STATUSES, ErrorSerializer

ERRORS = {
    400: "Invalid input; `fields` says which.",
    401: "Missing or invalid credentials.",
    403: "CSRF check failed (session authentication on an unsafe method).",
    404: "No such object for this shopper, or no such page.",
    415: "Unsupported media type of the request body.",
    429: "Too many attempts (wrong passwords or tokens, sign-ups), or a per-shopper limit reached (active jobs, "
         "photos kept, image searches an hour, shares a day); see Retry-After.",
    503: "A backing service is unavailable (the database, or the search index); retry later.",
}

RETRY_AFTER_HEADER = {"Retry-After": {
    "description": "Seconds to wait before trying again.", "required": True,
    "schema": {"type": "integer", "minimum": 1}}}
# Success answers a view does not describe itself.
SUCCESS = {"200": "OK.", "201": "Created.", "202": "Accepted: a job was queued; poll it at GET /api/v1/jobs/{id}.",
           "204": "Done; no body."}


def path_id(name: str, description: str, *, type_=OpenApiTypes.INT) -> OpenApiParameter:
    """An id in the path, described (drf-spectacular describes only those of model-backed views)."""
    return OpenApiParameter(name, type_, OpenApiParameter.PATH, description=description)


def _error_statuses(*, operation: dict, method: str, body_names_objects: bool) -> list[int]:
    """The error statuses an operation can answer with, read from how it takes input.

    Every request goes through authentication (a wrong token is 401, many wrong tokens 429)
    and the database-unavailable middleware (503), even on public operations. An object named
    in the path or the body (`photo_id`) that is not the caller's is a 404, as is a page past the end."""
    where = {parameter["in"] for parameter in operation.get("parameters", [])}
    has_body = "requestBody" in operation
    paginated = any(parameter["name"] == "page" for parameter in operation.get("parameters", []))
    applies = {
        400: has_body or "query" in where,
        401: True,
        403: method not in ("GET", "HEAD", "OPTIONS"),
        404: "path" in where or paginated or body_names_objects,
        415: has_body,
        429: True,
        503: True,
    }
    return [code for code, applied in applies.items() if applied]


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the one error format on every status an operation can answer
    with, so clients and schema-driven tests know every 4xx before they meet it. An error response
    a view documents itself (with `extend_schema`) wins."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        body_names_objects = "requestBody" in operation and self._body_names_objects()
        statuses = _error_statuses(operation=operation, method=self.method, body_names_objects=body_names_objects)
        for code in statuses:
            response = OpenApiResponse(ErrorSerializer, description=ERRORS[code])
            operation["responses"].setdefault(str(code), self._get_response_for_code(response, str(code)))
        for code, response in operation["responses"].items():
            if int(code) in RETRY_STATUSES:
                response.setdefault("headers", {}).update(RETRY_AFTER_HEADER)
            if not response.get("description"):
                response["description"] = SUCCESS.get(code, "")
        return operation

    def _body_names_objects(self) -> bool:
        serializer = force_instance(self.get_request_serializer())
        return is_serializer(serializer) and any(name.endswith("_id") for name in serializer.fields)
