"""Shared fixtures for segd's end-to-end tests.

Everything here talks to the real `segd` binary (SEGD_BIN, default .build/debug/segd) over real
ZeroMQ sockets and real files. Nothing sleeps to wait for the daemon: readiness is the "ready"
log line, and the PUB/SUB slow joiner is handled by a handshake — push a deliberately bad message
until its dead letter arrives, then drain — so every later message can be accounted for by seq.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import zmq
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
SEGD_BIN = os.path.abspath(os.environ.get("SEGD_BIN", str(REPO / ".build" / "debug" / "segd")))

# Every wait in the suite is bounded by this.
TIMEOUT = 10.0

# One segment set for every test config: it reads every measure and window kind, refers to
# another segment, and has features that can be null (avg/min of no reviews).
SEGMENTS = [
    ("buyer", "orders_7d >= 1"),
    ("big_spender", "spend_90d >= 500"),
    ("vip", "segment(big_spender) and orders_total >= 2"),
    ("browser", "clicks_24h >= 3"),
    ("open_cart", "carts_24h >= 1 and orders_24h == 0"),
    ("window_shopper", "clicks_7d >= 10 and orders_30d == 0"),
    ("unhappy", "min_rating_30d <= 2"),
    ("promoter", "reviews_90d >= 2 and avg_rating_90d >= 4.5"),
    ("bulk_buyer", "items_30d >= 5 or avg_rating_7d >= 5"),
]


# --------------------------------------------------------------------------------------------
# Running the binary
# --------------------------------------------------------------------------------------------

def popen_segd(args, **kwargs) -> subprocess.Popen:
    """Starts `segd ARGS` (the binary `make test` built)."""
    if not (os.path.isfile(SEGD_BIN) and os.access(SEGD_BIN, os.X_OK)):
        pytest.fail(f"no segd binary at {SEGD_BIN}: build it first (make test does) or set SEGD_BIN")
    return subprocess.Popen([SEGD_BIN, *map(str, args)], **kwargs)


def run_segd(*args, cwd=None, timeout=120, check=True) -> subprocess.CompletedProcess:
    """Runs a one-shot segd subcommand and returns its result (bytes)."""
    proc = popen_segd(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"segd {' '.join(map(str, args))} did not finish in {timeout} s; stderr: {err.decode()}")
    result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    if check and result.returncode != 0:
        pytest.fail(f"segd {' '.join(map(str, args))} exited {result.returncode}; stderr:\n{err.decode()}")
    return result


@dataclass
class ReplayResult:
    summary: dict
    summary_bytes: bytes
    emitted: bytes

    @property
    def messages(self) -> list[tuple[str, bytes, dict]]:
        return parse_message_lines(self.emitted)


def parse_message_lines(data: bytes) -> list[tuple[str, bytes, dict]]:
    """Splits file-form messages (`topic<TAB>json` per line) into (topic, json bytes, object)."""
    messages = []
    for line in data.split(b"\n"):
        if not line:
            continue
        topic, _, payload = line.partition(b"\t")
        messages.append((topic.decode(), payload, json.loads(payload)))
    return messages


# --------------------------------------------------------------------------------------------
# Configs
# --------------------------------------------------------------------------------------------

def ipc_endpoint(directory: Path, name: str) -> str:
    path = directory / name
    assert len(str(path)) < 100, f"{path} is too long for an ipc socket path (sun_path is 108 bytes)"
    return f"ipc://{path}"


def toml_list(values) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def config_text(
    *,
    directory: Path,
    sub_bind=None,
    pull_bind=None,
    publish_bind=None,
    allowed_lateness="0s",
    idle_advance="1h",
    max_message_bytes=65536,
    deadletter_payload_bytes=4096,
    send_hwm=None,
    segments=SEGMENTS,
    state_directory=None,
    fsync="interval",
    snapshot_interval="5m",
    dedup_max_ids=None,
) -> str:
    """A complete config; the endpoints default to ipc sockets named sub, pull and pub in `directory`,
    and the state to `directory`/state (durability on, as shipped)."""
    sub_bind = sub_bind or [ipc_endpoint(directory, "sub")]
    pull_bind = pull_bind or [ipc_endpoint(directory, "pull")]
    publish_bind = publish_bind or [ipc_endpoint(directory, "pub")]
    lines = [
        "[ingest]",
        f"sub_bind = {toml_list(sub_bind)}",
        f"pull_bind = {toml_list(pull_bind)}",
        'topics = ["clicks", "orders", "reviews"]',
        f"max_message_bytes = {max_message_bytes}",
        "",
        "[publish]",
        f"bind = {toml_list(publish_bind)}",
        f"deadletter_payload_bytes = {deadletter_payload_bytes}",
        *([f"send_hwm = {send_hwm}"] if send_hwm is not None else []),
        "",
        "[engine]",
        'currency = "USD"',
        'windows = ["24h", "7d", "30d", "90d"]',
        f'allowed_lateness = "{allowed_lateness}"',
        f'idle_advance = "{idle_advance}"',
        *([f"dedup_max_ids = {dedup_max_ids}"] if dedup_max_ids is not None else []),
        "",
        "[admin]",
        "port = 0",
        "",
        "[log]",
        'level = "info"',
        "",
        "[durability]",
        f"directory = {json.dumps(str(state_directory or directory / 'state'))}",
        f'fsync = "{fsync}"',
        f'snapshot_interval = "{snapshot_interval}"',
    ]
    for name, rule in segments:
        lines += ["", "[[segment]]", f'name = "{name}"', f"rule = {json.dumps(rule)}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def write_config(tmp_path):
    """Writes a config into the test's directory and returns its path."""
    def write(name="segd.toml", text=None, **options) -> Path:
        path = tmp_path / name
        # Each config its own state, so daemons a test starts one after another start empty.
        options.setdefault("state_directory", tmp_path / f"{path.stem}-state")
        path.write_text(text if text is not None else config_text(directory=tmp_path, **options))
        return path
    return write


