class XeroError(Exception):
    """Base for everything Xero can say no with. `message` is safe to show to a user."""

    message = "Xero could not complete the request."

    def __init__(self, message: str | None = None):
        if message:
            self.message = message
        super().__init__(self.message)


class XeroAuthError(XeroError):
    """The grant is no longer good (revoked, expired, invalid_grant, connection removed)."""

    message = "Xero needs you to reconnect."

    def __init__(
        self,
        message: str | None = None,
        *,
        invalid_grant: bool = False,
        status: int | None = None,
        insufficient_scope: bool = False,
    ):
        super().__init__(message)
        self.invalid_grant = invalid_grant
        self.status = status
        self.insufficient_scope = insufficient_scope

    @property
    def token_rejected(self) -> bool:
        """A 401 for the access token itself (expired early, revoked): a refresh may cure it."""
        return self.status == 401 and not self.insufficient_scope


class XeroRateLimited(XeroError):
    message = "Xero is busy (rate limit reached). Try again in a minute."

    def __init__(self, retry_after: float, problem: str = "minute"):
        super().__init__()
        self.retry_after = retry_after
        self.problem = problem


class XeroUnavailable(XeroError):
    """Xero is down, slow (timeout) or answered with a 5xx: worth retrying later."""

    message = "Xero is not answering. Try again."


class XeroValidationError(XeroError):
    def __init__(self, messages: list[str]):
        self.messages = messages or ["Xero rejected the request."]
        super().__init__("; ".join(self.messages))


class XeroNotFound(XeroError):
    message = "Xero could not find that record."
