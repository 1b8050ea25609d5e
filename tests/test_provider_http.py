"""The HTTP plumbing shared by the provider clients: retry policy and transport-error reasons."""

from __future__ import annotations

import json

import pytest
from urllib3 import HTTPResponse
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError, ResponseError

from pydis_dash.providers.http import (
    MAX_RETRY_AFTER,
    Answer,
    decode_json,
    describe_transport_error,
    encode_json,
    retry_policy,
)


def rate_limited(retry_after: str) -> HTTPResponse:
    return HTTPResponse(body=b"", headers={"Retry-After": retry_after}, status=429)


def test_retry_after_is_honoured_but_capped() -> None:
    policy = retry_policy(3, 0.5)
    assert policy.get_retry_after(rate_limited("2")) == 2
    assert policy.get_retry_after(rate_limited("86400")) == MAX_RETRY_AFTER
    # urllib3 builds a new Retry after each attempt: the cap must survive it.
    assert policy.new(total=1).get_retry_after(rate_limited("86400")) == MAX_RETRY_AFTER


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_methods_are_retried_on_5xx_and_429(method: str) -> None:
    policy = retry_policy(3, 0.5)
    assert policy.is_retry(method, 503) and policy.is_retry(method, 429)


def test_a_post_is_retried_on_429_only() -> None:
    policy = retry_policy(3, 0.5)
    assert policy.is_retry("POST", 429)
    assert not policy.is_retry("POST", 503) and not policy.is_retry("POST", 502)


def test_transport_errors_are_described_without_the_url() -> None:
    url = "https://grafana.example.org/api/search?secret=1"
    refused = NewConnectionError(None, f"{url}: Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    assert describe_transport_error(MaxRetryError(None, url, refused)) == "connection refused"  # type: ignore[arg-type]
    reset = ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    assert describe_transport_error(reset) == "connection reset"
    timed_out = ReadTimeoutError(None, url, "Read timed out. (read timeout=1)")  # type: ignore[arg-type]
    assert describe_transport_error(timed_out) == "no answer within the read timeout"
    assert describe_transport_error(MaxRetryError(None, url, ResponseError("too many 503"))) == "gave up after retries"  # type: ignore[arg-type]
    for error in (refused, reset, timed_out):
        assert "secret" not in describe_transport_error(error)


def answer(content: bytes) -> Answer:
    return Answer(200, "OK", content)


def test_bodies_are_encoded_compactly_and_what_orjson_refuses_still_goes() -> None:
    assert (
        encode_json({"title": "Ünïcode", "panels": [1, 2.5, None]})
        == '{"title":"Ünïcode","panels":[1,2.5,null]}'.encode()
    )
    assert json.loads(encode_json({"big": 2**70, 1: "integer key"})) == {"big": 2**70, "1": "integer key"}


def test_answers_decode_as_the_standard_library_would() -> None:
    assert decode_json(answer(b'{"a": [1, 2.5, "\\u00e9", null]}')) == {"a": [1, 2.5, "é", None]}
    assert decode_json(answer(b'{"id": 123456789012345678901234}')) == {"id": 123456789012345678901234}
    assert decode_json(answer('{"utf16": true}'.encode("utf-16"))) == {"utf16": True}
    with pytest.raises(ValueError):
        decode_json(answer(b"<html>bad gateway</html>"))
