"""The OpenAPI schema's shared part: the one error body and the error answers of every operation.

Every operation documents every status it can answer, with the JSON error body
``{"detail", "code", ...}`` of ``config/exceptions.py``. The common ones are derived here rather
than repeated per view: 400, 414 and 431 everywhere (malformed HTTP framing, a request line or
headers too large; 400 also for a bad query parameter, ``sluis.params``), 403 and 429 wherever a
token is read (an unknown token or a caller without the right; too many bad tokens from one
address), 404 wherever a path or a query parameter names an object (an id, a data source, a
page past the last). A view adds the statuses only it answers in ``error_statuses``, a tuple or
a dict per method (the upload endpoints' 408, 409, 411, 413, 415, 422, 503 and 507).
"""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    400: "Malformed request: HTTP framing, a parameter, the body, or two different tokens",
    403: "No or an unknown, revoked or expired token, or a caller without the right",
    404: "No such object visible to the caller",
    408: "The request body stopped arriving",
    409: "The data source is busy, or the change conflicts with the object's state",
    410: "The object is gone (purged by retention or missing from storage)",
    411: "The request has neither a Content-Length nor chunked framing",
    413: "The body is over the size limit",
    415: "The body is not multipart/form-data",
    422: "The Idempotency-Key was used before with other bytes",
    414: "The request line is too long",
    429: "Too many requests with an invalid token from this address (see Retry-After)",
    431: "The request headers are too large",
    503: "Not ready, or busy for a moment (see Retry-After)",
    507: "The server has no space left to store the request; nothing was kept",
}
# The server itself answers these to any request, before a view runs (malformed framing).
ANY_REQUEST = {400, 414, 431}


class MemberProblemSerializer(serializers.Serializer):
    """One offending file of a refused upload (an archive member or the file itself)."""

    name = serializers.CharField()
    problem = serializers.CharField()
    code = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """The one error body: a readable ``detail`` and a stable ``code``; a refused upload names
    each offending file in ``members``, a validation error each field in ``errors``."""

    detail = serializers.CharField()
    code = serializers.CharField()
    members = MemberProblemSerializer(many=True, required=False)

    def get_fields(self):
        # ``errors`` is also the name of Serializer's own property: added here, not as a field.
        return {**super().get_fields(), "errors": serializers.JSONField(required=False)}


class SluisAutoSchema(AutoSchema):
    """drf-spectacular's ``AutoSchema`` with every operation's error answers documented."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self.error_statuses():
            if str(status) not in responses:
                response = self._get_response_for_code(
                    ErrorSerializer, str(status), media_types=["application/json"]
                )
                responses[str(status)] = {**response, "description": ERROR_DESCRIPTIONS[status]}
        return dict(sorted(responses.items()))

    def error_statuses(self) -> set[int]:
        """The error statuses this operation can answer (see the module's docstring)."""
        declared = getattr(self.view, "error_statuses", ())
        if isinstance(declared, dict):  # per method: {"POST": (409, ...)}
            declared = declared.get(self.method, ())
        statuses = ANY_REQUEST | set(declared)
        if self.view.get_authenticators():
            statuses |= {403, 429}
        query = [p["name"] for p in self._get_parameters() if p.get("in") == "query"]
        if "{" in self.path or set(query) - {"token"}:
            statuses.add(404)
        return statuses
