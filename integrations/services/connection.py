"""Connect, choose the organisation, and disconnect the practice's Xero organisation."""

import dataclasses
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.models import Practice
from core.services import add_on_end, add_on_start
from integrations import tokens
from integrations.constants import PENDING_GRANT_LIFETIME
from integrations.models import PendingXeroGrant, XeroConnection, XeroContact
from integrations.services.activity import xero_activity_record
from integrations.services.columns import fit_all
from integrations.services.config import oauth_config
from integrations.services.sync import xero_sync_request
from integrations.services.tokens import REFRESH_MARGIN, XeroTokensUnreadable, store_tokens, xero_access_token
from integrations.services.xero_api import xero_client
from integrations.xero import oauth
from integrations.xero.errors import XeroAuthError, XeroError
from integrations.xero.oauth import AuthorisationRequest
from integrations.xero.types import TokenSet

XERO_ADD_ON_CODE = "xero"
XERO_ADD_ON_DESCRIPTION = "Xero integration — £4.00 per month for all of your clients"
XERO_MONTHLY_PRICE = Decimal("4.00")


class OrganisationSwitchNeedsConfirmation(Exception):
    """The chosen organisation is not the one the practice's existing Xero data belongs to."""

    def __init__(self, previous_name: str):
        self.previous_name = previous_name
        super().__init__(previous_name)


def xero_authorisation_begin(*, redirect_uri: str = "") -> AuthorisationRequest:
    return oauth.authorisation_request(oauth_config(redirect_uri))


def xero_authorisation_complete(
    *, practice: Practice, user, code: str, code_verifier: str, redirect_uri: str = ""
) -> PendingXeroGrant:
    """Swap the code for tokens and list the organisations the grant reaches. Nothing is stored on failure."""
    token_set = oauth.exchange_code(oauth_config(redirect_uri), code=code, code_verifier=code_verifier)
    tenants = [
        t
        for t in xero_client(access_token=token_set.access_token).connections_list()
        if t.tenant_type == "ORGANISATION"
    ]
    if not tenants:
        raise XeroError("No Xero organisation was chosen on Xero's screen. Authorise again and pick one.")
    PendingXeroGrant.objects.filter(practice=practice).delete()
    return PendingXeroGrant.objects.create(
        practice=practice,
        user=user,
        access_token_encrypted=tokens.encrypt(token_set.access_token),
        refresh_token_encrypted=tokens.encrypt(token_set.refresh_token),
        expires_at=token_set.expires_at,
        scopes=" ".join(token_set.scopes),
        tenants=[dataclasses.asdict(t) for t in tenants],
    )


def pending_grants_prune() -> int:
    """Forget tokens from consents nobody finished (the organisation was never chosen)."""
    deleted, _ = PendingXeroGrant.objects.filter(
        created_at__lt=timezone.now() - PENDING_GRANT_LIFETIME
    ).delete()
    return deleted


def _practice_has_xero_data(connection: XeroConnection | None) -> bool:
    if connection is None:
        return False
    return XeroContact.objects.filter(
        practice_id=connection.practice_id, tenant_id=connection.tenant_id
    ).exists()


def xero_connection_finish(
    *, grant: PendingXeroGrant, tenant_id: str, user, confirm_switch: bool = False
) -> XeroConnection:
    """Make the chosen organisation the practice's connection; start the £4 add-on (once)."""
    tenant = next((t for t in grant.tenants if t["tenant_id"] == tenant_id), None)
    if tenant is None:
        raise XeroError("That organisation is not part of this authorisation. Choose one from the list.")
    practice = grant.practice
    previous = XeroConnection.objects.filter(practice=practice).first()
    if (
        previous
        and previous.tenant_id != tenant_id
        and not confirm_switch
        and _practice_has_xero_data(previous)
    ):
        raise OrganisationSwitchNeedsConfirmation(previous.tenant_name)

    try:
        access_token = tokens.decrypt(grant.access_token_encrypted)
        refresh_token = tokens.decrypt(grant.refresh_token_encrypted)
    except tokens.TokenUnreadable as exc:
        raise XeroError("That Xero authorisation can no longer be read. Click Authorise Xero again.") from exc
    organisation = xero_client(access_token=access_token, tenant_id=tenant_id).organisation_get()
    # Organisations ticked on Xero's screen in this same consent but not chosen here: let them go,
    # so the practice holds exactly one connection.
    for other in grant.tenants:
        if other["tenant_id"] != tenant_id and other["auth_event_id"] == tenant["auth_event_id"]:
            _release_unchosen(practice, user, access_token, other)

    token_set = TokenSet(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_at=grant.expires_at,
        scopes=tuple(grant.scopes.split()),
    )
    reconnect = previous is not None and previous.tenant_id == tenant_id
    replaced = _Replaced.of(previous, new_connection_id=tenant["connection_id"])
    with transaction.atomic():
        connection = previous or XeroConnection(practice=practice)
        details = fit_all(
            XeroConnection,
            {
                "tenant_id": tenant_id,
                "tenant_name": organisation.name or tenant["tenant_name"],
                "connection_id": tenant["connection_id"],
                "short_code": organisation.short_code,
                "country_code": organisation.country_code,
                "version": organisation.version,
                "base_currency": organisation.base_currency,
                "timezone": organisation.timezone,
            },
        )
        for name, value in details.items():
            setattr(connection, name, value)
        connection.status = XeroConnection.Status.ACTIVE
        connection.connected_by = user
        connection.connected_at = timezone.now()
        connection.disconnected_at = None
        connection.last_error = ""
        connection.last_checked_at = timezone.now()
        if not reconnect:
            connection.contacts_modified_since = None  # a new organisation: sync everything
        store_tokens(connection, token_set)
        connection.save()
        grant.delete()
        add_on_start(
            practice=practice, code=XERO_ADD_ON_CODE, description=XERO_ADD_ON_DESCRIPTION,
            monthly_price=XERO_MONTHLY_PRICE,
        )  # fmt: skip
        xero_activity_record(
            practice=practice, user=user, action="reconnected" if reconnect else "connected",
            description=f"{'Reconnected' if reconnect else 'Connected'} to {connection.tenant_name}",
            xero_id=tenant_id,
        )  # fmt: skip
    if replaced is not None:  # after the commit: the practice is connected whatever Xero says now
        _release_replaced(practice, user, replaced)
    xero_sync_request(practice=practice, user=user)
    return connection


