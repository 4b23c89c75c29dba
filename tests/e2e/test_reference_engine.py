"""segd's replay output against an independent reference implementation of the documented
definitions (reference_engine.py: written from the README and docs/configuration.md, not from the
Swift sources).

The config is deploy/segd.toml without the rfm family (RFM scores are re-scored lazily against
daily quintiles; the reference does not model them) and without [churn], whose alerts
test_churn.py checks against the closed form: lifecycle at_risk and churned go back to recency
rules (90 and 180 days since the last order). Everything else — windows incl. 365d,
allowed_lateness 5s, every other family and free segment — is kept.
"""

from __future__ import annotations

import json
import math
import random
import re
import tomllib
from pathlib import Path

import pytest

from conftest import REPO, parse_message_lines, run_segd
from reference_engine import Reference, fmt_ts, load_config, parse_events, parse_ts

UNTIL = "2026-07-01T00:00:00Z"
SAMPLE = 30


def config_without_rfm() -> str:
    """deploy/segd.toml, minus [churn] and the [[segment]] tables of family "rfm", with recency
    rules for at_risk and churned; every other line kept."""
    text = (REPO / "deploy" / "segd.toml").read_text()
    text, removed = re.subn(r"\n\[churn\]\n.*?(?=\n# ---)", "\n", text, flags=re.S)
    assert removed == 1
    for old, new in [('"churn_risk == 1 and days_since_last_order >= 180"', '"orders_total >= 1 and days_since_last_order >= 180"'),
                     ('"churn_risk == 1"', '"orders_total >= 1 and days_since_last_order >= 90"')]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    head, *tables = text.split("\n[[segment]]")
    kept = [t for t in tables if 'family = "rfm"' not in t]
    result = "\n[[segment]]".join([head, *kept])
    doc = tomllib.loads(result)
    assert all(s.get("family") != "rfm" for s in doc["segment"])
    assert len(doc["segment"]) == len(tomllib.loads(text)["segment"]) - 11 and "churn" not in doc
    assert doc["engine"]["allowed_lateness"] == "5s"
    return result


def replay_files(directory: Path, config_text: str, events: Path, until: str):
    config = directory / "segd.toml"
    config.write_text(config_text)
    emit, profiles = directory / "emitted.txt", directory / "profiles.jsonl"
    result = run_segd("replay", "--config", config, "--input", events, "--emit", emit,
                      "--until", until, "--profiles", profiles, cwd=directory, timeout=120)
    summary = json.loads(result.stdout)
    messages = parse_message_lines(emit.read_bytes())
    profile_rows = [json.loads(line) for line in profiles.read_text().splitlines() if line]
    return summary, messages, {row["customer_id"]: row for row in profile_rows}


# --------------------------------------------------------------------------------------------
# Comparison helpers
# --------------------------------------------------------------------------------------------

def same_number(got, expected: float) -> bool:
    """JSON value (null for NaN) against a reference value, 1e-9 relative."""
    if got is None or expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return got is None and (expected is None or math.isnan(expected))
    return math.isclose(float(got), float(expected), rel_tol=1e-9, abs_tol=0.0)


def profile_mismatches(reference_final: dict, profiles: dict) -> tuple[list[str], int]:
    problems, compared = [], 0
    missing = set(reference_final) ^ set(profiles)
    if missing:
        problems.append(f"customers only on one side: {sorted(missing)[:10]}")
    for customer in sorted(set(reference_final) & set(profiles)):
        ref, got = reference_final[customer], profiles[customer]
        if set(got["segments"]) != set(ref["segments"]):
            problems.append(f"{customer}: segments {got['segments']} expected {ref['segments']}")
        if set(got["features"]) != set(ref["features"]):
            problems.append(f"{customer}: feature names differ: {set(got['features']) ^ set(ref['features'])}")
        for name, expected in ref["features"].items():
            compared += 1
            if name in got["features"] and not same_number(got["features"][name], expected):
                problems.append(f"{customer}: {name} = {got['features'][name]} expected {expected}")
    return problems, compared


