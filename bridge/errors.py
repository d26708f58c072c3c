"""Every failure leaves the bridge as the spec's error body: `{"success": false, "error": ..., "details": ...}`."""

import logging

import msgspec
from aiohttp import web
from aiohttp.typedefs import Handler
from nats.errors import ConnectionClosedError, NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from contracts.api import ErrorBody, ErrorDetails

log = logging.getLogger("smartgen.bridge")


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def error_response(status: int, message: str, field: str | None = None) -> web.Response:
    body = ErrorBody(error=message, details=ErrorDetails(field=field))
    return web.Response(status=status, body=msgspec.json.encode(body), content_type="application/json")


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error.status, error.message, error.field)
    except web.HTTPException as http:
        if http.status < 400:
            raise
        return error_response(http.status, http.reason)
    except NoRespondersError:
        return error_response(503, "Service unavailable: no worker answered on the bus (is every actor running?)")
    except NatsTimeout:
        return error_response(504, "Timed out waiting for the service to answer")
    except ConnectionClosedError:
        return error_response(503, "Service unavailable: the message bus is unreachable")
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Internal error: the failure was logged on the server")
