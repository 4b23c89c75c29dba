"""An independent reference implementation of segd's segment definitions.

Written from the README ("Features, windows and rules", "Time", the feature tables, "Families")
and docs/configuration.md only, never from the Swift sources, so that `test_reference_engine.py`
can compare the real daemon with what the documentation says it computes.

Scope: inbound events are assumed schema-valid (no decoder); what is modelled is the engine:
the clock and lateness, `late` and `duplicate` refusal, every measure over hour/day windows and the
lifetime, the history features, the rule language, families, and — per customer — the sequence
of enter/exit alerts (event- and timer-caused) as the global clock advances. RFM scores are not
modelled (they are null when no rule reads them).
"""

from __future__ import annotations

import bisect
import heapq
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timezone

NaN = float("nan")
MINUTE = 60_000
HOUR = 3_600_000
DAY = 86_400_000
SESSION_GAP = 30 * MINUTE

MEASURES = ["clicks", "sessions", "carts", "orders", "spend", "items", "reviews", "avg_rating",
            "min_rating", "aov", "conversion", "active_days"]
HISTORY = ["days_since_last_seen", "days_since_last_order", "days_since_first_order", "tenure_days",
           "purchase_days_total", "interpurchase_days", "last_gap_days", "hours_since_last_cart",
           "cart_open"]
RFM = ["r_score", "f_score", "m_score", "fm_score"]
# Time-growing history features: (anchor attribute of CustomerState, unit).
GROWING = {
    "days_since_last_seen": ("last_seen", DAY),
    "days_since_last_order": ("last_order", DAY),
    "days_since_first_order": ("first_order", DAY),
    "tenure_days": ("first_seen", DAY),
    "hours_since_last_cart": ("last_cart", HOUR),
}


# --------------------------------------------------------------------------------------------
# Time and durations
# --------------------------------------------------------------------------------------------

def parse_duration(text: str) -> int:
    """`250ms`, `30s`, `5m`, `2h`, `7d` in milliseconds."""
    m = re.fullmatch(r"(\d+)(ms|s|m|h|d)", text.strip())
    if not m:
        raise ValueError(f"bad duration {text!r}")
    return int(m.group(1)) * {"ms": 1, "s": 1000, "m": MINUTE, "h": HOUR, "d": DAY}[m.group(2)]


def parse_ts(value) -> int:
    """An inbound `ts`: integer epoch ms, or RFC 3339 UTC with up to 9 fraction digits (truncated to ms)."""
    if isinstance(value, bool):
        raise ValueError("bool ts")
    if isinstance(value, (int, float)):
        return int(value)
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z", value)
    if not m:
        raise ValueError(f"bad ts {value!r}")
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    frac = (m.group(7) or "").ljust(3, "0")[:3]
    base = datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)
    return int(base.timestamp()) * 1000 + int(frac)


def fmt_ts(ms: int) -> str:
    moment = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


# --------------------------------------------------------------------------------------------
# The rule language
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\d+\.\d*|\.\d+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|==|!=|<|>|\+|-|\*|/|\(|\)|\[|\]|,))")
_KEYWORDS = {"and", "or", "not", "between", "in", "true", "false", "segment"}


def _tokenize(text: str):
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise SyntaxError(f"bad character at {pos} in {text!r}")
        pos = m.end()
        num, name, op = m.groups()
        if num is not None:
            tokens.append(("num", float(num)))
        elif name is not None:
            tokens.append(("kw", name) if name in _KEYWORDS else ("name", name))
        else:
            tokens.append(("op", op))
    tokens.append(("end", None))
    return tokens