def alert_key(topic: str, body: dict):
    """What is compared of one segment alert: topic, time, cause, event, family move, features."""
    features = tuple(sorted((k, None if v is None else round(float(v), 9))
                            for k, v in body["features"].items()))
    return (topic, body["ts"], body["cause"], body.get("event_id"), body.get("previous"),
            body.get("current"), features)


def reference_alert_key(alert) -> tuple:
    features = tuple(sorted((k, None if isinstance(v, float) and math.isnan(v) else round(float(v), 9))
                            for k, v in alert.features.items()))
    return (alert.topic, fmt_ts(alert.ts), alert.cause, alert.event_id, alert.previous,
            alert.current, features)


def stream_keys(messages, reference_stream) -> tuple[list, list]:
    """segd's messages and the reference's stream as comparable keys, seq by seq."""
    expected = [(topic, body["seq"], body.get("reason")) if topic == "deadletter" else
                (topic, body["seq"], body["customer_id"], body["ts"], body["cause"], body["event_id"],
                 body["previous"], body["current"],
                 tuple(sorted((k, None if isinstance(v, float) and math.isnan(v) else round(float(v), 9))
                              for k, v in body["features"].items())))
                for topic, body in reference_stream]
    got = [(topic, body["seq"], body.get("reason")) if topic == "deadletter" else
           (topic, body["seq"], body["customer_id"]) + alert_key(topic, body)[1:]
           for topic, _, body in messages]
    return got, expected


def first_difference(got: list, expected: list) -> str:
    for i, (g, e) in enumerate(zip(got, expected)):
        if g != e:
            return f"#{i}: segd {g}\n       reference {e}"
    return f"lengths differ: segd {len(got)}, reference {len(expected)}; extra: " \
           f"{(got[len(expected):] or expected[len(got):])[:3]}"


# --------------------------------------------------------------------------------------------
# The generated data set
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    directory = tmp_path_factory.mktemp("reference")
    events = directory / "events.tsv"
    run_segd("generate", "--events", 60000, "--customers", 3000, "--seed", 5, "--span", "120d",
             "-o", events, cwd=directory)
    text = config_without_rfm()
    summary, messages, profiles = replay_files(directory, text, events, UNTIL)
    reference = Reference(load_config(text), parse_events(events.read_bytes()))
    return summary, messages, profiles, reference


def test_final_memberships_and_features_of_every_customer(generated):
    summary, _, profiles, reference = generated
    assert summary["events"]["accepted"] == len(reference.ingest.accepted) == 60000
    assert summary["clock"] == fmt_ts(parse_ts(UNTIL))
    final = reference.final(parse_ts(UNTIL))
    assert summary["customers"] == len(final) == len(profiles)

    problems, compared = profile_mismatches(final, profiles)
    assert compared > 200_000
    assert not problems, f"{len(problems)} differences, first ones:\n" + "\n".join(problems[:25])

    counts = {s.name: 0 for s in reference.cfg.segments}
    for row in final.values():
        for name in row["segments"]:
            counts[name] += 1
    assert summary["segments"] == counts


def sample_customers(reference: Reference) -> list[str]:
    """10 heaviest, 10 of the lightest with at least two events, 10 random others."""
    by_size = sorted(reference.customer_events, key=lambda c: (-len(reference.customer_events[c]), c))
    heavy = by_size[:10]
    light = [c for c in reversed(by_size) if len(reference.customer_events[c]) >= 2][:10]
    rest = sorted(set(by_size) - set(heavy) - set(light))
    return heavy + light + random.Random(5).sample(rest, SAMPLE - 20)


