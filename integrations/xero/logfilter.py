"""Keep OAuth secrets out of the logs (DESIGN §5: tokens never appear in logs).

At DEBUG, requests-oauthlib logs the token request's body (the authorization code, the PKCE verifier,
the refresh token), its headers (Basic auth: the client secret) and Xero's answer (the access,
refresh and id tokens), and oauthlib logs parts of the same. Their records below WARNING are dropped
by a filter on each of their loggers: a filter on the logger itself applies before any handler,
so no handler, LOG_LEVEL=DEBUG or logger level set to DEBUG lets them through.

tests/integrations/test_no_tokens_in_logs.py captures every record during connect, refresh, sync
and disconnect and fails if a secret appears.
"""

import logging

OAUTH_LOGGER_PREFIXES = ("requests_oauthlib", "oauthlib")


class DropOAuthChatter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


_FILTER = DropOAuthChatter()


def install() -> None:
    """Attach the filter to every OAuth library logger (a logger's filters do not apply to its
    children's records, so each one needs it). Call after importing the libraries; idempotent."""
    names = [
        name for name in list(logging.root.manager.loggerDict) if name.split(".")[0] in OAUTH_LOGGER_PREFIXES
    ]
    for name in {*OAUTH_LOGGER_PREFIXES, *names}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
