from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_POST
from django_htmx.http import HTMX_STOP_POLLING

from core import selectors as core_selectors
from core.permissions import manager_required, practice_required
from integrations import selectors, services
from integrations.models import XeroConnection
from integrations.xero.errors import XeroError, XeroUnavailable

OAUTH_SESSION_KEY = "xero_oauth"
GRANT_SESSION_KEY = "xero_pending_grant"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}
# Xero's `error` codes on the callback (RFC 6749 §4.1.2.1), each with our own words.
OAUTH_ERROR_FALLBACK = "Xero did not authorise Engager. Nothing was connected; try again."
OAUTH_ERROR_MESSAGES = {
    "access_denied": (messages.INFO, "You cancelled on Xero's screen, so nothing was connected."),
    "invalid_scope": (
        messages.ERROR,
        "Xero did not grant the permissions Engager needs. Nothing was connected; try again.",
    ),
    "server_error": (messages.ERROR, "Xero had a problem, so nothing was connected. Try again shortly."),
    "temporarily_unavailable": (
        messages.ERROR,
        "Xero is busy or down for maintenance, so nothing was connected. Try again shortly.",
    ),
}


def _card_context(request) -> dict:
    connection = selectors.xero_connection(practice=request.practice)
    return {
        "connection": connection,
        "Status": XeroConnection.Status,
        "can_manage": request.membership.can_manage,
        "sandbox_mode": settings.XERO_SANDBOX_ENABLED,
        "monthly_price": services.XERO_MONTHLY_PRICE,
        "settings_tab": "integrations",
        "managers": [m.user for m in core_selectors.members(practice=request.practice) if m.can_manage],
    }


@practice_required
def integrations_index(request):
    return render(request, "integrations/index.html", _card_context(request))


@practice_required
def xero_settings(request):
    context = _card_context(request)
    connection = context["connection"]
    if connection is not None:  # a local check: tokens the key can no longer read ask for a reconnect
        services.xero_connection_verify_tokens(connection=connection)
    context["counts"] = selectors.xero_contact_counts(practice=request.practice) if connection else None
    context["run"] = selectors.xero_latest_sync_run(practice=request.practice)
    if connection:
        context["kind_counts"] = selectors.xero_mirror_counts(practice=request.practice)
        context["last_failure"] = selectors.xero_last_sync_failure(practice=request.practice)
        context["webhooks"] = selectors.xero_webhook_health(practice=request.practice)
    return render(request, "integrations/xero.html", context)


def _redirect_uri(request) -> str:
    """Xero needs a registered redirect URI, matched exactly. The sandbox registers the demo's URI on
    both loopback hosts, so the demo comes back to the host the browser is on (localhost and
    127.0.0.1 keep separate cookies: coming back to the other one would look signed out)."""
    if settings.XERO_SANDBOX_ENABLED and request.get_host().split(":")[0] in LOOPBACK_HOSTS:
        return request.build_absolute_uri(reverse("integrations:xero_callback"))
    return settings.XERO_REDIRECT_URI


@require_POST
@manager_required
def xero_authorise(request):
    redirect_uri = _redirect_uri(request)
    auth = services.xero_authorisation_begin(redirect_uri=redirect_uri)
    request.session[OAUTH_SESSION_KEY] = {
        "state": auth.state,
        "code_verifier": auth.code_verifier,
        "redirect_uri": redirect_uri,
    }
    return redirect(auth.url)


@manager_required
def xero_callback(request):
    # Nothing from the query string is ever shown: `error` only picks one of our own messages, and
    # `error_description` (attacker-controlled text on a forged link) is ignored.
    pending = request.session.get(OAUTH_SESSION_KEY)
    state, code = request.GET.get("state"), request.GET.get("code")
    if not pending or not state or not constant_time_compare(state, pending.get("state", "")):
        # A callback without our state (a forged link, another tab) changes nothing: in particular
        # it cannot cancel the authorisation that is pending.
        messages.error(
            request,
            "That Xero authorisation could not be verified (it may have expired, or come from another "
            "tab). Nothing was connected. Click Authorise Xero to start again.",
        )
        return redirect("integrations:xero")
    del request.session[OAUTH_SESSION_KEY]  # single use from here on, whatever happens next
    error = request.GET.get("error")
    if error:
        level, text = OAUTH_ERROR_MESSAGES.get(error, (messages.ERROR, OAUTH_ERROR_FALLBACK))
        messages.add_message(request, level, text)
        return redirect("integrations:xero")
    if not code:
        messages.error(request, "Xero did not send an authorisation code. Nothing was connected; try again.")
        return redirect("integrations:xero")
    try:
        grant = services.xero_authorisation_complete(
            practice=request.practice,
            user=request.user,
            code=code,
            code_verifier=pending["code_verifier"],
            redirect_uri=pending.get("redirect_uri", ""),
        )
    except XeroError as exc:
        services.xero_activity_record(
            practice=request.practice, user=request.user, action="authorise",
            description=f"Authorisation failed: {exc.message}", success=False,
        )  # fmt: skip
        messages.error(request, exc.message)
        return redirect("integrations:xero")
    request.session[GRANT_SESSION_KEY] = grant.pk
    if len(grant.tenants) == 1:
        return _finish(request, grant, grant.tenants[0]["tenant_id"], confirm_switch=False)
    return redirect("integrations:xero_organisation")