def test_transitions_of_sampled_customers(generated):
    _, messages, _, reference = generated
    by_customer: dict[str, list] = {}
    for topic, _, body in messages:
        if topic != "deadletter":
            by_customer.setdefault(body["customer_id"], []).append(alert_key(topic, body))
    assert not any(topic == "deadletter" for topic, _, _ in messages)

    sample = sample_customers(reference)
    assert len(sample) == SAMPLE
    until = parse_ts(UNTIL)
    problems, compared, causes = [], 0, {"event": 0, "timer": 0}
    for customer in sample:
        expected = [reference_alert_key(a) for a in reference.transitions(customer, until)]
        got = by_customer.get(customer, [])
        compared += len(expected)
        for key in expected:
            causes[key[2]] += 1
        if got != expected:
            problems.append(f"{customer}: {first_difference(got, expected)}")
    assert compared > 1000 and causes["event"] > 100 and causes["timer"] > 100, (compared, causes)
    assert not problems, "\n".join(problems)


def test_whole_alert_stream_in_order(generated):
    """Every customer, every alert, seq by seq: also checks the order across customers (timers in
    (due time, customer) order, customers in order of first appearance) and the alert counts."""
    summary, messages, _, reference = generated
    got, expected = stream_keys(messages, reference.stream(parse_ts(UNTIL)))
    assert len(expected) == summary["last_seq"] == summary["alerts"]["total"]
    assert got == expected, first_difference(got, expected)


# --------------------------------------------------------------------------------------------
# A hand-written file of edge cases
# --------------------------------------------------------------------------------------------

MIN = 60_000

# Extra free segments for the edge file: hour-window boundaries, sessions, and the rule language.
EDGE_SEGMENTS = [
    ("ten_today", "clicks_24h >= 10"),
    ("carted_today", "carts_24h >= 1"),
    ("two_days", "active_days_24h >= 2"),
    ("multi_session", "sessions_total >= 2"),
    ("div0", "clicks_total / 0 == 0 and reviews_total >= 1"),
    ("nan_ne", "avg_rating_7d != 3"),
    ("rating_in", "min_rating_total in [1, 2]"),
    ("rating_not_in", "min_rating_total not in [1, 2]"),
    ("reviews_between", "reviews_total between 1 and 2"),
    ("not_happy", "not (avg_rating_total >= 4)"),
    ("arith_recent", "days_since_last_seen + 0 >= 3"),
    ("ahead", "days_since_last_seen < 0"),
]
EDGE_UNTIL = "2026-04-15T00:00:00Z"


def edge_events() -> str:
    T = parse_ts
    lines = []

    def ev(topic, **fields):
        lines.append(topic + "\t" + json.dumps(fields, separators=(",", ":")))

    # h-1: one click at the last millisecond of a day, nine from the first millisecond of the next.
    ev("clicks", event_id="h1-0", customer_id="h-1", ts=T("2026-03-01T23:59:59.999Z"), action="view")
    ev("clicks", event_id="h1-1", customer_id="h-1", ts="2026-03-02T00:00:00Z", action="view")
    for i in range(1, 9):
        ev("clicks", event_id=f"h1-{i + 1}", customer_id="h-1", ts=T("2026-03-02T00:00:00Z") + i * 10 * MIN,
           action="view")
    # h-2: an order just after midnight, then an add-to-cart 4 s earlier (out of order, inside 5 s).
    ev("orders", event_id="h2-o", customer_id="h-2", ts=T("2026-03-03T00:00:02Z"), amount=5000, currency="USD")
    ev("clicks", event_id="h2-c", customer_id="h-2", ts=T("2026-03-02T23:59:58Z"), action="add_to_cart")
    # The clock is now 2026-03-02T23:59:57.000Z: 1 ms behind it is late, exactly on it is not.
    ev("clicks", event_id="h3-late", customer_id="h-3", ts=T("2026-03-02T23:59:56.999Z"), action="view")
    ev("clicks", event_id="h3-atclock", customer_id="h-3", ts=T("2026-03-02T23:59:57Z"), action="view")
    # Duplicates: a retried order, and an old event_id with a newer time (must not move the clock).
    ev("orders", event_id="h2-o", customer_id="h-2", ts=T("2026-03-03T00:00:02Z"), amount=5000, currency="USD")
    ev("clicks", event_id="h1-0", customer_id="h-1", ts=T("2026-03-03T00:00:03Z"), action="view")
    ev("clicks", event_id="h3-after-dup", customer_id="h-3", ts=T("2026-03-02T23:59:57.500Z"), action="view")
    # h-5: sessions — exactly 30 minutes starts one, 29:59.999 does not.
    ev("clicks", event_id="h5-1", customer_id="h-5", ts=T("2026-03-04T10:00:00Z"), action="view")
    ev("clicks", event_id="h5-2", customer_id="h-5", ts=T("2026-03-04T10:30:00Z"), action="view")
    ev("clicks", event_id="h5-3", customer_id="h-5", ts=T("2026-03-04T10:59:59.999Z"), action="add_to_cart")
    # h-6: reviews (sub-millisecond digits are truncated).
    ev("reviews", event_id="h6-1", customer_id="h-6", ts="2026-03-05T12:00:00.123456789Z", rating=2)
    ev("reviews", event_id="h6-2", customer_id="h-6", ts=T("2026-03-05T13:00:00Z"), rating=5)
    ev("reviews", event_id="h6-3", customer_id="h-6", ts=T("2026-03-06T00:00:00Z"), rating=4)
    # h-4: moves the clock to exactly h-1's window_shopper exit (2026-03-08T00:00:00.000Z).
    ev("clicks", event_id="h4-1", customer_id="h-4", ts=T("2026-03-08T00:00:05Z"), action="view")
    return "\n".join(lines) + "\n"


