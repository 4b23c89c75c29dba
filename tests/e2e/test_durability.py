"""Durability end to end: the real daemon killed with SIGKILL mid-stream and restarted, against an
uninterrupted run of the same events; snapshots inspected; a customer forgotten.

The reference for "the state an uninterrupted run ends with" is `segd replay` of the same file
(live and replay share one pipeline, which test_live_equals_replay proves), compared on every
customer's profile, features and memberships, the counters and the next outbound seq.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import zmq
from prometheus_client.parser import text_string_to_metric_families

from conftest import TIMEOUT, Daemon, parse_message_lines, run_segd

EVENTS = 6_000


def processed(daemon: Daemon) -> int:
    """Inbound messages processed so far (accepted plus dead-lettered), from /metrics: restored
    from the state after a restart. Every message is one or the other, so with one producer in
    order this is also how many lines of the file the daemon has taken."""
    with urllib.request.urlopen(daemon.admin_url() + "/metrics", timeout=TIMEOUT) as response:
        body = response.read().decode()
    total = 0
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name in ("segd_events_received_total", "segd_events_rejected_total"):
                total += int(sample.value)
    return total


def wait_until_processed(daemon: Daemon, at_least: int, timeout=60.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        count = processed(daemon)
        if count >= at_least or time.monotonic() > deadline:
            assert count >= at_least, f"only {count} of {at_least} messages processed within {timeout} s; stderr:\n{daemon.stderr}"
            return count
        time.sleep(0.02)  # polling a condition (bounded by the deadline), not waiting for time to pass


class Pusher(threading.Thread):
    """PUSHes event lines in order until done or stopped; never blocks on a dead peer."""

    def __init__(self, context, endpoint, lines):
        super().__init__(daemon=True)
        self.socket = context.socket(zmq.PUSH)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.connect(endpoint)
        self.lines = lines
        self.stopped = threading.Event()

    def run(self):
        for line in self.lines:
            topic, _, payload = line.partition(b"\t")
            while not self.stopped.is_set():
                try:
                    self.socket.send_multipart([topic, payload], flags=zmq.NOBLOCK)
                    break
                except zmq.Again:
                    self.stopped.wait(0.001)
            if self.stopped.is_set():
                break
        # Stopped (the daemon was killed): drop what is queued. Done: deliver it first.
        self.socket.close(linger=0 if self.stopped.is_set() else int(TIMEOUT * 1000))


class Collector(threading.Thread):
    """Collects every alert the daemon publishes as {seq: (topic, json bytes)}."""

    def __init__(self, context, endpoint):
        super().__init__(daemon=True)
        self.socket = context.socket(zmq.SUB)
        self.socket.setsockopt(zmq.SUBSCRIBE, b"")
        self.socket.setsockopt(zmq.RCVTIMEO, 50)
        self.socket.connect(endpoint)
        self.messages: list[tuple[str, bytes]] = []
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                topic, payload = self.socket.recv_multipart()
            except zmq.Again:
                continue
            self.messages.append((topic.decode(), payload))
        self.socket.close()

    def finish(self):
        self.stopped.set()
        self.join(TIMEOUT)
        return self.messages


def latest_snapshot(state: Path) -> Path:
    snapshots = sorted(state.glob("snapshot-*.snap"), key=lambda p: int(p.stem.split("-")[1], 16))
    assert snapshots, f"no snapshot in {state}: {sorted(p.name for p in state.iterdir())}"
    return snapshots[-1]


@pytest.fixture
def events_file(tmp_path) -> Path:
    path = tmp_path / "events.txt"
    run_segd("generate", "--events", EVENTS, "--customers", 400, "--seed", 11,
             "--start", "2026-03-01T00:00:00Z", "--span", "20d", "--output", path)
    return path


@pytest.mark.parametrize("fsync", ["always", "interval", "none"])
def test_kill_9_mid_stream_then_restart_equals_an_uninterrupted_run(tmp_path, write_config, replay, zmq_context, events_file, fsync):
    config = write_config(f"segd-{fsync}.toml", fsync=fsync)
    profiles = tmp_path / "reference-profiles.jsonl"
    reference = replay(config, events_file, profiles=profiles)
    reference_alerts = {body["seq"]: (topic, raw) for topic, raw, body in reference.messages}
    lines = [line for line in events_file.read_bytes().split(b"\n") if line]
    assert len(lines) == EVENTS

    daemon = Daemon(tmp_path, config).start()
    collector = Collector(zmq_context, daemon.endpoint("pub"))
    collector.start()
    # Two thirds before the kill: the daemon may take all of them before the signal lands, and a
    # third must still be left to send after the restart.
    pusher = Pusher(zmq_context, daemon.endpoint("pull"), lines[: 2 * EVENTS // 3])
    pusher.start()
    seen_before_kill = wait_until_processed(daemon, EVENTS // 3)
    daemon.proc.send_signal(signal.SIGKILL)
    daemon.proc.wait(TIMEOUT)
    pusher.stopped.set()
    pusher.join(TIMEOUT)
    before = collector.finish()
    assert seen_before_kill < EVENTS, "the daemon took every event before the kill; nothing was tested"

    restarted = Daemon(tmp_path, config).start()
    assert "state recovered" in restarted.stderr
    resumed_at = processed(restarted)
    # Processed before the kill = journaled: every message /metrics showed is still there.
    assert resumed_at >= seen_before_kill, (resumed_at, seen_before_kill)
    collector = Collector(zmq_context, restarted.endpoint("pub"))
    collector.start()
    # One producer over one PUSH pipe delivers in order, so what survived is a prefix: resend the
    # rest. The collector's subscription reaches the daemon asynchronously (and the daemon can take
    # the whole rest within milliseconds), so events go one at a time, each taken before the next,
    # until the first alert arrives; then the rest at full speed. Alerts published before the
    # subscription arrived are missed, which the checks below allow: they match what arrives.
    rest = lines[resumed_at:]
    sent = 0
    feeder = zmq_context.socket(zmq.PUSH)
    feeder.connect(restarted.endpoint("pull"))
    while not collector.messages and sent < len(rest):
        topic, _, payload = rest[sent].partition(b"\t")
        feeder.send_multipart([topic, payload])
        sent += 1
        wait_until_processed(restarted, resumed_at + sent)
    feeder.close(linger=0)
    pusher = Pusher(zmq_context, restarted.endpoint("pull"), rest[sent:])
    pusher.start()
    wait_until_processed(restarted, EVENTS)
    pusher.join(TIMEOUT)
    assert restarted.stop() == 0
    after = collector.finish()

    # Alerts: each one published matches the uninterrupted run's alert with its seq, byte for byte;
    # none published before the kill is published again, and numbering continues without reuse.
    for topic, raw in before + after:
        seq = json.loads(raw)["seq"]
        assert reference_alerts.get(seq) == (topic, raw), f"alert seq {seq} differs from the uninterrupted run"
    last_before = max((json.loads(raw)["seq"] for _, raw in before), default=0)
    assert all(json.loads(raw)["seq"] > last_before for _, raw in after)
    assert after, "no alert after the restart"

    # State: every customer's profile, features and segments, and the counters.
    snapshot = latest_snapshot(tmp_path / f"segd-{fsync}-state")
    customers = run_segd("snapshot", "inspect", "--customers", snapshot).stdout
    assert customers == profiles.read_bytes()
    inspected = run_segd("snapshot", "inspect", snapshot).stdout.decode()
    summary = json.loads(inspected.split("summary:", 1)[1])
    assert summary == reference.summary
    assert f"next seq:  {max(reference_alerts) + 1}" in inspected


def test_snapshot_inspect_reports_damage_and_a_damaged_snapshot_falls_back(tmp_path, write_config, zmq_context, events_file):
    config = write_config(snapshot_interval="1s")
    lines = [line for line in events_file.read_bytes().split(b"\n") if line][:2_000]
    daemon = Daemon(tmp_path, config).start()
    pusher = Pusher(zmq_context, daemon.endpoint("pull"), lines)
    pusher.start()
    wait_until_processed(daemon, len(lines))
    pusher.join(TIMEOUT)
    assert daemon.stop() == 0
    state = tmp_path / "segd-state"
    newest = latest_snapshot(state)
    report = run_segd("snapshot", "inspect", newest).stdout.decode()
    assert "checksums verified" in report and "customers:" in report

    data = bytearray(newest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    newest.write_bytes(bytes(data))
    damaged = run_segd("snapshot", "inspect", newest, check=False)
    assert damaged.returncode == 1 and b"checksum mismatch" in damaged.stderr

    restarted = Daemon(tmp_path, config).start()
    assert "snapshot rejected" in restarted.stderr
    assert processed(restarted) == len(lines)
    assert restarted.stop() == 0


def subscribed(context, daemon: Daemon):
    """A SUB on the daemon's PUB that is known to receive: a message the daemon dead-letters is
    pushed until its dead letter arrives (the subscription reaches the PUB asynchronously)."""
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(daemon.endpoint("pub"))
    push = context.socket(zmq.PUSH)
    push.connect(daemon.endpoint("pull"))
    deadline = time.monotonic() + TIMEOUT
    while not sub.poll(50):
        assert time.monotonic() < deadline, "no dead letter for the handshake"
        push.send_multipart([b"handshake", b"{}"])
    while sub.poll(100):
        sub.recv_multipart()
    push.close()
    return sub


def test_forget_erases_the_customer_everywhere_and_publishes_exits(tmp_path, write_config, zmq_context, events_file):
    config = write_config()
    lines = [line for line in events_file.read_bytes().split(b"\n") if line][:3_000]
    daemon = Daemon(tmp_path, config).start()
    base = daemon.admin_url()
    pusher = Pusher(zmq_context, daemon.endpoint("pull"), lines)
    pusher.start()
    wait_until_processed(daemon, len(lines))
    pusher.join(TIMEOUT)
    # A customer in some segment whose id is no prefix of another (ids run c-1 … c-400), so the
    # byte search below cannot match someone else.
    victim, memberships = None, []
    for number in range(100, 401):
        try:
            with urllib.request.urlopen(f"{base}/v1/customers/c-{number}", timeout=TIMEOUT) as response:
                memberships = json.loads(response.read())["segments"]
        except urllib.error.HTTPError:
            continue
        if memberships:
            victim = f"c-{number}"
            break
    assert victim, "no customer c-100 … c-400 is in a segment"
    sub = subscribed(zmq_context, daemon)

    admin = base.removeprefix("http://")
    answer = json.loads(run_segd("forget", "--admin", admin, victim).stdout)
    assert answer == {"customer_id": victim, "forgotten": True, "segment_exits": len(memberships)}
    exits = []
    for _ in memberships:
        assert sub.poll(int(TIMEOUT * 1000)), f"only {len(exits)} of {len(memberships)} exits published"
        topic, raw = sub.recv_multipart()
        exits.append((topic.decode(), json.loads(raw)))
    assert sorted(topic for topic, _ in exits) == sorted(f"segment.{name}.exit" for name in memberships)
    assert all(body["cause"] == "forget" and body["customer_id"] == victim for _, body in exits)
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{base}/v1/customers/{victim}", timeout=TIMEOUT)
    assert missing.value.code == 404
    again = run_segd("forget", "--admin", admin, victim, check=False)
    assert again.returncode == 1 and b"no customer" in again.stderr
    assert daemon.stop() == 0

    # Nowhere on disk: not in the snapshots (one written at the forget, one at the stop), not in the journal.
    state = tmp_path / "segd-state"
    files = [path for path in state.iterdir() if path.is_file()]
    assert any(path.name.startswith("snapshot-") for path in files)
    for path in files:
        assert victim.encode() not in path.read_bytes(), f"{path.name} still holds {victim}"
