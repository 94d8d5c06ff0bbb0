"""Xero's webhook endpoint (/integrations/xero/webhooks/): no login, no CSRF, POST only.

The signature is checked on the raw body before anything is parsed: wrong or missing → 401 with
nothing stored. Xero's intent-to-receive check (events: [], signed correctly or not) gets 200 or
401 the same way. The answer is an empty 200 as soon as the events are stored; processing runs
after the commit, in Celery.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.services.webhooks import (
    WebhookPayloadError,
    xero_webhook_receive,
    xero_webhook_signature_valid,
)

logger = logging.getLogger(__name__)


@csrf_exempt
@login_not_required
@require_POST
def xero_webhook(request):
    body = request.body
    if not xero_webhook_signature_valid(body=body, signature=request.headers.get("x-xero-signature")):
        return HttpResponse(status=401)
    try:
        xero_webhook_receive(body=body)
    except WebhookPayloadError:
        logger.warning("A correctly signed Xero webhook was not Xero's JSON")
        return HttpResponse(status=400)
    return HttpResponse(status=200)