def test_hand_written_edge_cases(tmp_path):
    text = config_without_rfm() + "".join(
        f'\n[[segment]]\nname = "{name}"\nrule = {json.dumps(rule)}\n' for name, rule in EDGE_SEGMENTS)
    events = tmp_path / "edge.tsv"
    events.write_text(edge_events())
    summary, messages, profiles = replay_files(tmp_path, text, events, EDGE_UNTIL)
    reference = Reference(load_config(text), parse_events(events.read_bytes()))

    # The whole outbound stream, seq by seq, dead letters included.
    got, expected = stream_keys(messages, reference.stream(parse_ts(EDGE_UNTIL)))
    assert got == expected, first_difference(got, expected)

    problems, _ = profile_mismatches(reference.final(parse_ts(EDGE_UNTIL)), profiles)
    assert not problems, "\n".join(problems)

    # What the README says, checked by hand, so that both cannot be wrong the same way.
    dead = [(json.loads(body["payload"])["event_id"], body["reason"])
            for topic, _, body in messages if topic == "deadletter"]
    assert dead == [("h3-late", "late"), ("h2-o", "duplicate"), ("h1-0", "duplicate")]
    assert summary["events"]["accepted"] == len(reference.ingest.accepted) == 21

    def alerts(customer, segment):
        return [(body["type"], body["ts"], body["cause"]) for topic, _, body in messages
                if topic != "deadletter" and body["customer_id"] == customer and body["segment"] == segment]

    # 23:59:59.999 is in the day (and hour) before 00:00:00.000.
    assert alerts("h-1", "window_shopper") == [("enter", "2026-03-02T01:20:00.000Z", "event"),
                                               ("exit", "2026-03-08T00:00:00.000Z", "timer")]
    assert alerts("h-1", "ten_today") == [("enter", "2026-03-02T01:20:00.000Z", "event"),
                                          ("exit", "2026-03-02T23:00:00.000Z", "timer")]
    # The out-of-order add-to-cart counts in its own (earlier) hour and is evaluated at its own time;
    # it is earlier than the order, so the cart is not open.
    assert alerts("h-2", "carted_today") == [("enter", "2026-03-02T23:59:58.000Z", "event"),
                                             ("exit", "2026-03-03T23:00:00.000Z", "timer")]
    assert alerts("h-2", "cart_abandoner") == []
    assert profiles["h-2"]["features"]["active_days_total"] == 2
    assert profiles["h-2"]["features"]["cart_open"] == 0
    # An exactly-30-minute gap starts a session, 29:59.999 does not.
    assert profiles["h-5"]["features"]["sessions_total"] == 2
    assert profiles["h-3"]["features"]["clicks_total"] == 2
    assert profiles["h-6"]["features"]["avg_rating_total"] == pytest.approx(11 / 3)
