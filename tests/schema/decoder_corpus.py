#!/usr/bin/env python3
"""Writes a corpus of inbound segd messages, each with the verdict of a real JSON Schema validator.

Usage: decoder_corpus.py OUT

Every line of OUT is `topic<TAB>base64(payload)<TAB>valid|invalid`. The corpus is deterministic
(one fixed seed): valid click, order and review events in many spellings, and mutations of them:
missing fields, wrong types, boundary values, bad dates, extra fields, broken JSON, invalid UTF-8,
escapes, numbers written as floats. The verdict comes from python-jsonschema (Draft 2020-12, format
assertion on) over the schemas in schemas/, so the Swift test that replays the corpus through
EventDecoder proves the decoder accepts exactly what the schemas accept.

Where python's own behaviour is not JSON Schema's, the oracle is adjusted, and only there:
- json.loads turns 2999.0000000000000001 into the float 2999.0; JSON Schema's "integer" is the
  mathematical value, so numbers are parsed exactly (decimal) instead;
- python's re makes `$` match before a trailing newline; JSON Schema patterns are ECMA-262,
  where `$` matches only at the very end, so a final `$` is checked as `\\Z`;
- json.loads accepts NaN/Infinity and duplicate keys, which RFC 8259 JSON (and segd) does not.
"""

import base64
import json
import random
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

try:
    import jsonschema
    from jsonschema import Draft202012Validator, ValidationError
    from referencing import Registry, Resource
    import rfc3339_validator  # noqa: F401  (without it the format checker silently skips date-time)
except ImportError as error:
    sys.exit(
        f"decoder_corpus.py: cannot import {error.name!r}: the schema cross-check needs the python "
        "packages jsonschema (4.x), referencing and rfc3339-validator; "
        "install them with `pip install jsonschema rfc3339-validator`"
    )

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT / "schemas"
SEED = 20260314
MAX_PAYLOAD_BYTES = 65536  # EventDecoder's default limit
KINDS = {"clicks": "click", "orders": "order", "reviews": "review"}

MAX_TS = 253402300799999
MAX_SEQ = 9007199254740991
MAX_AMOUNT = 100000000000


# ---------------------------------------------------------------------------------------------
# The oracle


