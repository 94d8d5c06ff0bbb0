"""GET /connections and DELETE /connections/{id} (Xero's path is case-insensitive; the SDK says
/Connections). Connection dates are ISO without a zone, with 7 fractional digits, as Xero sends."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ..calllog import logged
from ..faults import faults
from ..records import Connection
from ..state import store
from ..wire import json_response, problem
from . import tokens


def connection_json(connection: Connection, tenant_name: str) -> dict:
    return {
        "id": connection.id,
        "authEventId": connection.auth_event_id,
        "tenantId": connection.tenant_id,
        "tenantType": "ORGANISATION",
        "tenantName": tenant_name,
        "createdDateUtc": connection.created_at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0",
        "updatedDateUtc": connection.updated_at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0",
    }


def unauthorized(failure: tokens.BearerFailure):
    challenge = 'Bearer error="invalid_token"' if failure.expired else "Bearer"
    return json_response(problem(401, "Unauthorized", failure.detail), 401, {"WWW-Authenticate": challenge})


def remove_connection(world, connection_id: str) -> Connection | None:
    """Disconnect one organisation, whoever asks (the app, or someone "in Xero")."""
    for grant in world.grants.values():
        for connection in grant.connections:
            if connection.id == connection_id:
                grant.connections.remove(connection)
                return connection
    return None


def _grant_connections(world, access) -> list[Connection]:
    grant = world.grants.get(access.grant_id)
    return list(grant.connections) if grant else []


@csrf_exempt
@login_not_required
@logged("connections")
def connections(request):
    if request.method != "GET":
        return json_response(problem(405, "Method Not Allowed", "Use GET"), 405)
    return faults.around(request, lambda: _list(request))


def _list(request):
    with store.lock:
        world = store.world
        access = tokens.authenticate_bearer(world, request.headers.get("Authorization", ""))
        if isinstance(access, tokens.BearerFailure):
            return unauthorized(access)
        request.sandbox_client_id = access.client_id
        auth_event_id = request.GET.get("authEventId", "").lower()
        listed = [
            connection_json(connection, world.orgs[connection.tenant_id].name)
            for connection in _grant_connections(world, access)
            if connection.tenant_id in world.orgs
            and (not auth_event_id or connection.auth_event_id == auth_event_id)
        ]
    return json_response(listed)


@csrf_exempt
@login_not_required
@logged("connections")
def connection(request, connection_id: str):
    if request.method != "DELETE":
        return json_response(problem(405, "Method Not Allowed", "Use DELETE"), 405)
    return faults.around(request, lambda: _delete(request, connection_id))


def _delete(request, connection_id: str):
    with store.lock:
        world = store.world
        access = tokens.authenticate_bearer(world, request.headers.get("Authorization", ""))
        if isinstance(access, tokens.BearerFailure):
            return unauthorized(access)
        request.sandbox_client_id = access.client_id
        owned = {connection.id for connection in _grant_connections(world, access)}
        if connection_id.lower() not in owned:
            return json_response(problem(404, "Not Found", "The connection was not found"), 404)
        remove_connection(world, connection_id.lower())
        store.changed()
    return HttpResponse(status=204)
