"""One GraphQL call over httpx: the bearer token, time limits and error mapping for every caller."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import httpx

from .errors import JobServiceError

#: A bearer token, or a callable asked before every call (so a refreshed token is used on the next one).
TokenSource = str | Callable[[], str]

#: Environment variables read, in order, when no token is given.
TOKEN_ENV_VARS = ("JOBSERVICE_TOKEN", "WORKER_TOKEN")


def token_from_env() -> str:
    """The token from JOBSERVICE_TOKEN or WORKER_TOKEN; ValueError when neither is set."""
    for name in TOKEN_ENV_VARS:
        value = os.environ.get(name)
        if value:
            return value
    raise ValueError(f"no token given and none of {', '.join(TOKEN_ENV_VARS)} is set")


class GraphQLTransport:
    """POSTs GraphQL documents to ``<url>/graphql``; thread-safe (one httpx connection pool).

    A response with top-level ``errors`` raises JobServiceError with the first error's code, as does a
    transport failure (NETWORK_ERROR, TIMEOUT) or an HTTP error without a GraphQL body.
    """

    def __init__(self, url: str, token: TokenSource | None = None, *, timeout: float = 10.0, max_connections: int = 100) -> None:
        self.endpoint = url.rstrip("/") + "/graphql"
        self._token: TokenSource = token if token is not None else token_from_env()
        self.timeout = timeout
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"content-type": "application/json"},
        )

    def _bearer(self) -> str:
        if not callable(self._token):
            return f"Bearer {self._token}"
        try:
            return f"Bearer {self._token()}"
        except Exception as error:  # a refresh that failed: the call fails like a network error would
            raise JobServiceError("TOKEN_ERROR", f"the token callable raised: {error}") from error

    def execute(self, field: str, document: str, variables: dict[str, Any], *, extra_timeout: float = 0.0) -> Any:
        """Runs one operation and returns ``data[field]``. ``extra_timeout`` covers a long poll's wait."""
        try:
            response = self._http.post(
                self.endpoint,
                json={"query": document, "variables": variables},
                headers={"authorization": self._bearer()},
                timeout=self.timeout + extra_timeout,
            )
        except httpx.TimeoutException as error:
            raise JobServiceError("TIMEOUT", f"{field} timed out") from error
        except httpx.HTTPError as error:
            raise JobServiceError("NETWORK_ERROR", f"{field}: {error}") from error
        return _result(field, response)

    async def execute_async(
        self, http: httpx.AsyncClient, field: str, document: str, variables: dict[str, Any], *, extra_timeout: float = 0.0
    ) -> Any:
        """``execute`` on an asyncio client of the caller's (so a long poll can be cancelled)."""
        try:
            response = await http.post(
                self.endpoint,
                json={"query": document, "variables": variables},
                headers={"authorization": self._bearer(), "content-type": "application/json"},
                timeout=self.timeout + extra_timeout,
            )
        except httpx.TimeoutException as error:
            raise JobServiceError("TIMEOUT", f"{field} timed out") from error
        except httpx.HTTPError as error:
            raise JobServiceError("NETWORK_ERROR", f"{field}: {error}") from error
        return _result(field, response)

    def close(self) -> None:
        """Closes the connection pool; safe to call twice."""
        self._http.close()


def _result(field: str, response: httpx.Response) -> Any:
    """``data[field]`` of a GraphQL response, or the JobServiceError it carries."""
    try:
        body = response.json()
    except ValueError:
        body = None  # a proxy's HTML error page, say: reported below by its status
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            first = errors[0] if isinstance(errors[0], dict) else {}
            extensions = first.get("extensions")
            code = extensions.get("code") if isinstance(extensions, dict) else None
            raise JobServiceError(
                code if isinstance(code, str) else f"HTTP_{response.status_code}",
                str(first.get("message") or "GraphQL error"),
                response.status_code,
            )
    if response.is_error:
        raise JobServiceError(f"HTTP_{response.status_code}", f"{field}: HTTP {response.status_code}", response.status_code)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or field not in data:
        raise JobServiceError("BAD_RESPONSE", f"{field}: no data in the response", response.status_code)
    return data[field]
