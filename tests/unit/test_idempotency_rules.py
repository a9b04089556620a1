"""The rules of idempotency keys, without a database: which keys are valid, what binds a key to its
request, when a stored answer is replayed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import Conflict, InvalidInput
from domain.idempotency import StoredResponse, check_key, fingerprint, new_record, replay

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_a_key_is_visible_ascii_and_required_only_when_asked() -> None:
    assert check_key("0b6f7a3e-2c1d-4f5e-9a8b-7c6d5e4f3a2b", required=True) == "0b6f7a3e-2c1d-4f5e-9a8b-7c6d5e4f3a2b"
    assert check_key(None, required=False) is None
    for bad in ("", "with space", "x" * 256, "sleutel-é"):
        with pytest.raises(InvalidInput) as refused:
            check_key(bad, required=False)
        assert refused.value.params[0].name == "Idempotency-Key"
    with pytest.raises(InvalidInput) as missing:
        check_key(None, required=True)
    assert missing.value.params[0].code == "required"


def test_the_fingerprint_binds_method_path_body_and_precondition() -> None:
    base = fingerprint("POST", "/api/v1/signals", b'{"a":1}')
    assert base == fingerprint("post", "/api/v1/signals", b'{"a":1}')
    assert len(base) == 64
    assert base != fingerprint("POST", "/api/v1/signal-batches", b'{"a":1}')
    assert base != fingerprint("POST", "/api/v1/signals", b'{"a":2}')
    assert base != fingerprint("PUT", "/api/v1/signals", b'{"a":1}')
    assert base != fingerprint("POST", "/api/v1/signals", b'{"a":1}', extra={"If-Match": '"3"'})
    # the separators keep parts from running into each other
    assert fingerprint("POST", "/a", b"b") != fingerprint("POST", "/ab", b"")


def test_a_stored_answer_is_replayed_only_for_the_same_request() -> None:
    print_ = fingerprint("POST", "/api/v1/signals", b"{}")
    record = new_record("client:1", "k", "post", "/api/v1/signals", print_, NOW, timedelta(hours=24))
    assert record.method == "POST" and record.expires_at == NOW + timedelta(hours=24)
    assert not record.expired(NOW + timedelta(hours=23)) and record.expired(NOW + timedelta(hours=24))
    answered = StoredResponse(201, b'{"id":"x"}', {"location": "/api/v1/signals/x"})

    complete = replace(record, response=answered)
    assert replay(complete, "POST", "/api/v1/signals", print_) == answered
    with pytest.raises(Conflict):
        replay(complete, "POST", "/api/v1/signals", fingerprint("POST", "/api/v1/signals", b'{"x":1}'))
    with pytest.raises(Conflict):
        replay(complete, "POST", "/api/v1/signal-batches", print_)
    with pytest.raises(Conflict):
        replay(record, "POST", "/api/v1/signals", print_)  # never stored without its response
