"""The HTTP plumbing shared by the provider clients: retry policy and transport-error reasons."""

from __future__ import annotations

import pytest
import requests
from urllib3 import HTTPResponse

from pydis_dash.providers.http import MAX_RETRY_AFTER, describe_transport_error, retry_policy


def rate_limited(retry_after: str) -> HTTPResponse:
    return HTTPResponse(body=b"", headers={"Retry-After": retry_after}, status=429)


@pytest.mark.parametrize("any_method", [False, True])
def test_retry_after_is_honoured_but_capped(any_method: bool) -> None:
    policy = retry_policy(3, 0.5, {"GET"}, any_method_on_429=any_method)
    assert policy.get_retry_after(rate_limited("2")) == 2
    assert policy.get_retry_after(rate_limited("86400")) == MAX_RETRY_AFTER
    # urllib3 builds a new Retry after each attempt: the cap must survive it.
    assert policy.new(total=1).get_retry_after(rate_limited("86400")) == MAX_RETRY_AFTER


def test_only_the_chosen_methods_are_retried_on_503_and_429_for_all_when_asked() -> None:
    reads_only = retry_policy(3, 0.5, {"GET", "PUT"})
    assert reads_only.is_retry("GET", 503) and reads_only.is_retry("PUT", 429)
    assert not reads_only.is_retry("POST", 503) and not reads_only.is_retry("POST", 429)
    any_429 = retry_policy(3, 0.5, {"GET"}, any_method_on_429=True)
    assert any_429.is_retry("POST", 429) and not any_429.is_retry("POST", 503)


def test_transport_errors_are_described_without_the_url() -> None:
    url = "https://grafana.example.org/api/search?secret=1"
    error = requests.exceptions.ConnectionError(
        f"HTTPSConnectionPool: Max retries exceeded with url: {url} (Connection refused)"
    )
    assert describe_transport_error(error) == "connection refused"
    assert describe_transport_error(requests.exceptions.ChunkedEncodingError(url)) == (
        "connection lost while reading the answer"
    )