@dataclasses.dataclass(frozen=True)
class _Replaced:
    """The grant behind a connection that a new authorisation replaces (tokens still encrypted)."""

    connection_id: str
    tenant_id: str
    tenant_name: str
    access_token_encrypted: str = dataclasses.field(repr=False)
    refresh_token_encrypted: str = dataclasses.field(repr=False)
    expires_at: object

    @classmethod
    def of(cls, previous: XeroConnection | None, *, new_connection_id: str) -> "_Replaced | None":
        # Nothing to release when the tokens were already given up (disconnected) or when Xero kept
        # the same connection for the new grant (removing it would remove the new connection too).
        if previous is None or not previous.has_tokens or previous.connection_id == new_connection_id:
            return None
        return cls(
            connection_id=previous.connection_id,
            tenant_id=previous.tenant_id,
            tenant_name=previous.tenant_name,
            access_token_encrypted=previous.access_token_encrypted,
            refresh_token_encrypted=previous.refresh_token_encrypted,
            expires_at=previous.expires_at,
        )


def _release_replaced(practice: Practice, user, old: _Replaced) -> None:
    """Remove the replaced connection at Xero and revoke its grant, so no orphan grant stays alive."""
    config = oauth_config()
    try:
        refresh_token = tokens.decrypt(old.refresh_token_encrypted)
        access_token = tokens.decrypt(old.access_token_encrypted)
        if not old.expires_at or old.expires_at - timezone.now() < REFRESH_MARGIN:
            fresh = oauth.refresh(config, refresh_token=refresh_token)
            access_token, refresh_token = fresh.access_token, fresh.refresh_token
        if old.connection_id:
            xero_client(access_token=access_token).connection_delete(old.connection_id)
        oauth.revoke(config, refresh_token=refresh_token)
    except tokens.TokenUnreadable:
        outcome, detail = False, "The old authorisation could not be read, so Xero was not told."
    except XeroAuthError:
        outcome, detail = True, "The old authorisation had already ended at Xero."
    except XeroError as exc:  # a harmless leftover: Xero's Connected apps page can remove it
        outcome, detail = False, exc.message
    else:
        outcome, detail = True, ""
    xero_activity_record(
        practice=practice, user=user, action="connection_replaced", success=outcome, detail=detail,
        description=f"Removed the previous connection to {old.tenant_name} (replaced by the new authorisation)",
        xero_id=old.tenant_id,
    )  # fmt: skip


def _release_unchosen(practice: Practice, user, access_token: str, tenant: dict) -> None:
    """Remove the connection to an organisation ticked on Xero's screen but not chosen here."""
    try:
        xero_client(access_token=access_token).connection_delete(tenant["connection_id"])
    except XeroError as exc:  # a harmless leftover: Xero's Connected apps page can remove it
        outcome, detail = False, exc.message
    else:
        outcome, detail = True, ""
    xero_activity_record(
        practice=practice, user=user, action="connection_released", success=outcome, detail=detail,
        description=f"Released the connection to {tenant['tenant_name']} (ticked on Xero's screen, not chosen)",
        xero_id=tenant["tenant_id"],
    )  # fmt: skip


def xero_disconnect(*, connection: XeroConnection, user) -> list[str]:
    """Remove this connection at Xero and revoke the grant, then forget the tokens.

    Links and mirrored data stay (read-only, marked not current). Returns warnings worth showing.
    Raises XeroUnavailable, changing nothing, when Xero cannot be reached for a live connection.
    """
    warnings = []
    not_told = (
        "Engager could not reach this connection at Xero, so Xero could not be told. If Engager still "
        "appears in Xero's Connected apps, remove it there."
    )
    if connection.is_active and connection.has_tokens:
        try:
            client = xero_client(
                access_token=xero_access_token(connection=connection), tenant_id=connection.tenant_id
            )
            client.connection_delete(connection.connection_id)
            oauth.revoke(oauth_config(), refresh_token=tokens.decrypt(connection.refresh_token_encrypted))
        except (XeroTokensUnreadable, tokens.TokenUnreadable):
            warnings.append(not_told)  # the grant may still be alive at Xero: say so
        except XeroAuthError:
            pass  # the grant is already dead at Xero: nothing left to remove there
    else:
        warnings.append(not_told)
    with transaction.atomic():
        connection.status = XeroConnection.Status.DISCONNECTED
        connection.access_token_encrypted = ""
        connection.refresh_token_encrypted = ""
        connection.expires_at = None
        connection.disconnected_at = timezone.now()
        connection.save()
        add_on_end(practice=connection.practice, code=XERO_ADD_ON_CODE)
        xero_activity_record(
            practice=connection.practice, user=user, action="disconnected",
            description=f"Disconnected from {connection.tenant_name}", xero_id=connection.tenant_id,
        )  # fmt: skip
    return warnings