def ecma_pattern(validator, pattern, instance, schema):
    """The `pattern` keyword with ECMA-262's `$`: end of input, not 'before a final newline'."""
    if not validator.is_type(instance, "string"):
        return
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    if not re.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def load_validators():
    names = ["common", *KINDS.values()]
    schemas = {f"{name}.schema.json": json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text()) for name in names}
    # Every schema is registered under its $id, so relative $refs resolve locally; a Registry
    # without a retrieve function never goes to the network.
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    validator_class = jsonschema.validators.extend(Draft202012Validator, {"pattern": ecma_pattern})
    validators = {}
    for topic, kind in KINDS.items():
        schema = schemas[f"{kind}.schema.json"]
        Draft202012Validator.check_schema(schema)
        validators[topic] = validator_class(
            schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        for example in schema.get("examples", []):
            validators[topic].validate(example)
    return validators


# Stand-ins for numbers whose exact value matters only as "out of every range" or "not integer".
OUT_OF_RANGE_INTEGER = 10**41
NOT_AN_INTEGER = Decimal("0.5")


def exact_number(text):
    """A JSON number with a fraction or exponent, as an int when its exact value is an integer."""
    try:
        value = Decimal(text)
    except InvalidOperation:  # exponent beyond what Decimal holds (|e| > 10^18)
        mantissa, _, exponent = text.lower().partition("e")
        if Decimal(mantissa).is_zero():
            return 0
        return NOT_AN_INTEGER if exponent.startswith("-") else OUT_OF_RANGE_INTEGER
    if value.is_zero():
        return 0
    if value.adjusted() > 40:
        return OUT_OF_RANGE_INTEGER if value > 0 else -OUT_OF_RANGE_INTEGER
    if value == value.to_integral_value():
        return int(value)
    return value


def reject_duplicates(pairs):
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def topic_kind(topic):
    for stem in KINDS:
        if topic == stem or (topic.startswith(stem + ".") and len(topic) > len(stem) + 1):
            return stem
    return None


def verdict(validators, topic, payload):
    stem = topic_kind(topic)
    if stem is None or len(payload) > MAX_PAYLOAD_BYTES:
        return False
    try:
        document = json.loads(
            payload.decode("utf-8"),
            object_pairs_hook=reject_duplicates,
            parse_constant=reject_constant,
            parse_float=exact_number,
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return validators[stem].is_valid(document)


# ---------------------------------------------------------------------------------------------
# A JSON writer with knobs the standard one lacks: raw number tokens, escape styles, whitespace.


class Raw(str):
    """JSON text written as it stands (a number spelling such as 2.999e3, or broken JSON)."""


SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def encode_string(rng, text, escape_rate):
    out = ['"']
    for char in text:
        code = ord(char)
        if char in SHORT_ESCAPES and (code < 0x20 or char in '"\\' or rng.random() < 0.5):
            out.append(SHORT_ESCAPES[char])
        elif code < 0x20 or rng.random() < escape_rate:
            if code > 0xFFFF:
                high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
                out.append(f"\\u{high:04x}\\u{low:04X}")
            elif char == "/" and rng.random() < 0.5:
                out.append("\\/")
            else:
                out.append(f"\\u{code:04x}" if rng.random() < 0.5 else f"\\u{code:04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def encode(rng, value, escape_rate=0.0, spacing=0):
    """JSON text of `value`; dict order is kept, so callers shuffle items themselves."""
    gap = " " * spacing if spacing < 3 else rng.choice(["\n  ", "\t", "\r\n", " "])
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return encode_string(rng, value, escape_rate)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ("," + gap).join(encode(rng, item, escape_rate, spacing) for item in value) + "]"
    if isinstance(value, (dict, Pairs)):
        items = value.items() if isinstance(value, dict) else value.pairs
        members = (
            encode_string(rng, key, escape_rate) + gap + ":" + gap + encode(rng, item, escape_rate, spacing)
            for key, item in items
        )
        return "{" + gap + ("," + gap).join(members) + gap + "}"
    raise TypeError(value)


class Pairs:
    """An object that may hold the same key twice."""

    def __init__(self, pairs):
        self.pairs = pairs


# ---------------------------------------------------------------------------------------------
# Valid events

ID_ALPHABET = "".join(chr(c) for c in range(0x21, 0x7F))
CATEGORY_ALPHABET = "".join(chr(c) for c in range(0x20, 0x7F))
ACTIONS = ["view", "search", "add_to_cart", "remove_from_cart", "wishlist", "checkout"]
CATEGORIES = ["Home & Garden", "Books", "books/fiction", "Electronics", "Toys \"R\" Fun", "C:\\Games", "A"]
CURRENCIES = ["USD", "EUR", "JPY", "GBP", "CHF"]


def random_id(rng, prefix):
    if rng.random() < 0.2:
        return "".join(rng.choice(ID_ALPHABET) for _ in range(rng.randint(1, 128)))
    return f"{prefix}-{rng.randrange(16**8):08x}"


def random_ts_string(rng):
    year = rng.choice([1970, 1999, 2000, 2024, 2025, 2026, 2100, rng.randint(1, 9999)])
    month = rng.randint(1, 12)
    days = [31, 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    text = f"{year:04d}-{month:02d}-{rng.randint(1, days):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    digits = rng.choice([0, 0, 3, 3, 1, 2, 6, 9, rng.randint(1, 9)])
    if digits:
        text += "." + "".join(rng.choice("0123456789") for _ in range(digits))
    return text + "Z"


def random_ts(rng):
    return random_ts_string(rng) if rng.random() < 0.6 else rng.randint(0, MAX_TS)


OPTIONAL = {
    "clicks": ["producer_id", "producer_seq", "product_id", "category", "session_id"],
    "orders": ["producer_id", "producer_seq", "items", "category"],
    "reviews": ["producer_id", "producer_seq", "product_id"],
}


def optional_value(rng, field):
    return {
        "producer_id": lambda: random_id(rng, "producer"),
        "producer_seq": lambda: rng.choice([0, rng.randint(0, 10**6), MAX_SEQ]),
        "product_id": lambda: random_id(rng, "sku"),
        "session_id": lambda: random_id(rng, "sess"),
        "category": lambda: rng.choice(CATEGORIES) if rng.random() < 0.7 else "".join(
            rng.choice(CATEGORY_ALPHABET) for _ in range(rng.randint(1, 64))),
        "items": lambda: rng.choice([1, 2, 3, rng.randint(1, 100000)]),
    }[field]()


def valid_event(rng, topic, all_optional=False):
    event = {"event_id": random_id(rng, "evt"), "customer_id": random_id(rng, "cust"), "ts": random_ts(rng)}
    if topic == "clicks":
        event["action"] = rng.choice(ACTIONS)
    elif topic == "orders":
        event["amount"] = rng.choice([0, 1, 2999, rng.randint(0, 10**7), MAX_AMOUNT])
        event["currency"] = rng.choice(CURRENCIES)
    else:
        event["rating"] = rng.randint(1, 5)
    for field in OPTIONAL[topic]:
        if all_optional or rng.random() < 0.4:
            event[field] = optional_value(rng, field)
    return event


def shuffled(rng, event):
    items = list(event.items())
    rng.shuffle(items)
    return dict(items)


def serialize(rng, event, escape_rate=None, spacing=None):
    if escape_rate is None:
        escape_rate = rng.choice([0.0, 0.0, 0.0, 0.05, 0.3])
    if spacing is None:
        spacing = rng.choice([0, 0, 1, 3])
    text = encode(rng, shuffled(rng, event) if isinstance(event, dict) else event, escape_rate, spacing)
    if rng.random() < 0.1:
        text = rng.choice([" ", "\n", "\t", "\r\n"]) + text + rng.choice(["", " ", "\n"])
    return text.encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Mutations: each takes (rng, topic, event) and returns (topic, payload bytes).

INTEGER_FIELDS = {"amount": (0, MAX_AMOUNT), "items": (1, 100000), "rating": (1, 5),
                  "producer_seq": (0, MAX_SEQ), "ts": (0, MAX_TS)}
STRING_FIELDS = ["event_id", "customer_id", "producer_id", "product_id", "session_id", "category"]
WRONG_TYPES = [None, True, False, [], {}, [1], {"a": 1}, "", "7", 7, Raw("1.5"), Raw("-1")]

TS_STRINGS = [
    "2024-02-29T00:00:00Z", "2025-02-29T00:00:00Z", "2000-02-29T12:00:00Z", "1900-02-29T12:00:00Z",
    "2100-02-29T12:00:00Z", "2400-02-29T12:00:00Z", "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z",
    "2026-06-30T23:59:59Z", "2026-12-31T23:59:59.999999999Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
    "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z",
    "2026-01-01T23:59:60Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567890Z",
    "2026-01-01T00:00:00.1Z", "2026-01-01T00:00:00.12Z", "2026-01-01T00:00:00.123456Z",
    "2026-01-01T00:00:00z", "2026-01-01t00:00:00Z", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00",
    "2026-01-01T00:00:00+00:00", "2026-01-01T01:00:00+01:00", "2026-01-01", "20260101T000000Z",
    "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z",
    "1970-01-01T00:00:00Z", "2026-1-01T00:00:00Z", " 2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z\n",
    "2026-01-01T00:00:00Z ", "２０２６-01-01T00:00:00Z", "2026-01-01T00:00:00.١Z", "",
]
TS_NUMBERS = ["0", "-0", "-1", "1", str(MAX_TS), str(MAX_TS + 1), "1773480413589", "1773480413589.0",
              "1.773480413589e12", "1.7734804135895e12", "1e12", "1E+12", "17734804135890e-1", "1773480413589.5",
              "2.53402300799999e14", "2.53402300799999e14", "2.534023008e14", "-0.0", "0e0"]


def ids_around(rng, limit, alphabet):
    return ["".join(rng.choice(alphabet) for _ in range(n)) for n in (0, 1, limit - 1, limit, limit + 1, 2 * limit)]


def payload_of(rng, event):
    return serialize(rng, event)


def m_valid(rng, topic, event):
    return topic, payload_of(rng, event)


def m_drop(rng, topic, event):
    event.pop(rng.choice(list(event)))
    return topic, payload_of(rng, event)


def m_wrong_type(rng, topic, event):
    event[rng.choice(list(event))] = rng.choice(WRONG_TYPES)
    return topic, payload_of(rng, event)


def integer_spellings(rng, value):
    spellings = [str(value), f"{value}.0", f"{value}.000", f"{value}0e-1", f"{value}e0", f"{value}E+0"]
    if value > 0:
        digits = str(value)
        spellings.append(f"{digits[0]}.{digits[1:] or '0'}e{len(digits) - 1}")
        spellings.append(f"0.{digits}e{len(digits)}")
        spellings.append(f"{value}.0000000000000000001")
    else:
        spellings += ["-0", "-0.0", "0e99999", "0.0e-7"]
    return spellings


def m_integer_boundary(rng, topic, event):
    fields = [f for f in INTEGER_FIELDS if f in event or f in OPTIONAL[topic] or f == "ts"]
    fields = [f for f in fields if f != "rating" or topic == "reviews"]
    fields = [f for f in fields if f not in ("amount", "items") or topic == "orders"]
    field = rng.choice(fields)
    low, high = INTEGER_FIELDS[field]
    value = rng.choice([low - 1, low, low + 1, high - 1, high, high + 1, -high])
    event[field] = Raw(rng.choice(integer_spellings(rng, value)) if value >= 0 else str(value))
    return topic, payload_of(rng, event)


def m_number_spelling(rng, topic, event):
    field = {"clicks": "producer_seq", "orders": "amount", "reviews": "rating"}[topic]
    event[field] = Raw(rng.choice([
        "2999.0", "2.999e3", "29990e-1", "29.5", "2999.5", "1e400", "-1e400", "1e-400", "-0", "-0.0", "00",
        "01", "1.", ".5", "+1", "1e", "1e+", "1.e3", "0x10", "1_000", "4", "4.0", "4e0", "40e-1", "5.0000000000000000001",
        "3.9999999999999999999", "9007199254740991", "9007199254740991.0", "9007199254740992", "9007199254740993",
        "900719925474099.1e1", "1" + "0" * 30 + "e-30", "1" + "0" * 400, "0.0000000000000000000000000003e28",
        "3e0", "0.3e1", "300e-2", "1E1", "1e1000000000000000000000", "1e-1000000000000000000000", "0e-1000000000000000000000",
        "NaN", "Infinity", "-Infinity", "-", "--1", "1e07", "1.50", "2.00", "5e-0", "5E-00",
    ]))
    return topic, payload_of(rng, event)


def m_string_boundary(rng, topic, event):
    field = rng.choice([f for f in STRING_FIELDS if f in event or f in OPTIONAL[topic]])
    limit, alphabet = (64, CATEGORY_ALPHABET) if field == "category" else (128, ID_ALPHABET)
    candidates = ids_around(rng, limit, alphabet) + [
        "with space", " lead", "trail ", "tab\there", "new\nline", "del\x7f", "é", "caf\u00e9", "\U0001F600",
        "nul\x00", "slash/ok", 'quote"ok', "back\\slash", "x" * limit + "\n", "ok\n", "\u2028",
    ]
    event[field] = rng.choice(candidates)
    return topic, serialize(rng, event, escape_rate=rng.choice([0.0, 0.5, 1.0]))


def m_enum(rng, topic, event):
    if topic == "clicks":
        event["action"] = rng.choice(ACTIONS + ["View", "VIEW", "purchase", "", "view ", "add-to-cart", "checkout\n"])
    elif topic == "orders":
        event["currency"] = rng.choice(CURRENCIES + ["usd", "US", "USDD", "U$D", "ÜSD", "US D", "", "EUR\n"])
    else:
        event["rating"] = rng.choice([0, 1, 3, 5, 6, -1, 10, Raw("4.0"), Raw("4.5"), "5"])
    return topic, serialize(rng, event, escape_rate=rng.choice([0.0, 0.5]))


def m_timestamp(rng, topic, event):
    event["ts"] = rng.choice(TS_STRINGS) if rng.random() < 0.6 else Raw(rng.choice(TS_NUMBERS))
    if rng.random() < 0.3:
        event["ts"] = random_ts_string(rng)
    return topic, serialize(rng, event, escape_rate=rng.choice([0.0, 0.0, 0.3]))


NESTED = [{"a": [1, 2, {"b": None}]}, [[], {}], {"deep": {"deeper": {"deepest": [True, False]}}}, "x", 0, None]


def nested(depth):
    value = 1
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def m_extra_field(rng, topic, event):
    other = {"clicks": "amount", "orders": "rating", "reviews": "action"}[topic]
    name = rng.choice(["extra", "Event_id", "event_id ", "EVENT_ID", "", "é", "ts2", other, "currency" if topic != "orders" else "session_id"])
    event[name] = rng.choice(NESTED + [nested(rng.randint(1, 40))])
    return topic, payload_of(rng, event)


def m_escaped_key(rng, topic, event):
    # An escaped spelling of a defined key is the same key: valid, and a duplicate if repeated.
    pairs = list(shuffled(rng, event).items())
    text = "{" + ",".join(encode_string(rng, key, 1.0) + ":" + encode(rng, value) for key, value in pairs)
    if rng.random() < 0.5:
        key, value = rng.choice(pairs)
        text += "," + encode_string(rng, key, rng.choice([0.0, 0.5])) + ":" + encode(rng, value)
    return topic, (text + "}").encode()


def m_duplicate(rng, topic, event):
    pairs = list(event.items())
    key, value = rng.choice(pairs)
    if rng.random() < 0.3:
        key, value = "extra", 1
        pairs.append((key, 2))
    pairs.insert(rng.randint(0, len(pairs)), (key, rng.choice([value, value, "other"])))
    return topic, serialize(rng, Pairs(pairs))


def m_nesting(rng, topic, event):
    event["extra"] = nested(rng.choice([29, 30, 31, 32, 33, rng.randint(1, 60)]))
    return topic, payload_of(rng, event)


BROKEN_SNIPPETS = [b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\", b" ", b"0", b"a", b"e", b"-", b"+", b".",
                   b"t", b"n", b"\x00", b"\x1f", b"/", b"'", b"\\u12", b"\\x41", b"\\uD800", b"\\uDC00"]


def m_broken(rng, topic, event):
    payload = bytearray(payload_of(rng, event))
    choice = rng.randrange(9)
    position = rng.randrange(len(payload) + 1)
    if choice == 0:
        payload = payload[:position]
    elif choice == 1 and position < len(payload):
        del payload[position]
    elif choice == 2:
        payload[position:position] = rng.choice(BROKEN_SNIPPETS)
    elif choice == 3 and position < len(payload):
        payload[position:position + 1] = rng.choice(BROKEN_SNIPPETS)
    elif choice == 4:
        payload += rng.choice([b"x", b"{}", b",", b" 1", b"\x00", b"\n\n}"])
    elif choice == 5:
        payload = payload.replace(b'"', b"'")
    elif choice == 6:
        payload = payload.replace(b"}", b",}", 1) if rng.random() < 0.5 else payload.replace(b",", b"", 1)
    elif choice == 7:
        payload = payload[:1] + b"/* c */" + payload[1:]
    else:
        payload = rng.choice([b"", b" ", b"[]", b"null", b"1", b'"x"', b"{}", b"[{}]", b"\xef\xbb\xbf{}",
                              b"\xef\xbb\xbf" + bytes(payload)])
    return topic, bytes(payload)


BAD_UTF8 = [b"\x80", b"\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xc2", b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xed\xa0\x80",
            b"\xed\xbf\xbf", b"\xf0\x80\x80\x80", b"\xf0\x8f\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80",
            b"\xf8\x88\x80\x80\x80", b"\xff", b"\xfe", b"\xe2\x82", b"\xf0\x9f\x98", b"\xc3\x28", b"\xe2\x28\xa1"]
GOOD_UTF8 = ["é", "€", "\U0001F600", "\u07ff", "\u0800", "\uffff", "\U00010000", "\U0010FFFF", "\ud7ff", "\ue000"]


def m_utf8(rng, topic, event):
    marker = "MARKER-7f1c"
    field = rng.choice(["extra", "category" if topic != "reviews" else "product_id", "customer_id"])
    event[field] = marker
    payload = payload_of(rng, event)
    if rng.random() < 0.7:
        insert = rng.choice(BAD_UTF8)
    else:
        insert = rng.choice(GOOD_UTF8).encode()
    if rng.random() < 0.5:
        insert = b"ok" + insert
    return topic, payload.replace(marker.encode(), insert)


def m_surrogate_escape(rng, topic, event):
    field = rng.choice(["customer_id", "extra"])
    event[field] = Raw(rng.choice(['"\\ud800"', '"a\\udc00b"', '"\\ud83d\\ude00"', '"\\ud83d\\u0041"',
                                   '"\\uD83D\\uDE00x"', '"\\ud83d"', '"\\u0041\\u0042"', '"\\u00e9"']))
    return topic, payload_of(rng, event)


def m_topic(rng, topic, event):
    new_topic = rng.choice([
        topic + ".eu", topic + ".a.b", topic + ".", topic + "x", topic[:-1], topic.upper(), "", ".",
        "clicks.orders", "orders.", "review", "deadletter", topic + "..", topic + ". ", "segment.x.enter",
    ])
    return new_topic, payload_of(rng, event)


def m_size(rng, topic, event):
    payload = payload_of(rng, event)
    target = MAX_PAYLOAD_BYTES + rng.choice([-1, 0, 1, 100])
    return topic, payload + b" " * max(0, target - len(payload))


def m_producer_stamp(rng, topic, event):
    # producer_id and producer_seq come together or not at all; either may also be invalid.
    event.pop("producer_id", None)
    event.pop("producer_seq", None)
    present = rng.choice([(), ("producer_id",), ("producer_seq",), ("producer_id", "producer_seq")])
    for field in present:
        event[field] = optional_value(rng, field)
    if present and rng.random() < 0.3:
        field = rng.choice(present)
        event[field] = rng.choice(WRONG_TYPES + ["a b", Raw(str(MAX_SEQ + 1))])
    return topic, payload_of(rng, event)


def m_several(rng, topic, event):
    for mutation in rng.sample([m_drop, m_wrong_type, m_extra_field, m_integer_boundary, m_timestamp], 2):
        topic, payload = mutation(rng, topic, event)
    return topic, payload


MUTATIONS = [
    (m_valid, 900), (m_drop, 350), (m_wrong_type, 350), (m_integer_boundary, 500), (m_number_spelling, 400),
    (m_string_boundary, 500), (m_enum, 250), (m_timestamp, 600), (m_extra_field, 250), (m_escaped_key, 200),
    (m_duplicate, 200), (m_nesting, 120), (m_broken, 500), (m_utf8, 300), (m_surrogate_escape, 100),
    (m_topic, 120), (m_size, 12), (m_several, 300), (m_producer_stamp, 300),
]


def corpus(rng):
    for mutation, count in MUTATIONS:
        for index in range(count):
            topic = rng.choice(list(KINDS))
            event = valid_event(rng, topic, all_optional=index % 3 == 0)
            yield mutation(rng, topic, event)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: decoder_corpus.py OUT")
    validators = load_validators()
    rng = random.Random(SEED)
    counts = {True: 0, False: 0}
    with open(sys.argv[1], "w", encoding="ascii") as out:
        for topic, payload in corpus(rng):
            if "\t" in topic or "\n" in topic:
                raise AssertionError(f"topic {topic!r} cannot be written to the corpus")
            valid = verdict(validators, topic, payload)
            counts[valid] += 1
            out.write(f"{topic}\t{base64.b64encode(payload).decode()}\t{'valid' if valid else 'invalid'}\n")
    print(f"decoder_corpus.py: {counts[True] + counts[False]} messages, {counts[True]} valid, {counts[False]} invalid")


if __name__ == "__main__":
    main()
