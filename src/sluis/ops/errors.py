from sluis.errors import SluisError


class NotReady(SluisError):
    """A dependency this process needs (database, broker, object storage) cannot be reached."""

    status_code = 503
    code = "not_ready"
    default_detail = "Sluis cannot reach a service it depends on."