@pytest.fixture
def replay(tmp_path):
    """Runs `segd replay` and returns the parsed summary and the emitted bytes."""
    counter = iter(range(1_000_000))

    def run(config: Path, events: Path, *, until=None, profiles: Path | None = None) -> ReplayResult:
        emit = tmp_path / f"emitted-{next(counter)}.txt"
        args = ["replay", "--config", config, "--input", events, "--emit", emit]
        if until is not None:
            args += ["--until", until]
        if profiles is not None:
            args += ["--profiles", profiles]
        result = run_segd(*args, cwd=tmp_path)
        return ReplayResult(json.loads(result.stdout), result.stdout, emit.read_bytes())
    return run


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------

class Schemas:
    """Draft 2020-12 validators for every schema in schemas/, with `$ref`s resolved offline."""

    def __init__(self, directory: Path):
        documents = {p.name: json.loads(p.read_text()) for p in sorted(directory.glob("*.schema.json"))}
        self.registry = Registry().with_resources(
            (doc["$id"], Resource.from_contents(doc)) for doc in documents.values())
        self.validators = {}
        for name, doc in documents.items():
            Draft202012Validator.check_schema(doc)
            self.validators[name.removesuffix(".schema.json")] = Draft202012Validator(
                doc, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER)

    def errors(self, name: str, instance) -> list[str]:
        return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                for e in self.validators[name].iter_errors(instance)]

    def check_outbound(self, topic: str, message: dict) -> None:
        """Asserts that one outbound message matches its schema and that its topic agrees with it."""
        if topic == "deadletter":
            errors = self.errors("deadletter", message)
        elif topic in ("churn.risk", "churn.recovered"):
            errors = self.errors("churn", message)
            assert message.get("type") == topic.split(".")[1], (topic, message)
        else:
            match = re.fullmatch(r"segment\.([a-z][a-z0-9_]*)\.(enter|exit)", topic)
            assert match, f"unexpected outbound topic {topic!r}"
            errors = self.errors("segment", message)
            assert (message.get("segment"), message.get("type")) == match.groups(), (topic, message)
        assert not errors, f"{topic} message {message} violates its schema: {errors}"

    def check_inbound(self, topic: str, event: dict) -> None:
        name = {"clicks": "click", "orders": "order", "reviews": "review"}[topic.split(".")[0]]
        errors = self.errors(name, event)
        assert not errors, f"{topic} event {event} violates its schema: {errors}"


