"""Operations: systemd's notify protocol over a real datagram socket, the admin listener's
/metrics (parsed with prometheus_client's parser), health, readiness and lookups, counted message
losses on both sides, and `systemd-analyze verify` on the shipped unit."""

import json
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
import zmq
from prometheus_client.parser import text_string_to_metric_families

from conftest import REPO, SEGD_BIN, TIMEOUT, Daemon, click, order


def receive_datagrams(sock, until, limit=200):
    """Datagrams from `sock` until one contains `until` (bounded by count and the socket timeout)."""
    seen = []
    for _ in range(limit):
        seen.append(sock.recv(4096).decode())
        if until in seen[-1]:
            return seen
    pytest.fail(f"no {until!r} among {seen}")


def test_notify_ready_watchdog_reloading_and_stopping(tmp_path, start_daemon):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(TIMEOUT)
    # A 1 s watchdog: segd must ping every 0.5 s.
    daemon = start_daemon(env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "1000000"})
    first = receive_datagrams(sock, "READY=1")
    assert first[-1].startswith("READY=1\nSTATUS=ingesting"), first
    pings = receive_datagrams(sock, "WATCHDOG=1")
    assert pings[-1] == "WATCHDOG=1"
    receive_datagrams(sock, "WATCHDOG=1")  # and again: the loop keeps pinging while idle

    daemon.proc.send_signal(signal.SIGHUP)
    reload = receive_datagrams(sock, "READY=1")
    reloading = [d for d in reload if d.startswith("RELOADING=1")]
    assert reloading and "MONOTONIC_USEC=" in reloading[0], reload

    assert daemon.stop() == 0
    assert any(d.startswith("STOPPING=1") for d in receive_datagrams(sock, "STOPPING=1"))
    sock.close()


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read()


