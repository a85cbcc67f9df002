"""OpenAPI description of Sluis's token authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "sluis.accounts.authentication.TokenAuthentication"
    name = ["tokenQuery", "tokenHeader"]

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