@pytest.fixture(scope="session")
def schemas() -> Schemas:
    found = Schemas(SCHEMAS)
    # The validator must really check formats and $refs, or every later "valid" means nothing.
    assert "date-time" in Draft202012Validator.FORMAT_CHECKER.checkers
    assert found.errors("segment", {"seq": 1, "type": "enter", "segment": "a", "customer_id": "c",
                                    "ts": "2026-02-30T00:00:00.000Z", "cause": "timer", "features": {}})
    assert found.errors("order", {"event_id": "has space", "customer_id": "c", "ts": 0, "amount": 1,
                                  "currency": "USD"})
    return found


# --------------------------------------------------------------------------------------------
# The daemon
# --------------------------------------------------------------------------------------------

class Daemon:
    """A `segd run` process whose default ipc endpoints are in `directory`."""

    def __init__(self, directory: Path, config: Path, env: dict | None = None):
        self.directory = directory
        self.config = config
        self.env = env
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self._ready = threading.Event()  # set on the "ready" line, or at end of stderr
        self.ready_logged = False
        self._output = threading.Condition()
        self.proc: subprocess.Popen | None = None
        self._threads: list[threading.Thread] = []

    def start(self) -> "Daemon":
        self.proc = popen_segd(["run", "--config", self.config], cwd=self.directory,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, **(self.env or {})})
        self._threads = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout_lines, False), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr_lines, True), daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        if not self._ready.wait(TIMEOUT) or not self.ready_logged or self.proc.poll() is not None:
            self.kill()
            pytest.fail(f"segd did not log 'ready' within {TIMEOUT} s (exit {self.proc.returncode}); "
                        f"stderr:\n{self.stderr}")
        return self

    def _read(self, stream, sink: list[str], watch_ready: bool) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode(errors="replace").rstrip("\n")
            with self._output:
                sink.append(line)
                self._output.notify_all()
            if watch_ready and re.search(r"\bsegd: ready\b", line):
                self.ready_logged = True
                self._ready.set()
        stream.close()
        if watch_ready:
            self._ready.set()  # end of stderr: stop waiting, start() checks whether it exited

    def wait_for_stdout(self, pattern: str, timeout=TIMEOUT) -> str:
        """Waits (bounded) until stdout has a line matching `pattern`; returns all of stdout."""
        return self._wait_for(self.stdout_lines, "stdout", pattern, timeout)

    def wait_for_stderr(self, pattern: str, timeout=TIMEOUT) -> str:
        """Waits (bounded) until stderr has a line matching `pattern`; returns all of stderr."""
        return self._wait_for(self.stderr_lines, "stderr", pattern, timeout)

    def _wait_for(self, lines: list[str], name: str, pattern: str, timeout: float) -> str:
        with self._output:
            found = self._output.wait_for(lambda: any(re.search(pattern, line) for line in lines), timeout)
            text = "\n".join(lines)
        assert found, f"no {name} line matching {pattern!r} within {timeout} s; {name}:\n{text}"
        return text

    def admin_url(self) -> str:
        """The admin listener's base URL, from the `admin:` line segd prints once it is bound."""
        text = self.wait_for_stdout(r"^admin: +http://")
        return re.search(r"^admin: +(http://[^/\s]+)", text, re.M).group(1)

    @property
    def stderr(self) -> str:
        return "\n".join(self.stderr_lines)

    def endpoint(self, name: str) -> str:
        """The ipc endpoint `name` (sub, pull or pub) the daemon binds by default."""
        return ipc_endpoint(self.directory, name)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=5.0) -> int:
        """Sends `sig` and returns the exit status; fails the test if it takes longer than `timeout`."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"segd did not exit within {timeout} s of {sig.name}; stderr:\n{self.stderr}")
        for thread in self._threads:
            thread.join(TIMEOUT)
        return status

    def kill(self) -> None:
        if self.alive:
            self.proc.kill()
            self.proc.wait(TIMEOUT)


@pytest.fixture
def start_daemon(tmp_path, write_config):
    """Starts `segd run` with a config written from `config_text(**options)`; stops it afterwards."""
    started: list[Daemon] = []

    def start(env: dict | None = None, **options) -> Daemon:
        config = write_config(f"segd-{len(started)}.toml", **options)
        daemon = Daemon(tmp_path, config, env)
        started.append(daemon)
        return daemon.start()

    yield start
    for daemon in started:
        if daemon.alive:
            daemon.stop()


@pytest.fixture
def zmq_context():
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


# --------------------------------------------------------------------------------------------
# Talking to the daemon
# --------------------------------------------------------------------------------------------

@dataclass
class Outbound:
    topic: str
    raw: bytes
    body: dict

    @property
    def line(self) -> bytes:
        """The message in file form, as `segd replay --emit` writes it."""
        return self.topic.encode() + b"\t" + self.raw


@dataclass
class Bus:
    """A test's connections to one daemon: a SUB on its PUB, a PUSH on its PULL, optional PUBs on
    its SUB. Every received message is schema-checked and must carry the next seq: the handshake
    accounts for everything before the first message received, so a gap anywhere fails."""

    context: zmq.Context
    daemon: Daemon
    schemas: Schemas
    sub_endpoint: str
    pull_endpoint: str
    producer_endpoint: str
    received: list[Outbound] = field(default_factory=list)
    # Every inbound message the daemon processed for the handshakes, in order, as (topic, payload).
    handshake_inbound: list[tuple[bytes, bytes]] = field(default_factory=list)
    last_seq: int = 0

    def __post_init__(self):
        self.sub = self.context.socket(zmq.SUB)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.sub.connect(self.sub_endpoint)
        self.push = self.context.socket(zmq.PUSH)
        self.push.connect(self.pull_endpoint)

    # -- receiving -------------------------------------------------------------------------

    def receive(self, timeout=TIMEOUT) -> Outbound:
        if not self.sub.poll(int(timeout * 1000)):
            pytest.fail(f"no outbound message within {timeout} s (last seq {self.last_seq}); "
                        f"daemon alive: {self.daemon.alive}; stderr:\n{self.daemon.stderr}")
        frames = self.sub.recv_multipart()
        assert len(frames) == 2, f"outbound message must have 2 frames, got {frames!r}"
        topic, raw = frames[0].decode(), frames[1]
        body = json.loads(raw)
        self.schemas.check_outbound(topic, body)
        assert body["seq"] == self.last_seq + 1, (
            f"seq gap or reorder: expected {self.last_seq + 1}, got {body['seq']} in {topic} {body}")
        self.last_seq = body["seq"]
        message = Outbound(topic, raw, body)
        self.received.append(message)
        return message

    def receive_n(self, count: int) -> list[Outbound]:
        return [self.receive() for _ in range(count)]

    def expect_nothing_more(self) -> None:
        """Proves nothing else was published: a marker pushed now must be the very next message."""
        marker = f"marker-{self.last_seq}".encode()
        self.push.send_multipart([b"marker", marker])
        message = self.receive()
        assert (message.topic, message.body["reason"], message.body["payload"]) == (
            "deadletter", "unknown_topic", marker.decode()), f"unexpected message {message}"

    # -- handshakes ------------------------------------------------------------------------

    def _handshake(self, send, make_payload):
        """Sends bad messages until the first dead letter of one arrives, then drains up to the
        dead letter of the last one sent. Returns (dead letters received, payloads sent, index of
        the first one received, how many seqs were used before it)."""
        first_seq = self.last_seq
        sent: list[bytes] = []
        deadline = time.monotonic() + TIMEOUT
        while True:
            payload = make_payload(len(sent))
            send(payload)
            sent.append(payload)
            if self.sub.poll(50):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"handshake: no dead letter within {TIMEOUT} s; stderr:\n{self.daemon.stderr}")
        # Until the first dead letter arrives, we cannot know its seq: take it outside receive().
        frames = self.sub.recv_multipart()
        first = json.loads(frames[1])
        self.schemas.check_outbound(frames[0].decode(), first)
        index = sent.index(first["payload"].encode())
        processed_before = first["seq"] - first_seq - 1
        self.last_seq = first["seq"]
        received = [Outbound(frames[0].decode(), frames[1], first)]
        self.received.append(received[0])
        while received[-1].body.get("payload", "").encode() != sent[-1]:
            received.append(self.receive())
        payloads = [m.body["payload"].encode() for m in received]
        assert all(m.topic == "deadletter" for m in received), received
        assert payloads == sent[index:], f"handshake dead letters out of order: {payloads} vs {sent[index:]}"
        return received, sent, index, processed_before

    def handshake(self) -> list[Outbound]:
        """Makes sure our SUB receives everything from now on (PUB/SUB slow joiner): PUSHes
        unknown-topic messages until one comes back as a dead letter. PUSH loses nothing, so every
        one sent was processed, and the first one received tells where seq started."""
        received, sent, index, processed_before = self._handshake(
            lambda p: self.push.send_multipart([b"handshake", p]), lambda i: f"push-{i}".encode())
        # Every message the daemon published before our subscription was a handshake dead letter.
        assert processed_before == index, (
            f"the first handshake dead letter received (#{index}) has seq {received[0].body['seq']}: "
            f"seq must start at 1 and count every outbound message")
        self.handshake_inbound += [(b"handshake", p) for p in sent]
        return received

    def connect_producer(self) -> zmq.Socket:
        """Connects a PUB producer to the daemon's SUB bind and waits until the daemon's
        subscription has reached it: publishes malformed clicks until their dead letters arrive.
        Messages dropped before that consumed no seq; after it, none are dropped."""
        assert self.last_seq > 0, "call handshake() first so the SUB side is known to be live"
        publisher = self.context.socket(zmq.PUB)
        publisher.connect(self.producer_endpoint)
        received, sent, index, processed_before = self._handshake(
            lambda p: publisher.send_multipart([b"clicks", p]), lambda i: f"pub-handshake-{i}".encode())
        assert processed_before == 0, "messages dropped before the subscription must not use a seq"
        assert all(m.body["reason"] == "malformed_json" for m in received), received
        return publisher

    def close(self) -> None:
        for sock in (self.sub, self.push):
            sock.close(linger=0)


@pytest.fixture
def connect(zmq_context, schemas):
    """Connects a Bus to a started daemon (ipc endpoints named sub, pull, pub) and handshakes."""
    buses: list[Bus] = []

    def make(daemon: Daemon, *, pub=None, pull=None, sub=None, handshake=True) -> Bus:
        bus = Bus(zmq_context, daemon, schemas,
                  sub_endpoint=pub or daemon.endpoint("pub"),
                  pull_endpoint=pull or daemon.endpoint("pull"),
                  producer_endpoint=sub or daemon.endpoint("sub"))
        buses.append(bus)
        if handshake:
            bus.handshake()
        return bus

    yield make
    for bus in buses:
        bus.close()


def free_tcp_ports(count: int) -> list[int]:
    """Ports the kernel just handed out on 127.0.0.1 and that are free again."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------

