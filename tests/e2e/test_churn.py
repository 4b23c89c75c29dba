"""Churn alerts fire on time: CDNOW replayed as order events in event time emits each churn.risk
and churn.recovered at the instant an independent closed-form computation gives, a rule on
p_alive wakes customers at its own crossing, and lifecycle segments agree with the alerts.

The expectation is computed here from the paper's formulas (Fader, Hardie & Lee 2005) and the
parameters `segd fit` wrote, not from segd's code: T* solves P(alive | x, t_x, T) = threshold,
ages count from 00:00 UTC of the first purchase day, and the alert is due at the first
millisecond at or after T*.
"""

import json
import math
from pathlib import Path

import pytest

from conftest import REPO, config_text, epoch_ms, parse_message_lines, run_segd

DAY = 86_400_000
CDNOW = REPO / "Tests" / "SegdCoreTests" / "Fixtures" / "CDNOW_master.txt"
UNTIL = "1998-07-01T00:00:00Z"
THRESHOLD, HYSTERESIS, FADING = 0.5, 0.1, 0.3


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    """CDNOW's 69,659 purchases as order events at 12:00 UTC of their day, in time order, fitted
    with `segd fit` on the whole history (weeks) and replayed with churn on."""
    if not CDNOW.exists():
        pytest.fail(f"{CDNOW} is missing: the CDNOW master file is the test's data")
    directory = tmp_path_factory.mktemp("cdnow")
    rows = []
    for number, line in enumerate(CDNOW.read_text().splitlines()[1:]):
        customer, date, quantity, dollars = line.split()
        rows.append((date, number, customer, int(quantity), round(float(dollars) * 100)))
    rows.sort()
    events = directory / "orders.txt"
    with events.open("w") as out:
        for date, number, customer, quantity, cents in rows:
            ts = f"{date[:4]}-{date[4:6]}-{date[6:]}T12:00:00Z"
            out.write("orders\t" + json.dumps({
                "event_id": f"cdnow-{number}", "customer_id": f"c{customer}", "ts": ts,
                "amount": cents, "currency": "USD", "items": quantity}) + "\n")

    params = directory / "churn.json"
    run_segd("fit", "--input", events, "--calibration-end", "1998-06-30", "--unit", "weeks", "--out", params)
    segments = [
        ("churned", "lifecycle", "churn_risk == 1 and days_since_last_order >= 180"),
        ("at_risk", "lifecycle", "churn_risk == 1"),
        ("active", "lifecycle", "orders_total >= 1"),
        ("fading", None, f"p_alive < {FADING}"),
    ]
    text = config_text(directory=directory, segments=[])
    text += f'\n[churn]\nparams = "churn.json"\nthreshold = {THRESHOLD}\nhysteresis = {HYSTERESIS}\nhorizons = ["30d", "365d"]\n'
    for name, family, rule in segments:
        text += f'\n[[segment]]\nname = "{name}"\n' + (f'family = "{family}"\n' if family else "") + f"rule = {json.dumps(rule)}\n"
    config = directory / "segd.toml"
    config.write_text(text)
    emit, profiles = directory / "emitted.txt", directory / "profiles.jsonl"
    result = run_segd("replay", "--config", config, "--input", events, "--emit", emit, "--until", UNTIL,
                      "--profiles", profiles, timeout=300)
    return {
        "rows": rows, "params": json.loads(params.read_text()), "summary": json.loads(result.stdout),
        "messages": parse_message_lines(emit.read_bytes()),
        "profiles": [json.loads(line) for line in profiles.read_text().splitlines()],
    }


def purchase_days(rows):
    """Each customer's distinct purchase days (days since 1970-01-01), ascending."""
    days = {}
    for date, _, customer, _, _ in rows:
        day = epoch_ms(f"{date[:4]}-{date[4:6]}-{date[6:]}T00:00:00Z") // DAY
        days.setdefault(f"c{customer}", []).append(day)
    return {customer: sorted(set(values)) for customer, values in days.items()}


