import datetime as dt
import uuid

import factory
from django.utils import timezone

from integrations import tokens
from integrations.models import XeroConnection
from tests.factories import PracticeFactory


class XeroConnectionFactory(factory.django.DjangoModelFactory):
    """A connection with made-up tokens: for tests that never reach Xero."""

    class Meta:
        model = XeroConnection

    practice = factory.SubFactory(PracticeFactory)
    tenant_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    connection_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    tenant_name = "Demo Company (UK)"
    short_code = "!abcde"
    access_token_encrypted = factory.LazyFunction(lambda: tokens.encrypt("not-a-real-access-token"))
    refresh_token_encrypted = factory.LazyFunction(lambda: tokens.encrypt("not-a-real-refresh-token"))
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(minutes=30))
    connected_at = factory.LazyFunction(timezone.now)
