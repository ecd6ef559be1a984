"""Answer a server's password challenge before sending a request body.

urllib answers a challenge only after the server has refused a request. For a large body
that comes too late: a server that refuses at once and closes the connection (Virtuoso's
``/sparql-graph-crud-auth`` does) breaks the pipe while the body is still being sent, and
the challenge is never read. So the Graph Store upload first asks for the challenge with a
bodiless ``HEAD`` request and sends its body with the answer; and the credentials are tried
once on a ``HEAD``, so that a wrong password is told from a broken connection.

>>> basic_answer(("dba", "secret"))
'Basic ZGJhOnNlY3JldA=='
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request

__all__ = ["challenge_answer", "credentials_refused", "basic_answer"]


def basic_answer(credentials: tuple[str, str]) -> str:
    """The ``Authorization`` value of HTTP Basic for ``(user, password)``."""
    token = base64.b64encode(":".join(credentials).encode("utf-8")).decode("ascii")
    return f"Basic {token}"


def _head(url: str, timeout: float, answer: str | None = None) -> tuple[int, str | None]:
    """The status of a ``HEAD`` of ``url`` (with ``answer`` as its ``Authorization``) and the
    challenge it carries; ``(0, None)`` when the server cannot be asked (the real request
    then tells)."""
    request = urllib.request.Request(url, method="HEAD")
    if answer:
        request.add_unredirected_header("Authorization", answer)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, None
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("WWW-Authenticate") if err.headers else None
    except (OSError, ValueError):
        return 0, None


def _answer(request: urllib.request.Request, credentials: tuple[str, str],
            challenge: str) -> str | None:
    """The ``Authorization`` value that answers ``challenge`` for ``request``."""
    scheme, _, parameters = challenge.partition(" ")
    if scheme.lower() == "basic":
        return basic_answer(credentials)
    if scheme.lower() != "digest":
        return None
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, request.full_url, *credentials)
    fields = urllib.request.parse_keqv_list(
        [part for part in urllib.request.parse_http_list(parameters) if part])
    answer = urllib.request.HTTPDigestAuthHandler(passwords).get_authorization(request, fields)
    return f"Digest {answer}" if answer else None


def challenge_answer(request: urllib.request.Request, credentials: tuple[str, str],
                     timeout: float) -> str | None:
    """The ``Authorization`` value that answers the challenge the server gives (to a
    ``HEAD``) for ``request``'s URL, Digest or Basic; ``None`` when it gives none."""
    status, challenge = _head(request.full_url, timeout)
    if status != 401 or challenge is None:
        return None
    return _answer(request, credentials, challenge)


def credentials_refused(url: str, credentials: tuple[str, str], timeout: float) -> bool:
    """Whether the server refuses ``credentials`` for ``url``, tried on a ``HEAD`` (a refused
    upload may only show as a broken connection)."""
    head = urllib.request.Request(url, method="HEAD")
    answer = challenge_answer(head, credentials, timeout)
    return bool(answer) and _head(url, timeout, answer)[0] == 401