def p_alive(params, x, tx, T):
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    return 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def crossing(params, x, tx, threshold):
    """T* at which P(alive) falls to `threshold`, in the model's unit (at least t_x)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    age = (alpha + tx) * ((1 - threshold) / threshold * (b + x - 1) / a) ** (1 / (r + x)) - alpha
    return max(age, tx)


def expected_transitions(params, days, threshold, hysteresis, one_time_days, until):
    """(type, ts) of every crossing of one customer, by walking their purchases in time."""
    unit = {"weeks": 7, "days": 1}[params["unit"]]
    first = days[0]
    at_risk, alerts = False, []

    def due(x, tx_days):
        if x == 0:
            return None if one_time_days is None else first * DAY + math.ceil(one_time_days * DAY)
        return first * DAY + math.ceil(crossing(params, x, tx_days / unit, threshold) * unit * DAY)

    for index, day in enumerate(days):
        purchase = day * DAY + DAY // 2
        if index > 0 and not at_risk:
            pending = due(index - 1, days[index - 1] - first)
            if pending is not None and pending <= purchase:
                alerts.append(("risk", pending))
                at_risk = True
        x, tx = index, (day - first) / unit
        age = (purchase - first * DAY) / DAY / unit
        if x > 0:
            p = p_alive(params, x, tx, age)
            if at_risk and p >= threshold + hysteresis:
                alerts.append(("recovered", purchase))
                at_risk = False
            elif not at_risk and p < threshold:
                alerts.append(("risk", purchase))
                at_risk = True
    if not at_risk:
        pending = due(len(days) - 1, days[-1] - first)
        if pending is not None and pending <= until:
            alerts.append(("risk", pending))
    return alerts


def test_fit_writes_the_one_time_buyer_limit(cdnow):
    params = cdnow["params"]
    assert params["model"] == "bgnbd" and params["unit"] == "weeks" and params["customers"] == 23_570
    assert params["one_time_buyer_quantile"] == 0.9
    assert 30 < params["one_time_buyer_days"] < 400, params


def test_churn_alerts_fire_at_the_closed_form_crossing(cdnow, schemas):
    params, until = cdnow["params"], epoch_ms(UNTIL)
    expected = {}
    for customer, days in purchase_days(cdnow["rows"]).items():
        for kind, ts in expected_transitions(params, days, THRESHOLD, HYSTERESIS, params["one_time_buyer_days"], until):
            expected.setdefault(customer, []).append((kind, ts))
    actual = {}
    for topic, _, message in cdnow["messages"]:
        if topic.startswith("churn."):
            schemas.check_outbound(topic, message)
            actual.setdefault(message["customer_id"], []).append((message["type"], epoch_ms(message["ts"])))
    wrong = {c: (expected.get(c), actual.get(c)) for c in set(expected) | set(actual) if expected.get(c) != actual.get(c)}
    assert not wrong, f"{len(wrong)} customers differ, e.g. {list(wrong.items())[:5]}"
    risks = sum(kind == "risk" for alerts in actual.values() for kind, _ in alerts)
    recoveries = sum(kind == "recovered" for alerts in actual.values() for kind, _ in alerts)
    assert risks > 10_000 and recoveries > 100, (risks, recoveries)
    assert cdnow["summary"]["alerts"]["by_topic"]["churn.risk"] == risks


def test_a_rule_on_p_alive_wakes_the_customer_at_its_own_crossing(cdnow):
    params, until = cdnow["params"], epoch_ms(UNTIL)
    expected = {}
    for customer, days in purchase_days(cdnow["rows"]).items():
        changes = [("enter" if kind == "risk" else "exit", ts)
                   for kind, ts in expected_transitions(params, days, FADING, 0, None, until)]
        if changes:
            expected[customer] = changes
    actual = {}
    for topic, _, message in cdnow["messages"]:
        if topic.startswith("segment.fading."):
            actual.setdefault(message["customer_id"], []).append((message["type"], epoch_ms(message["ts"])))
    wrong = {c: (expected.get(c), actual.get(c)) for c in set(expected) | set(actual) if expected.get(c) != actual.get(c)}
    assert not wrong, f"{len(wrong)} customers differ, e.g. {list(wrong.items())[:5]}"
    assert len(actual) > 1_000


def test_lifecycle_segments_agree_with_the_alerts(cdnow):
    last_alert = {}
    for topic, _, message in cdnow["messages"]:
        if topic.startswith("churn."):
            last_alert[message["customer_id"]] = message["type"]
            assert bool({"at_risk", "churned"} & set(message["segments"])) == (message["type"] == "risk"), message
    for profile in cdnow["profiles"]:
        at_risk = last_alert.get(profile["customer_id"]) == "risk"
        assert profile["features"]["churn_risk"] == (1 if at_risk else 0), profile
        assert bool({"at_risk", "churned"} & set(profile["segments"])) == at_risk, profile