def scrape(base):
    status, content_type, body = get(base + "/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=0.0.4"), (status, content_type)
    samples = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def scrape_until(base, done, what):
    """Scrapes /metrics until `done(samples)` holds (the loop copies its counters every 200 ms)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        samples = scrape(base)
        if done(samples):
            return samples
        assert time.monotonic() < deadline, f"{what} never showed in /metrics: {samples}"
        time.sleep(0.05)


def test_metrics_health_and_lookups_over_http(start_daemon, connect):
    daemon = start_daemon()
    base = daemon.admin_url()
    bus = connect(daemon)
    assert get(base + "/readyz")[0] == 200
    assert get(base + "/healthz")[0] == 200

    bus.push.send_multipart([b"orders", order("o-1", "c-http", "2026-03-01T10:00:00Z", 20000)])
    bus.push.send_multipart([b"orders", b"{not json"])
    bus.receive_n(2)  # the buyer enter and the dead letter

    # The loop copies its counters into the metrics every 200 ms: scrape until they show, bounded.
    deadline = time.monotonic() + TIMEOUT
    while True:
        samples = scrape(base)
        if samples.get(("segd_events_rejected_total", (("reason", "malformed_json"),))) == 1:
            break
        assert time.monotonic() < deadline, f"the rejected event never showed in /metrics: {samples}"
        time.sleep(0.05)
    handshakes = len(bus.handshake_inbound)  # dead-lettered probes on an unknown topic
    assert samples[("segd_events_received_total", (("topic", "orders"),))] == 1
    assert samples[("segd_events_received_total", (("topic", "clicks"),))] == 0
    assert samples[("segd_events_rejected_total", (("reason", "unknown_topic"),))] == handshakes
    assert samples[("segd_customers", ())] == 1
    assert samples[("segd_segment_members", (("segment", "buyer"),))] == 1
    assert samples[("segd_alerts_published_total", (("topic_family", "segment_enter"),))] == 1
    assert samples[("segd_alerts_published_total", (("topic_family", "deadletter"),))] == handshakes + 1
    assert samples[("segd_processing_seconds_count", ())] >= 1

    status, content_type, body = get(base + "/v1/customers/c-http")
    assert status == 200 and content_type.startswith("application/json")
    profile = json.loads(body)
    assert profile["customer_id"] == "c-http" and profile["features"]["orders_total"] == 1
    assert "buyer" in profile["segments"]
    assert get(base + "/v1/customers/nobody")[0] == 404
    segments = json.loads(get(base + "/v1/segments")[2])
    assert {"name": "buyer", "members": 1} in segments["segments"] and segments["customers"] == 1
    assert get(base + "/nothing")[0] == 404
    bus.close()
    assert daemon.stop() == 0


def test_past_dedup_max_ids_the_oldest_ids_are_forgotten_counted_and_warned_of_once(start_daemon, connect):
    daemon = start_daemon(dedup_max_ids=2)
    base = daemon.admin_url()
    bus = connect(daemon)
    for n in range(3):
        bus.push.send_multipart([b"clicks", click(f"k-{n}", "c-dedup", f"2026-03-01T10:00:0{n}Z")])
    # Retries stamped when resent, so none is late: the newest id is still remembered, the oldest is not.
    bus.push.send_multipart([b"clicks", click("k-2", "c-dedup", "2026-03-01T10:00:03Z")])
    bus.push.send_multipart([b"clicks", click("k-0", "c-dedup", "2026-03-01T10:00:03Z")])
    clicks = ("segd_events_received_total", (("topic", "clicks"),))
    samples = scrape_until(base, lambda s: s.get(clicks) == 4, "four accepted clicks")
    assert samples[("segd_events_rejected_total", (("reason", "duplicate"),))] == 1
    assert samples[("segd_dedup_ids", ())] == 2
    assert samples[("segd_dedup_forgotten_early_total", ())] == 2
    daemon.wait_for_stderr("dedup_max_ids reached")

    bus.push.send_multipart([b"clicks", click("k-3", "c-dedup", "2026-03-01T10:00:04Z")])
    scrape_until(base, lambda s: s.get(("segd_dedup_forgotten_early_total", ())) == 3, "a third id forgotten early")
    bus.close()
    assert daemon.stop() == 0
    assert daemon.stderr.count("dedup_max_ids reached") == 1, daemon.stderr


GAPS = "segd_producer_sequence_gaps_total"
RESETS = "segd_producer_sequence_resets_total"
EVICTED = "segd_producers_evicted_total"


def test_a_pub_producers_lost_messages_are_counted_from_its_sequence_numbers(tmp_path, start_daemon, connect, zmq_context):
    daemon = start_daemon()
    base = daemon.admin_url()
    bus = connect(daemon)
    producer = bus.connect_producer()  # a real PUB; its handshake clicks carry no stamp
    ts = "2026-03-01T10:00:00Z"
    numbers = iter(range(1_000_000))

    def send(topic, make, *args, **stamp):
        producer.send_multipart([topic, make(f"e-{next(numbers)}", "c-gaps", ts, *args, **stamp)])

    # web-1 numbers clicks 1…10 and loses 6 and 7 on the way: 2 gaps.
    for seq in [1, 2, 3, 4, 5, 8, 9, 10]:
        send(b"clicks", click, producer_id="web-1", producer_seq=seq)
    # shop loses 102…104 (3 gaps), restarts from 0 (a reset, no gap), then loses 2 (1 gap). Its
    # order in EUR is dead-lettered as `currency` but did arrive: no gap before it.
    for seq in [100, 101, 105, 0, 1, 3]:
        send(b"orders", order, 2999, producer_id="shop", producer_seq=seq)
    send(b"orders", order, 2999, currency="EUR", producer_id="shop", producer_seq=4)
    send(b"orders.eu", order, 2999, producer_id="shop", producer_seq=5)
    # Unstamped events are not tracked; half a stamp is refused (and tracks nothing).
    send(b"clicks", click)
    send(b"clicks", click, producer_id="web-1")

    samples = scrape_until(base, lambda s: s.get(("segd_events_rejected_total", (("reason", "missing_field"),))) == 1,
                           "the last message")
    assert samples[("segd_events_rejected_total", (("reason", "currency"),))] == 1
    assert (samples[(GAPS, ())], samples[(RESETS, ())], samples[(EVICTED, ())]) == (6, 1, 0)
    producer.close(linger=0)
    bus.close()
    assert daemon.stop() == 0

    # Transport-level: not journaled, so a restart (which replays the journal) starts with an empty
    # table; web-1's next number is its first again and counts no gap although 11…19 never came.
    restarted = Daemon(tmp_path, daemon.config).start()
    try:
        assert "state recovered" in restarted.stderr
        # An XPUB is a PUB on the wire that also shows when the daemon's subscription has arrived.
        producer = zmq_context.socket(zmq.XPUB)
        producer.connect(restarted.endpoint("sub"))
        assert producer.poll(int(TIMEOUT * 1000)) and producer.recv().startswith(b"\x01")
        send(b"clicks", click, producer_id="web-1", producer_seq=20)
        send(b"clicks", click, producer_id="web-1", producer_seq=22)
        send(b"clicks", click, producer_id="web-1")
        # The engine's counters are restored with its state (1 missing_field before the stop).
        samples = scrape_until(restarted.admin_url(),
                               lambda s: s.get(("segd_events_rejected_total", (("reason", "missing_field"),))) == 2,
                               "the last message after the restart")
        assert (samples[(GAPS, ())], samples[(RESETS, ())]) == (1, 0)
        producer.close(linger=0)
        assert restarted.stop() == 0
    finally:
        restarted.kill()


def test_a_stuck_subscriber_is_counted_while_one_that_reads_misses_nothing(start_daemon, connect, zmq_context):
    """What is provable, whatever the kernel's buffer sizes: a subscriber that keeps up gets every
    message with no gap while another is stuck (NODROP does not make it lose); the stuck one's
    full queue is counted; and it missed at least as many messages as were counted (the count is
    a lower bound: libzmq stops offering a full subscriber messages without telling segd). The
    exact count depends on socket buffers and libzmq's low-water mark, so it is not asserted."""
    size = 60_000
    daemon = start_daemon(send_hwm=2, deadletter_payload_bytes=size + 100)
    base = daemon.admin_url()
    fast = connect(daemon)  # a SUB that reads everything; receive() fails on any seq gap
    stuck = zmq_context.socket(zmq.SUB)
    stuck.setsockopt(zmq.RCVHWM, 1)
    stuck.setsockopt(zmq.SUBSCRIBE, b"deadletter")
    stuck.connect(daemon.endpoint("pub"))
    dropped = ("segd_outbound_dropped_total", (("topic_family", "deadletter"),))

    # One big dead letter at a time, each received by the fast subscriber before the next is
    # sent, so its queue never holds more than one; the stuck one fills: its socket buffer (an ipc
    # socket's send buffer, at most wmem_max) and then its queues of 2 and 1 messages.
    wmem_max = int(open("/proc/sys/net/core/wmem_max").read())
    rounds = wmem_max // size + 64
    for number in range(rounds):
        payload = b'{"n":' + str(number).encode() + b',"pad":"' + b"x" * size
        fast.push.send_multipart([b"orders", payload])
        message = fast.receive()
        assert (message.body["reason"], message.body["payload"].encode()) == ("malformed_json", payload)
        if number % 4 == 3 and scrape(base).get(dropped, 0) > 0:
            break
    else:
        pytest.fail(f"no outbound drop counted after {rounds} messages of {size} bytes")
    samples = scrape(base)
    counted = samples[dropped]
    assert all(value == 0 for (name, labels), value in samples.items()
               if name == "segd_outbound_dropped_total" and labels != dropped[1]), samples

    # The stuck subscriber reads at last: what it holds, then markers until one comes through.
    seqs = []
    deadline = time.monotonic() + TIMEOUT
    while True:
        assert time.monotonic() < deadline, "the stuck subscriber never caught up"
        fast.push.send_multipart([b"marker", b"marker"])
        assert fast.receive().body["payload"] == "marker"
        while stuck.poll(0):
            body = json.loads(stuck.recv_multipart()[1])
            seqs.append(body["seq"])
        if seqs and body["payload"] == "marker":
            break
    missed = set(range(seqs[0], seqs[-1])) - set(seqs)
    assert counted >= 1 and len(missed) >= counted, (counted, sorted(missed))
    stuck.close(linger=0)
    fast.close()
    assert daemon.stop() == 0


