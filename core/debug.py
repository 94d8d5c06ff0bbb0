import re

from django.views.debug import SafeExceptionReporterFilter

# Form bodies, headers and URLs that carry credentials, whatever the variable holding them is called.
SECRET_VALUE = re.compile(
    r"(refresh_token|access_token|client_secret|code_verifier|id_token)=|Bearer\s|Basic\s", re.I
)


class SecretsHidingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error pages and error emails hide secrets in every frame, not only in views marked
    @sensitive_variables: Xero tokens pass through many (ours, requests-oauthlib's, the SDK's).

    A variable is hidden when its name looks like a secret (token, key, secret…, as for settings)
    or when its text carries credentials (a token request body, an Authorization header).
    """

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, self._cleanse_value(name, value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    def _cleanse_value(self, name, value):
        if isinstance(value, bytes):
            text = value.decode("utf-8", "replace")
        elif isinstance(value, str):
            text = value
        else:
            text = None
        if text is not None and SECRET_VALUE.search(text):
            return self.cleansed_substitute
        return self.cleanse_setting(name, value)
