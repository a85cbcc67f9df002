"""Authentication errors. All of them are 403 with a JSON body, as the reference page says."""

from sluis.errors import PermissionDenied, SluisError


class InvalidToken(PermissionDenied):
    code = "invalid_token"
    default_detail = "The API token is unknown, revoked or expired."


class NotAuthenticated(PermissionDenied):
    code = "not_authenticated"
    default_detail = "Authentication is required: pass ?token=<token> or an Authorization header."


class AmbiguousToken(SluisError):
    code = "ambiguous_token"
    default_detail = "The request carries two different tokens; send exactly one."


class UnknownOrganization(SluisError):
    code = "unknown_organization"
    default_detail = "No organization has that name."


class InvalidUser(SluisError):
    code = "invalid_user"
    default_detail = "The user is invalid."


class InvalidTokenExpiry(SluisError):
    code = "invalid_token_expiry"
    default_detail = "A token must be valid for at least one day."


class TooManyFailedAttempts(SluisError):
    status_code = 429
    code = "too_many_failed_attempts"
    default_detail = "Too many requests with an invalid token from this address; retry later."


class InvalidOrganization(SluisError):
    code = "invalid_organization"
    default_detail = "The organization is invalid."


class UnknownUser(SluisError):
    code = "unknown_user"
    default_detail = "No user has that username."


class UnknownToken(SluisError):
    code = "unknown_token"
    default_detail = "No token starts with those characters."


class InvalidPassword(SluisError):
    code = "invalid_password"
    default_detail = "The password is not accepted."