def _finish(request, grant, tenant_id: str, *, confirm_switch: bool):
    try:
        connection = services.xero_connection_finish(
            grant=grant, tenant_id=tenant_id, user=request.user, confirm_switch=confirm_switch
        )
    except services.OrganisationSwitchNeedsConfirmation:
        return redirect(f"{reverse('integrations:xero_organisation')}?tenant={tenant_id}")
    except XeroError as exc:
        messages.error(request, f"{exc.message} Nothing was changed.")
        return redirect("integrations:xero_organisation")
    request.session.pop(GRANT_SESSION_KEY, None)
    messages.success(request, f"Connected to {connection.tenant_name}. Your Xero contacts are syncing now.")
    return redirect("integrations:xero")


@manager_required
def xero_organisation(request):
    grant = selectors.pending_grant(practice=request.practice, pk=request.session.get(GRANT_SESSION_KEY))
    if grant is None:
        messages.error(request, "That Xero authorisation has expired. Click Authorise Xero to start again.")
        return redirect("integrations:xero")
    connection = selectors.xero_connection(practice=request.practice)
    chosen = request.POST.get("tenant_id") or request.GET.get("tenant") or ""
    switching = bool(connection and chosen and chosen != connection.tenant_id)
    if request.method == "POST":
        if not chosen:
            messages.error(request, "Choose an organisation.")
        else:
            return _finish(request, grant, chosen, confirm_switch=request.POST.get("confirm_switch") == "yes")
    return render(
        request,
        "integrations/xero_organisation.html",
        {"grant": grant, "connection": connection, "chosen": chosen, "switching": switching,
         "settings_tab": "integrations"},
    )  # fmt: skip


@require_POST
@practice_required
def xero_sync(request):
    connection = selectors.xero_connection(practice=request.practice)
    if connection is None or not connection.is_active:
        messages.error(request, "Connect Xero before syncing.")
        return redirect("integrations:xero")
    run, _created = services.xero_sync_request(practice=request.practice, user=request.user)
    run.refresh_from_db()  # with eager Celery (no Redis) the sync has already run
    if request.htmx:
        return render(request, "integrations/xero.html#sync-status", {"run": run})
    return redirect("integrations:xero")


@practice_required
def xero_sync_status(request, pk: int):
    run = selectors.xero_sync_run(practice=request.practice, pk=pk)
    if run is None:
        raise Http404
    if services.xero_sync_resume_if_due(run=run):  # eager mode: the retry's time has come
        run.refresh_from_db()
    status = HTMX_STOP_POLLING if run.is_finished and request.htmx else 200
    return render(request, "integrations/xero.html#sync-status", {"run": run}, status=status)


@manager_required
def xero_disconnect(request):
    connection = selectors.xero_connection(practice=request.practice)
    if connection is None or connection.status == XeroConnection.Status.DISCONNECTED:
        messages.info(request, "Xero is not connected.")
        return redirect("integrations:xero")
    if request.method == "POST":
        try:
            warnings = services.xero_disconnect(connection=connection, user=request.user)
        except XeroUnavailable as exc:
            messages.error(request, f"{exc.message} You are still connected; nothing was changed.")
            return redirect("integrations:xero")
        for warning in warnings:
            messages.warning(request, warning)
        messages.success(
            request,
            f"Disconnected from {connection.tenant_name}. Your links and Xero records are kept; "
            "reconnect the same organisation to carry on where you left off.",
        )
        return redirect("integrations:xero")
    return render(
        request,
        "integrations/xero_disconnect.html",
        {
            "connection": connection,
            "monthly_price": services.XERO_MONTHLY_PRICE,
            "settings_tab": "integrations",
        },
    )


@practice_required
def xero_activity(request):
    page = Paginator(selectors.xero_activity(practice=request.practice), 50).get_page(request.GET.get("page"))
    return render(request, "integrations/xero_activity.html", {"page": page, "settings_tab": "integrations"})
