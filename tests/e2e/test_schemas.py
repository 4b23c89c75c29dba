"""Every outbound message, replayed or live, is valid against schemas/*.schema.json, and inbound
producer stamps are refused exactly when the schemas refuse them."""

import json
from collections import Counter

from conftest import click, order, parse_message_lines, review, run_segd

# Bad lines appended to a generated file so the replay emits dead letters of every kind too.
BAD_LINES = [
    b"a line without a tab",
    b"refunds\t{}",
    b"orders\t{\"event_id\":",
    b"orders\t" + order("bad-1", "c-bad", "2026-04-01T00:00:00Z", 100, currency="EUR"),
    b"orders\t{\"event_id\":\"bad-2\",\"customer_id\":\"c-\xff\"}",
    b"orders\t{\"event_id\":\"bad-3\"}",
    b"orders\t" + order("bad-4", "c-bad", "2026-04-01T00:00:00Z", 1.5),
    b"orders\t" + order("bad-5", "c-bad", "2026-04-01T00:00:00Z", 100, coupon="X"),
    b"clicks\t{\"category\":\"" + b"x" * 70_000 + b"\"}",
]


def test_generated_events_match_the_inbound_schemas(generated_20k, schemas):
    lines = generated_20k.read_bytes().splitlines()
    assert len(lines) == 20_000
    for line in lines[::10]:
        topic, _, payload = line.partition(b"\t")
        schemas.check_inbound(topic.decode(), json.loads(payload))


def test_every_replayed_outbound_message_matches_its_schema(tmp_path, generated_20k, write_config, replay, schemas):
    events = tmp_path / "events.txt"
    events.write_bytes(generated_20k.read_bytes() + b"\n".join(BAD_LINES) + b"\n")

    result = replay(write_config(), events, until="2026-05-01T00:00:00Z")

    messages = result.messages
    assert len(messages) == result.summary["alerts"]["total"] == result.summary["last_seq"]
    assert [body["seq"] for _, _, body in messages] == list(range(1, len(messages) + 1))
    for topic, _, body in messages:
        schemas.check_outbound(topic, body)
    # The run really exercised every kind of outbound message.
    kinds = Counter(body.get("cause") or body["reason"] for _, _, body in messages)
    assert kinds["event"] > 0 and kinds["timer"] > 0, kinds
    assert {"frame_count", "unknown_topic", "malformed_json", "currency", "invalid_utf8", "missing_field",
            "invalid_field", "unknown_field", "oversized"} <= set(kinds), kinds
    assert any(value is None for _, _, body in messages for value in body.get("features", {}).values())


def test_every_live_outbound_message_matches_its_schema(tmp_path, generated_20k, start_daemon, connect, write_config, replay):
    """Bus.receive validates every live message against its schema and checks its seq."""
    daemon = start_daemon()
    bus = connect(daemon)
    lines = generated_20k.read_bytes().splitlines()[:3000] + BAD_LINES
    for line in lines:
        topic, tab, payload = line.partition(b"\t")
        bus.push.send_multipart([topic, payload] if tab else [topic])

    # The replay of the same inbound messages says how many outbound messages to expect.
    replay_input = tmp_path / "replay-input.txt"
    replay_input.write_bytes(b"".join(t + b"\t" + p + b"\n" for t, p in bus.handshake_inbound) + b"\n".join(lines) + b"\n")
    expected = replay(write_config("replay.toml"), replay_input).summary["last_seq"]
    assert expected > len(bus.handshake_inbound) + len(BAD_LINES)

    while bus.last_seq < expected:
        bus.receive()
    bus.expect_nothing_more()
    causes = Counter(m.body.get("cause", "deadletter") for m in bus.received)
    assert causes["event"] > 0 and causes["timer"] > 0 and causes["deadletter"] > len(BAD_LINES), causes


# producer_id and producer_seq: together or not at all, each within its own bounds.
STAMPS = [
    {},
    {"producer_id": "web-1", "producer_seq": 0},
    {"producer_seq": 9007199254740991, "producer_id": "~"},
    {"producer_id": "web-1", "producer_seq": 2.0},
    {"producer_id": "web-1"},
    {"producer_seq": 5},
    {"producer_id": "web 1", "producer_seq": 1},
    {"producer_id": "", "producer_seq": 1},
    {"producer_id": "web-1", "producer_seq": -1},
    {"producer_id": "web-1", "producer_seq": 9007199254740992},
    {"producer_id": "web-1", "producer_seq": "3"},
    {"producer_id": None, "producer_seq": 3},
]


def test_producer_stamps_are_accepted_exactly_as_the_schemas_say(tmp_path, write_config, replay, schemas):
    makers = {"clicks": (click, "click"), "orders": (order, "order"), "reviews": (review, "review")}
    lines, invalid = [], {}
    for number, stamp in enumerate(STAMPS):
        for topic, (make, kind) in makers.items():
            event_id = f"{kind}-{number}"
            args = {"clicks": (), "orders": (2999,), "reviews": (4,)}[topic]
            payload = make(event_id, "c-stamp", "2026-03-01T10:00:00Z", *args, **stamp)
            errors = schemas.errors(kind, json.loads(payload))
            if errors:
                invalid[event_id] = errors
            lines.append(topic.encode() + b"\t" + payload)
    # Both verdicts occur, and a lone half of a stamp is among the invalid ones.
    assert 0 < len(invalid) < len(lines) and "order-4" in invalid and "click-5" in invalid, invalid
    events = tmp_path / "stamps.txt"
    events.write_bytes(b"\n".join(lines) + b"\n")

    result = replay(write_config(), events)

    dead = {json.loads(body["payload"])["event_id"]: body["reason"]
            for topic, _, body in result.messages if topic == "deadletter"}
    assert set(dead) == set(invalid), {"decoder only": set(dead) - set(invalid), "schema only": set(invalid) - set(dead)}
    assert result.summary["events"]["accepted"] == len(lines) - len(invalid)
    lone_halves = {f"{kind}-{n}" for n in (4, 5) for kind in ("click", "order", "review")}
    assert {event_id for event_id, reason in dead.items() if reason == "missing_field"} == lone_halves, dead