def order(event_id, customer, ts, amount, currency="USD", **extra) -> bytes:
    return json.dumps({"event_id": event_id, "customer_id": customer, "ts": ts, "amount": amount,
                       "currency": currency, **extra}, separators=(",", ":")).encode()


def click(event_id, customer, ts, action="view", **extra) -> bytes:
    return json.dumps({"event_id": event_id, "customer_id": customer, "ts": ts, "action": action, **extra},
                      separators=(",", ":")).encode()


def review(event_id, customer, ts, rating, **extra) -> bytes:
    return json.dumps({"event_id": event_id, "customer_id": customer, "ts": ts, "rating": rating, **extra},
                      separators=(",", ":")).encode()


@pytest.fixture(scope="session")
def generated_20k(tmp_path_factory) -> Path:
    """20,000 synthetic events from `segd generate`, shared by the replay tests."""
    path = tmp_path_factory.mktemp("generated") / "events-20k.txt"
    run_segd("generate", "--events", 20000, "--customers", 500, "--seed", 11, "-o", path)
    return path


def epoch_ms(text: str) -> int:
    """Epoch milliseconds of an RFC 3339 UTC time such as 2026-03-01T10:00:00.250Z."""
    from datetime import datetime, timedelta, timezone
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(milliseconds=1)


def rfc3339_ms(milliseconds: int) -> str:
    """The outbound form of an event time: RFC 3339 UTC with exactly three fractional digits."""
    from datetime import datetime, timezone
    moment = datetime.fromtimestamp(milliseconds / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{milliseconds % 1000:03d}Z"


def event_time(value) -> int:
    """An inbound `ts` (RFC 3339 string or epoch ms) in epoch milliseconds."""
    return value if isinstance(value, int) else epoch_ms(value)
