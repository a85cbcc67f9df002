"""OpenAPI description of Sluis's token authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "sluis.accounts.authentication.TokenAuthentication"
    name = ["tokenQuery", "tokenHeader"]

    def get_security_requirement(self, auto_schema):
        """Either token form authenticates: two alternative requirements, not one of both."""
        return [{name: []} for name in self.name]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "query", "name": "token"},
            {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "`Token <token>` or `Bearer <token>`",
            },
        ]


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    """The web pages' signed-in browser calls the same API with its session cookie."""

    target_class = "sluis.web.authentication.SessionAuthentication"
    name = "sessionCookie"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