UNIT = REPO / "deploy" / "segd.service"
INSTALLED_BINARY = "/usr/local/bin/segd"


def verify_unit(directory, text):
    """Runs `systemd-analyze verify` on `text` written as directory/segd.service; returns its exit
    status and the stderr lines about that unit (lines about units of the host are not ours)."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: scripts/install-deps.sh --with-python installs it (Debian package systemd)"
    unit = directory / "segd.service"
    unit.write_text(text)
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    return result.returncode, [line for line in result.stderr.splitlines() if "segd.service" in line]


def unit_with_built_binary():
    """deploy/segd.service with ExecStart pointing at the binary under test instead of /usr/local/bin."""
    text = UNIT.read_text()
    assert text.count(f"ExecStart={INSTALLED_BINARY} ") == 1, "the unit's ExecStart changed: update this test"
    assert " " not in SEGD_BIN, f"{SEGD_BIN} would need quoting in ExecStart="
    return text.replace(f"ExecStart={INSTALLED_BINARY} ", f"ExecStart={SEGD_BIN} ")


def test_the_shipped_unit_passes_systemd_analyze_verify(tmp_path):
    status, about_unit = verify_unit(tmp_path, unit_with_built_binary())
    assert (status, about_unit) == (0, []), about_unit


def test_systemd_analyze_verify_reports_what_is_wrong_with_a_unit(tmp_path):
    # The check above would pass vacuously if verify ignored the file or the filter hid its warnings.
    text = unit_with_built_binary()
    status, about_unit = verify_unit(tmp_path, text.replace("\nWatchdogSec=", "\nWatchdogSecs=", 1))
    assert status == 0 and any("Unknown key" in line and "WatchdogSecs" in line for line in about_unit), about_unit
    status, about_unit = verify_unit(tmp_path, text.replace(f"ExecStart={SEGD_BIN} ", "ExecStart=/nonexistent/segd ", 1))
    assert status != 0 and any("/nonexistent/segd" in line for line in about_unit), about_unit
