"""The HTTP plumbing shared by the provider clients: retry policy and transport-error reasons."""

from __future__ import annotations

import pytest
import requests
from urllib3 import HTTPResponse

from pydis_dash.providers.http import MAX_RETRY_AFTER, describe_transport_error, retry_policy


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
    error = requests.exceptions.ConnectionError(
        f"HTTPSConnectionPool: Max retries exceeded with url: {url} (Connection refused)"
    )
    assert describe_transport_error(error) == "connection refused"
    assert describe_transport_error(requests.exceptions.ChunkedEncodingError(url)) == (
        "connection lost while reading the answer"
    )