class _Parser:
    """Precedence, lowest first: or, and, not, comparison/between/in, + -, * /, unary -, primary."""

    def __init__(self, text):
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self, k=0):
        return self.tokens[self.i + k]

    def take(self, kind=None, value=None):
        tok = self.tokens[self.i]
        if (kind and tok[0] != kind) or (value is not None and tok[1] != value):
            raise SyntaxError(f"expected {value or kind}, got {tok}")
        self.i += 1
        return tok

    def at(self, kind, value=None):
        tok = self.peek()
        return tok[0] == kind and (value is None or tok[1] == value)

    def parse(self):
        node = self.or_()
        self.take("end")
        return node

    def or_(self):
        node = self.and_()
        while self.at("kw", "or"):
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self):
        node = self.not_()
        while self.at("kw", "and"):
            self.take()
            node = ("and", node, self.not_())
        return node

    def not_(self):
        if self.at("kw", "not"):
            self.take()
            return ("not", self.not_())
        return self.comparison()

    def comparison(self):
        left = self.additive()
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ("<", "<=", ">", ">=", "==", "!="):
            self.take()
            return ("cmp", tok[1], left, self.additive())
        if self.at("kw", "between"):
            self.take()
            low = self.additive()
            self.take("kw", "and")
            return ("between", left, low, self.additive())
        if self.at("kw", "in") or (self.at("kw", "not") and self.peek(1) == ("kw", "in")):
            negated = self.at("kw", "not")
            if negated:
                self.take()
            self.take("kw", "in")
            self.take("op", "[")
            values = [self.additive()]
            while self.at("op", ","):
                self.take()
                values.append(self.additive())
            self.take("op", "]")
            return ("notin" if negated else "in", left, values)
        return left

    def additive(self):
        node = self.multiplicative()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            op = self.take()[1]
            node = ("arith", op, node, self.multiplicative())
        return node

    def multiplicative(self):
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in "*/":
            op = self.take()[1]
            node = ("arith", op, node, self.unary())
        return node

    def unary(self):
        if self.at("op", "-"):
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self):
        tok = self.take()
        if tok[0] == "num":
            return ("num", tok[1])
        if tok == ("kw", "true"):
            return ("bool", True)
        if tok == ("kw", "false"):
            return ("bool", False)
        if tok == ("kw", "segment"):
            self.take("op", "(")
            name = self.take("name")[1]
            self.take("op", ")")
            return ("segment", name)
        if tok[0] == "name":
            return ("feature", tok[1])
        if tok == ("op", "("):
            node = self.or_()
            self.take("op", ")")
            return node
        raise SyntaxError(f"unexpected {tok}")


