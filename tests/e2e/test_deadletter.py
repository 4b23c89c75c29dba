"""Every refused inbound message comes back on deadletter with its reason and original bytes, and
the daemon keeps serving."""

import base64

import pytest

from conftest import click, order, review

VALID = order("o-ok", "c-dl", "2026-03-01T10:00:00Z", 2999)
DL_BYTES = 4096  # [publish] deadletter_payload_bytes in the daemon's config
MAX_BYTES = 65536  # [ingest] max_message_bytes


def non_ascii_payload() -> bytes:
    """A 5,000-byte UTF-8 order (bad category) whose byte 4096 falls inside a two-byte character."""
    head = b'{"event_id":"o-cut","customer_id":"c-dl","ts":0,"amount":1,"currency":"USD","category":"'
    if (DL_BYTES - len(head)) % 2 == 0:
        head = head.replace(b"o-cut", b"o-cut1")
    return head + "é".encode() * 2500 + b'"}'


# (case id, frames sent, expected reason)
CASES = [
    ("one_frame", [b"orders"], "frame_count"),
    ("three_frames", [b"orders", VALID, b"extra"], "frame_count"),
    ("unknown_topic", [b"refunds", VALID], "unknown_topic"),
    ("oversized", [b"orders", VALID + b" " * (MAX_BYTES + 1 - len(VALID))], "oversized"),
    ("empty_payload", [b"orders", b""], "malformed_json"),
    ("long_topic", [b"x" * 300, VALID], "unknown_topic"),
    ("invalid_utf8", [b"orders", b'{"event_id":"o-\xff\xfe","customer_id":"c-dl"}'], "invalid_utf8"),
    ("malformed_json", [b"orders", b'{"event_id":"o-1",'], "malformed_json"),
    ("trailing_data", [b"orders", VALID + b" {}"], "malformed_json"),
    ("duplicate_key", [b"orders", VALID[:-1] + b',"amount":1}'], "malformed_json"),
    ("missing_field", [b"orders", b'{"event_id":"o-1","customer_id":"c-dl","ts":0,"currency":"USD"}'], "missing_field"),
    ("fractional_amount", [b"orders", order("o-1", "c-dl", 0, 29.5)], "invalid_field"),
    ("impossible_date", [b"clicks", click("k-1", "c-dl", "2026-02-30T00:00:00Z")], "invalid_field"),
    ("rating_out_of_range", [b"reviews", review("r-1", "c-dl", 0, 6)], "invalid_field"),
    ("unknown_field", [b"orders", order("o-1", "c-dl", 0, 100, coupon="SPRING")], "unknown_field"),
    ("currency", [b"orders", order("o-1", "c-dl", 0, 100, currency="EUR")], "currency"),
    ("truncated_utf8", [b"orders", non_ascii_payload()], "invalid_field"),
    ("truncated_binary", [b"orders", b"\xff" * 5000], "invalid_utf8"),
]


def expected_dead_letter(frames: list[bytes], reason: str) -> dict:
    """What the dead letter of `frames` must say (all but seq and detail)."""
    payload = frames[1] if len(frames) > 1 else b""
    try:
        payload.decode("utf-8")
        text = True
    except UnicodeDecodeError:
        text = False
    cut = min(len(payload), DL_BYTES)
    if text:
        while 0 < cut < len(payload) and payload[cut] & 0xC0 == 0x80:
            cut -= 1
    kept = payload[:cut]
    return {
        "reason": reason,
        "topic": frames[0][:256].decode(),  # the schema echoes at most 256 bytes of topic
        "frames": len(frames),
        "payload_bytes": len(payload),
        "truncated": cut < len(payload),
        "payload_encoding": "utf8" if text else "base64",
        "payload": kept.decode() if text else base64.b64encode(kept).decode(),
    }


def test_truncation_cases_cut_where_intended():
    # Guards the test data itself: the UTF-8 case must cut inside a character.
    payload = non_ascii_payload()
    assert payload[DL_BYTES] & 0xC0 == 0x80
    assert len(expected_dead_letter([b"orders", payload], "x")["payload"].encode()) == DL_BYTES - 1


def test_every_bad_input_is_dead_lettered_with_its_reason_and_the_daemon_keeps_serving(start_daemon, connect):
    daemon = start_daemon(deadletter_payload_bytes=DL_BYTES, max_message_bytes=MAX_BYTES)
    bus = connect(daemon)

    for case, frames, reason in CASES:
        bus.push.send_multipart(frames)
        message = bus.receive()
        assert message.topic == "deadletter", (case, message)
        body = dict(message.body)
        assert body.pop("seq") == bus.last_seq
        assert body.pop("detail"), f"{case}: detail must say what was wrong"
        assert body == expected_dead_letter(frames, reason), case
        assert daemon.alive, f"segd died on {case}; stderr:\n{daemon.stderr}"

    # Still serving: a valid order exactly max_message_bytes long (padded with JSON whitespace) is
    # accepted, and so is a plain one.
    at_limit = order("o-limit", "c-limit", "2026-03-01T10:00:00Z", 2999)
    for payload, customer, event_id in [(at_limit + b" " * (MAX_BYTES - len(at_limit)), "c-limit", "o-limit"),
                                        (VALID, "c-dl", "o-ok")]:
        bus.push.send_multipart([b"orders", payload])
        message = bus.receive()
        assert message.topic == "segment.buyer.enter", message
        assert (message.body["customer_id"], message.body["event_id"], message.body["cause"]) == (customer, event_id, "event")
    bus.expect_nothing_more()
    assert daemon.alive


def test_a_message_as_large_as_the_sockets_let_in_is_dead_lettered_and_the_daemon_keeps_serving(start_daemon, connect):
    # libzmq lets in up to 16 x max_message_bytes, and every message is journaled before it is
    # refused: 80 MiB is past the 64 MiB a journal record once held, which stopped the daemon.
    daemon = start_daemon(deadletter_payload_bytes=DL_BYTES, max_message_bytes=16 << 20)
    bus = connect(daemon)
    frames = [b"orders", VALID + b" " * (80 << 20)]
    bus.push.send_multipart(frames)
    body = dict(bus.receive().body)
    del body["seq"], body["detail"]
    assert body == expected_dead_letter(frames, "oversized")
    bus.push.send_multipart([b"orders", VALID])
    message = bus.receive()
    assert (message.topic, message.body["event_id"]) == ("segment.buyer.enter", "o-ok"), message
    assert daemon.alive, daemon.stderr


@pytest.mark.parametrize("case, frames, reason", [c for c in CASES if c[0] in ("three_frames", "unknown_topic", "oversized")],
                         ids=lambda v: v if isinstance(v, str) else None)
def test_bad_input_from_a_pub_producer_is_dead_lettered_too(start_daemon, connect, case, frames, reason):
    daemon = start_daemon()
    bus = connect(daemon)
    publisher = bus.connect_producer()
    if frames[0] == b"refunds":
        frames = [b"orders-x", *frames[1:]]  # must still match the daemon's SUB prefix to reach it
    publisher.send_multipart(frames)
    body = dict(bus.receive().body)
    del body["seq"], body["detail"]
    assert body == expected_dead_letter(frames, reason)
    publisher.close(linger=0)