def _arith(op, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:  # documented: x / 0 is 0
        return 0.0
    return a / b


def _compare(op, a, b):
    # IEEE semantics are exactly the documented ones: every comparison with NaN is false except !=.
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "==":
        return a == b
    return a != b


class Rule:
    def __init__(self, text: str):
        self.text = text
        self.ast = _Parser(text).parse()
        self.features: list[str] = []   # in order of first appearance
        self.segments: list[str] = []
        self.constants: set[float] = set()
        self.arith_features: set[str] = set()
        self._walk(self.ast, in_arith=False)
        self._compiled = Rule._compile(self.ast)

    def _walk(self, node, in_arith):
        kind = node[0]
        if kind == "feature":
            if node[1] not in self.features:
                self.features.append(node[1])
            if in_arith:
                self.arith_features.add(node[1])
        elif kind == "segment":
            self.segments.append(node[1])
        elif kind == "num":
            self.constants.add(node[1])
        elif kind == "arith":
            self._walk(node[2], True)
            self._walk(node[3], True)
        elif kind == "neg":
            self._walk(node[1], True)
        elif kind in ("or", "and"):
            self._walk(node[1], in_arith)
            self._walk(node[2], in_arith)
        elif kind == "not":
            self._walk(node[1], in_arith)
        elif kind == "cmp":
            self._walk(node[2], in_arith)
            self._walk(node[3], in_arith)
        elif kind == "between":
            for sub in node[1:]:
                self._walk(sub, in_arith)
        elif kind in ("in", "notin"):
            self._walk(node[1], in_arith)
            for sub in node[2]:
                self._walk(sub, in_arith)

    def evaluate(self, feature, member) -> bool:
        return bool(self._compiled(feature, member))

    @staticmethod
    def _compile(node):
        """The AST as nested closures f(feature, member) -> value."""
        kind = node[0]
        c = Rule._compile
        if kind in ("num", "bool"):
            value = node[1]
            return lambda f, m: value
        if kind == "feature":
            name = node[1]
            return lambda f, m: f(name)
        if kind == "segment":
            name = node[1]
            return lambda f, m: m(name)
        if kind == "or":
            a, b = c(node[1]), c(node[2])
            return lambda f, m: bool(a(f, m)) or bool(b(f, m))
        if kind == "and":
            a, b = c(node[1]), c(node[2])
            return lambda f, m: bool(a(f, m)) and bool(b(f, m))
        if kind == "not":
            a = c(node[1])
            return lambda f, m: not a(f, m)
        if kind == "cmp":
            op, a, b = node[1], c(node[2]), c(node[3])
            return lambda f, m: _compare(op, a(f, m), b(f, m))
        if kind == "between":
            x, lo, hi = (c(n) for n in node[1:])
            return lambda f, m: lo(f, m) <= x(f, m) <= hi(f, m)
        if kind in ("in", "notin"):
            x, values, negated = c(node[1]), [c(v) for v in node[2]], kind == "notin"

            def member_of(f, m):
                v = x(f, m)
                return any(v == w(f, m) for w in values) != negated
            return member_of
        if kind == "arith":
            op, a, b = node[1], c(node[2]), c(node[3])
            return lambda f, m: _arith(op, a(f, m), b(f, m))
        if kind == "neg":
            a = c(node[1])
            return lambda f, m: -a(f, m)
        raise ValueError(node)


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------

@dataclass
class Segment:
    name: str
    family: str | None
    rule: Rule


@dataclass
class Config:
    windows: list[tuple[str, int, int]]       # (name, unit ms, N)
    allowed_lateness: int
    dedup_horizon: int
    currency: str
    minor_units: int
    segments: list[Segment]

    @cached_property
    def read_features(self) -> list[str]:
        seen = []
        for s in self.segments:
            for f in s.rule.features:
                if f not in seen:
                    seen.append(f)
        return seen

    @cached_property
    def constants(self) -> set[float]:
        return set().union(*(s.rule.constants for s in self.segments)) if self.segments else set()

    @cached_property
    def arith_features(self) -> set[str]:
        return set().union(*(s.rule.arith_features for s in self.segments)) if self.segments else set()

    @cached_property
    def read_windows(self) -> set[str]:
        return {f.rpartition("_")[2] for f in self.read_features if f not in HISTORY and f not in RFM}

    @cached_property
    def targets(self) -> list[int]:
        """Values of a time-growing feature at which a comparison with a rule constant can change."""
        out = set()
        for c in self.constants:
            out |= {math.floor(c), math.floor(c) + 1, math.ceil(c), math.ceil(c) + 1}
        return sorted(out)

    @cached_property
    def families(self) -> dict[str, list[Segment]]:
        out: dict[str, list[Segment]] = {}
        for s in self.segments:
            if s.family:
                out.setdefault(s.family, []).append(s)
        return out

    @cached_property
    def by_name(self) -> dict[str, Segment]:
        return {s.name: s for s in self.segments}

    def feature_names(self) -> list[str]:
        names = []
        for w, _, _ in self.windows:
            names += [f"{m}_{w}" for m in MEASURES]
        names += [f"{m}_total" for m in MEASURES]
        return names + HISTORY + RFM


def parse_window(text: str) -> tuple[str, int, int]:
    m = re.fullmatch(r"(\d+)([hd])", text)
    n = int(m.group(1))
    return text, (HOUR if m.group(2) == "h" else DAY), n


def load_config(text: str) -> Config:
    doc = tomllib.loads(text)
    engine = doc.get("engine", {})
    return Config(
        windows=[parse_window(w) for w in engine.get("windows", ["24h", "7d", "30d", "90d"])],
        allowed_lateness=parse_duration(engine.get("allowed_lateness", "0s")),
        dedup_horizon=parse_duration(engine.get("dedup_horizon", "24h")),
        currency=engine.get("currency", "USD"),
        minor_units=int(engine.get("minor_units", 100)),
        segments=[Segment(s["name"], s.get("family"), Rule(s["rule"])) for s in doc.get("segment", [])],
    )


# --------------------------------------------------------------------------------------------
# Events and ingest
# --------------------------------------------------------------------------------------------

@dataclass
class Event:
    index: int          # line number (0-based) in the input
    topic: str          # clicks | orders | reviews
    event_id: str
    customer: str
    ts: int
    action: str | None = None
    amount: int = 0
    items: int = 1
    rating: int = 0


def parse_events(data: bytes) -> list[Event]:
    events = []
    for i, raw in enumerate(data.split(b"\n")):
        line = raw.rstrip(b"\r")
        if not line:
            continue
        topic, _, payload = line.decode().partition("\t")
        obj = json.loads(payload)
        base = topic.split(".")[0]
        events.append(Event(i, base, obj["event_id"], obj["customer_id"], parse_ts(obj["ts"]),
                            action=obj.get("action"), amount=int(obj.get("amount", 0)),
                            items=int(obj.get("items", 1)), rating=int(obj.get("rating", 0))))
    return events


@dataclass
class Ingest:
    accepted: list[Event]
    rejected: list[tuple[Event, str]]
    # clock_before[k] / clock_after[k]: the engine clock just before / after accepting accepted[k]
    clock_before: list[int | None]
    clock_after: list[int]
    clock: int | None

    def by_customer(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for k, e in enumerate(self.accepted):
            out.setdefault(e.customer, []).append(k)
        return out


def ingest(events: list[Event], cfg: Config) -> Ingest:
    """Clock = newest accepted event time − allowed_lateness, never backwards. An event behind the
    clock is `late`; an event_id accepted within dedup_horizon (event time behind the clock) is
    `duplicate` (late is checked first). Refused events do not move the clock."""
    clock = None
    remembered: dict[str, int] = {}
    accepted, rejected, before, after = [], [], [], []
    for e in events:
        if clock is not None and e.ts < clock:
            rejected.append((e, "late"))
            continue
        if cfg.dedup_horizon > 0 and e.event_id in remembered and (
                clock is None or remembered[e.event_id] >= clock - cfg.dedup_horizon):
            rejected.append((e, "duplicate"))
            continue
        before.append(clock)
        candidate = e.ts - cfg.allowed_lateness
        clock = candidate if clock is None else max(clock, candidate)
        after.append(clock)
        remembered[e.event_id] = e.ts
        accepted.append(e)
    return Ingest(accepted, rejected, before, after, clock)


# --------------------------------------------------------------------------------------------
# Per-customer state and features
# --------------------------------------------------------------------------------------------

# Per-bucket counters, by position.
CLICKS, SESSIONS, CARTS, ORDERS, CENTS, ITEMS, REVIEWS, RATING_SUM, RATING_MIN = range(9)


def _empty():
    return [0, 0, 0, 0, 0, 0, 0, 0, math.inf]


class CustomerState:
    """Everything applied so far for one customer (events may be later than an evaluation time)."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.events: list[Event] = []
        self._reset()

    def _reset(self):
        self.click_times: list[int] = []
        self.buckets = {HOUR: {}, DAY: {}}          # unit -> bucket index -> counters
        self.keys = {HOUR: [], DAY: []}              # sorted bucket indices
        # cum[unit][j]: counters summed over keys[unit][:j] (additive ones only), kept for appends
        self.cum = {HOUR: [[0] * RATING_MIN], DAY: [[0] * RATING_MIN]}
        self.review_keys = {HOUR: [], DAY: []}       # sorted indices of buckets with a review
        self.total = _empty()
        self.days: set[int] = set()
        self.first_seen = self.last_seen = None
        self.first_order = self.last_order = None
        self.last_cart = None
        self.purchase_days: set[int] = set()

    def apply(self, e: Event):
        in_order = self.last_seen is None or e.ts >= self.last_seen
        self.events.append(e)
        if in_order:
            self._add(e)
        else:  # out of order: session starts of later clicks may change, rebuild in time order
            self._reset()
            for x in sorted(self.events, key=lambda x: x.ts):  # stable: arrival order among equal ts
                self._add(x)

    def _add(self, e: Event):
        a = _empty()
        if e.topic == "clicks":
            a[CLICKS] = 1
            prev = self.click_times[-1] if self.click_times else None
            a[SESSIONS] = 1 if prev is None or e.ts - prev >= SESSION_GAP else 0
            self.click_times.append(e.ts)
            if e.action == "add_to_cart":
                a[CARTS] = 1
                self.last_cart = e.ts if self.last_cart is None else max(self.last_cart, e.ts)
        elif e.topic == "orders":
            a[ORDERS], a[CENTS], a[ITEMS] = 1, e.amount, e.items
            self.first_order = e.ts if self.first_order is None else min(self.first_order, e.ts)
            self.last_order = e.ts if self.last_order is None else max(self.last_order, e.ts)
            self.purchase_days.add(e.ts // DAY)
        elif e.topic == "reviews":
            a[REVIEWS], a[RATING_SUM], a[RATING_MIN] = 1, e.rating, e.rating
        self.first_seen = e.ts if self.first_seen is None else min(self.first_seen, e.ts)
        self.last_seen = e.ts if self.last_seen is None else max(self.last_seen, e.ts)
        self.days.add(e.ts // DAY)
        targets = [self.total]
        for unit in (HOUR, DAY):
            key = e.ts // unit
            table, keys, cum = self.buckets[unit], self.keys[unit], self.cum[unit]
            if key not in table:
                table[key] = _empty()
                bisect.insort(keys, key)
                cum.append(list(cum[-1]))
            if keys[-1] != key:  # _add is only called in time order
                raise AssertionError("events must be added in time order")
            targets.append(table[key])
            targets.append(cum[-1])
            if e.topic == "reviews" and (not self.review_keys[unit] or self.review_keys[unit][-1] != key):
                self.review_keys[unit].append(key)
        for target in targets:
            for i in range(RATING_MIN):
                target[i] += a[i]
            if len(target) > RATING_MIN:
                target[RATING_MIN] = min(target[RATING_MIN], a[RATING_MIN])

    # -- features ---------------------------------------------------------------------------

    def in_window(self, unit: int, n: int, t: int) -> list[int]:
        """Bucket indices of the N buckets ending with the bucket holding t, and any later bucket."""
        keys = self.keys[unit]
        return keys[bisect.bisect_right(keys, t // unit - n):]

    def oldest_in_window(self, unit: int, n: int, t: int):
        keys = self.keys[unit]
        i = bisect.bisect_right(keys, t // unit - n)
        return keys[i] if i < len(keys) else None

    def measure(self, measure: str, window, t: int):
        """One measure over a window (unit, n), or over the lifetime when window is None."""
        if window is None:
            sums, days = self.total, self.days
            ratings = [self.total[RATING_MIN]]
        else:
            unit, n = window
            lo = t // unit - n   # the window holds bucket indices > lo
            keys = self.keys[unit]
            i = bisect.bisect_right(keys, lo)
            before = self.cum[unit][i]
            sums = [self.total[f] - before[f] for f in range(RATING_MIN)]
            days = keys[i:] if unit == DAY else {k * unit // DAY for k in keys[i:]}
            rkeys = self.review_keys[unit]
            ratings = [self.buckets[unit][k][RATING_MIN] for k in rkeys[bisect.bisect_right(rkeys, lo):]]
        minor = self.cfg.minor_units
        if measure == "active_days":
            return len(days)
        if measure == "spend":
            return sums[CENTS] / minor
        if measure in ("clicks", "sessions", "carts", "orders", "items", "reviews"):
            return sums[{"clicks": CLICKS, "sessions": SESSIONS, "carts": CARTS, "orders": ORDERS,
                         "items": ITEMS, "reviews": REVIEWS}[measure]]
        if measure == "avg_rating":
            return sums[RATING_SUM] / sums[REVIEWS] if sums[REVIEWS] else NaN
        if measure == "min_rating":
            low = min(ratings, default=math.inf)
            return NaN if low == math.inf else low
        if measure == "aov":
            return sums[CENTS] / minor / sums[ORDERS] if sums[ORDERS] else NaN
        if measure == "conversion":
            return sums[ORDERS] / sums[CLICKS] if sums[CLICKS] else NaN
        raise KeyError(measure)

    def history(self, name: str, t: int):
        if name in GROWING:
            attr, unit = GROWING[name]
            anchor = getattr(self, attr)
            return NaN if anchor is None else (t - anchor) // unit
        days = sorted(self.purchase_days)
        if name == "purchase_days_total":
            return len(days)
        if name == "interpurchase_days":
            return (days[-1] - days[0]) / (len(days) - 1) if len(days) >= 2 else NaN
        if name == "last_gap_days":
            return days[-1] - days[-2] if len(days) >= 2 else NaN
        if name == "cart_open":
            if self.last_cart is None:
                return 0
            return 1 if self.last_order is None or self.last_cart > self.last_order else 0
        if name in RFM:
            return NaN
        raise KeyError(name)

    def feature_getter(self, t: int):
        """A memoizing lookup of single features at time t."""
        cache: dict[str, float] = {}
        windows = {w: (unit, n) for w, unit, n in self.cfg.windows}

        def get(name: str):
            if name not in cache:
                if name in HISTORY or name in RFM:
                    cache[name] = self.history(name, t)
                else:
                    measure, _, w = name.rpartition("_")
                    cache[name] = self.measure(measure, None if w == "total" else windows[w], t)
            return cache[name]
        return get

    def all_features(self, t: int) -> dict[str, float]:
        get = self.feature_getter(t)
        return {name: get(name) for name in self.cfg.feature_names()}

    # -- when can something change? ---------------------------------------------------------

    def next_change(self, t: int) -> int | None:
        """The earliest instant > t at which a feature some rule reads can change without an event:
        the oldest in-window bucket of a read window sliding out, or a time-growing feature reaching
        a value compared with a rule constant (every step when it is used in arithmetic)."""
        cfg = self.cfg
        candidates = []
        for w, unit, n in cfg.windows:
            if w in cfg.read_windows:
                oldest = self.oldest_in_window(unit, n, t)
                if oldest is not None:
                    candidates.append((oldest + n) * unit)
        for name, (attr, unit) in GROWING.items():
            anchor = getattr(self, attr)
            if anchor is None or name not in cfg.read_features:
                continue
            if name in cfg.arith_features:
                candidates.append(anchor + ((t - anchor) // unit + 1) * unit)
            else:
                for r in cfg.targets:  # sorted
                    if anchor + r * unit > t:
                        candidates.append(anchor + r * unit)
                        break
        return min(candidates) if candidates else None


# --------------------------------------------------------------------------------------------
# Segments
# --------------------------------------------------------------------------------------------

def memberships(cfg: Config, get) -> list[str]:
    """Segments (config order) a customer is in, given a feature lookup. A family member is a member
    when it is the first of its family, in file order, whose rule holds; segment(x) means membership."""
    by_name, families = cfg.by_name, cfg.families
    resolved: dict[str, bool] = {}

    def member(name: str) -> bool:
        if name in resolved:
            return resolved[name]
        seg = by_name[name]
        if seg.family:
            winner = None
            for s in families[seg.family]:
                if winner is None and s.rule.evaluate(get, member):
                    winner = s.name
            for s in families[seg.family]:
                resolved[s.name] = s.name == winner
        else:
            resolved[name] = seg.rule.evaluate(get, member)
        return resolved[name]

    return [s.name for s in cfg.segments if member(s.name)]


def family_member(cfg: Config, family: str, members: list[str]):
    for s in cfg.segments:
        if s.family == family and s.name in members:
            return s.name
    return None


@dataclass
class Alert:
    topic: str
    ts: int
    cause: str
    event_id: str | None
    previous: str | None = None
    current: str | None = None
    features: dict = field(default_factory=dict)

    def key(self):
        return (self.topic, fmt_ts(self.ts), self.cause, self.event_id)


def _alerts(cfg: Config, old: list[str], new: list[str], t: int, cause: str, event_id, get) -> list[Alert]:
    """Exits (config order), then enters (config order) — the order segd was observed to use; the
    README only says a family move publishes the exit before the enter."""
    out = []
    for kind, before, after in (("exit", old, new), ("enter", new, old)):
        for s in cfg.segments:
            if s.name in before and s.name not in after:
                alert = Alert(f"segment.{s.name}.{kind}", t, cause, event_id,
                              features={f: get(f) for f in s.rule.features})
                if s.family:
                    alert.previous = family_member(cfg, s.family, old)
                    alert.current = family_member(cfg, s.family, new)
                out.append(alert)
    return out


# --------------------------------------------------------------------------------------------
# The engine, as a pure function of history, and per customer through time
# --------------------------------------------------------------------------------------------

class Reference:
    def __init__(self, cfg: Config, events: list[Event]):
        self.cfg = cfg
        self.events = events
        self.ingest = ingest(events, cfg)
        self.customer_events = self.ingest.by_customer()

    def state(self, customer: str, upto: int | None = None) -> CustomerState:
        st = CustomerState(self.cfg)
        for k in self.customer_events[customer]:
            if upto is not None and k > upto:
                break
            st.apply(self.ingest.accepted[k])
        return st

    def final(self, until: int) -> dict[str, dict]:
        """Every customer's features and memberships at the clock `until`."""
        out = {}
        for customer in self.customer_events:
            st = self.state(customer)
            get = st.feature_getter(until)
            out[customer] = {"features": {n: get(n) for n in self.cfg.feature_names()},
                             "segments": memberships(self.cfg, get)}
        return out

    def transitions(self, customer: str, until: int) -> list[Alert]:
        """The alerts for one customer. Processing model (README "Time"): events in input order;
        each accepted event first advances the clock to newest − lateness, the customer's timer fires
        (evaluated at its due time, on the state so far) when the clock reaches it, then the event is
        applied and evaluated at max(clock, ts). After every evaluation the customer's one timer is
        set to the next instant something a rule reads can change. --until advances the clock last."""
        cfg = self.cfg
        st = CustomerState(cfg)
        current: list[str] = []
        alerts: list[Alert] = []
        timer = None

        def evaluate(t, cause, event_id):
            nonlocal current, timer
            get = st.feature_getter(t)
            new = memberships(cfg, get)
            alerts.extend(_alerts(cfg, current, new, t, cause, event_id, get))
            current = new
            timer = st.next_change(t)

        def fire_until(clock):
            while timer is not None and timer <= clock:
                evaluate(timer, "timer", None)

        for k in self.customer_events[customer]:
            e = self.ingest.accepted[k]
            clock = self.ingest.clock_after[k]
            fire_until(clock)
            st.apply(e)
            evaluate(max(clock, e.ts), "event", e.event_id)
        fire_until(max(until, self.ingest.clock))
        return alerts

    def stream(self, until: int | None = None) -> list[tuple[str, dict]]:
        """The whole outbound stream, in order, as (topic, fields) with seq: dead letters for refused
        events, and every customer's alerts. Timers fire in (due time, customer) order, customers
        ordered by first appearance (segd's interning order; the README only says "(time, customer)")."""
        cfg, ing = self.cfg, self.ingest
        refused = {e.index: reason for e, reason in ing.rejected}
        accepted_at = {e.index: k for k, e in enumerate(ing.accepted)}
        states: dict[str, CustomerState] = {}
        current: dict[str, list[str]] = {}
        order: dict[str, int] = {}
        timers: dict[str, int | None] = {}
        heap: list[tuple[int, int, str]] = []
        out: list[tuple[str, dict]] = []

        def publish(topic, body):
            out.append((topic, {"seq": len(out) + 1, **body}))

        def evaluate(customer, t, cause, event_id):
            st = states[customer]
            get = st.feature_getter(t)
            new = memberships(cfg, get)
            for a in _alerts(cfg, current[customer], new, t, cause, event_id, get):
                publish(a.topic, {"customer_id": customer, "ts": fmt_ts(a.ts), "cause": a.cause,
                                  "event_id": a.event_id, "previous": a.previous, "current": a.current,
                                  "features": a.features})
            current[customer] = new
            timers[customer] = st.next_change(t)
            if timers[customer] is not None:
                heapq.heappush(heap, (timers[customer], order[customer], customer))

        def fire_until(clock):
            while heap and heap[0][0] <= clock:
                due, _, customer = heapq.heappop(heap)
                if timers.get(customer) == due:   # otherwise superseded by a later evaluation
                    evaluate(customer, due, "timer", None)

        for e in self.events:
            if e.index in refused:
                publish("deadletter", {"reason": refused[e.index], "event_id": e.event_id})
                continue
            k = accepted_at[e.index]
            clock = ing.clock_after[k]
            fire_until(clock)
            if e.customer not in states:
                states[e.customer] = CustomerState(cfg)
                current[e.customer] = []
                order[e.customer] = len(order)
            states[e.customer].apply(e)
            evaluate(e.customer, max(clock, e.ts), "event", e.event_id)
        if until is not None or ing.clock is not None:
            fire_until(max(c for c in (until, ing.clock) if c is not None))
        return out
