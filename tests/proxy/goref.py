"""A reference reading of Nomad requests by Go's rules, written independently of ``jobguard.proxy`` to test it.

It follows the Go sources step by step, simply and slowly: ``net/url`` (``ParseRequestURI``, ``ParseQuery``,
``unescape``), ``encoding/json`` (a byte-level scanner, ``unquote``'s U+FFFD rules, field matching by
``bytes.EqualFold`` over Unicode simple-fold orbits, last key wins, merging into existing values) and Nomad's agent
(``command/agent/job_endpoint.go``: which of query, body and headers gives the namespace and token, and the
checks it makes before the server sees the request). The Nomad API double uses it to read requests the way
Nomad would, and the property tests compare the proxy's parser with it.

Nothing here imports the proxy's parser: agreement between the two is evidence, not an echo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# ---------------------------------------------------------------------------- net/url
_HEXDIGITS = b"0123456789abcdefABCDEF"


class GoError(Exception):
    """What Nomad answers instead of acting: ``status`` and its message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def url_unescape(s: bytes, query: bool) -> bytes | None:
    """``url.unescape`` (path or query-component mode); None where Go returns an error."""
    out = bytearray()
    i = 0
    while i < len(s):
        if s[i:i + 1] == b"%":
            if i + 2 >= len(s) or s[i + 1] not in _HEXDIGITS or s[i + 2] not in _HEXDIGITS:
                return None
            out += bytes([int(s[i + 1:i + 3].decode(), 16)])
            i += 3
        elif s[i:i + 1] == b"+" and query:
            out += b" "
            i += 1
        else:
            out += s[i:i + 1]
            i += 1
    return bytes(out)


def parse_request_uri(raw: bytes) -> tuple[bytes, bytes]:
    """``url.ParseRequestURI`` for the forms a proxy sees: (decoded path, raw query). GoError(400) if invalid."""
    for b in raw:
        if b < 0x20 or b == 0x7F:
            raise GoError(400, "invalid control character in URL")
    rest = raw
    i = 0
    letters = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    while i < len(raw) and (raw[i] in letters or (i > 0 and raw[i] in b"0123456789+-.")):
        i += 1
    if 0 < i < len(raw) and raw[i:i + 1] == b":":
        scheme, rest = raw[:i], raw[i + 1:]
    else:
        scheme = b""
    if rest.endswith(b"?") and rest.count(b"?") == 1:
        rest, rawq = rest[:-1], b""
    elif b"?" in rest:
        rest, rawq = rest.split(b"?", 1)
    else:
        rawq = b""
    if not rest.startswith(b"/"):
        raise GoError(400, "invalid URI for request")
    if scheme and rest.startswith(b"//"):
        rest = rest[2:]
        rest = rest[rest.index(b"/"):] if b"/" in rest else b""
    path = url_unescape(rest, False)
    if path is None:
        raise GoError(400, "invalid URL escape")
    return path, rawq


def parse_query(rawq: bytes, max_params: int = 10_000) -> dict[bytes, list[bytes]]:
    """``url.ParseQuery`` as ``URL.Query()`` returns it (errors dropped; over the limit: nothing)."""
    values: dict[bytes, list[bytes]] = {}
    if rawq and rawq.count(b"&") + 1 > max_params:
        return values
    for part in rawq.split(b"&"):
        if not part or b";" in part:
            continue
        k, _, v = part.partition(b"=")
        k2, v2 = url_unescape(k, True), url_unescape(v, True)
        if k2 is None or v2 is None:
            continue
        values.setdefault(k2, []).append(v2)
    return values


def query_get(values: dict[bytes, list[bytes]], key: str) -> str:
    got = values.get(key.encode())
    return got[0].decode("utf-8", "surrogateescape") if got else ""


# ---------------------------------------------------------------------------- encoding/json: scanner
@dataclass
class J:
    """A JSON value: kind is object, array, string, number, bool or null; objects keep every pair in order."""

    kind: str
    value: Any = None
    pairs: list[tuple[str, J]] = field(default_factory=list)


class JSONError(Exception):
    pass


def _utf8_runes(b: bytes) -> str:
    """Go's unquote of plain bytes: valid UTF-8 runes kept, each other byte one U+FFFD."""
    out, i = [], 0
    while i < len(b):
        for width in (1, 2, 3, 4):
            try:
                ch = b[i:i + width].decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                out.append(ch)
                i += width
                break
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out)


class Scanner:
    def __init__(self, data: bytes) -> None:
        self.d = data
        self.i = 0

    def ws(self) -> None:
        while self.i < len(self.d) and self.d[self.i] in b" \t\n\r":
            self.i += 1

    def value(self, depth: int = 0) -> J:
        if depth > 10_000:
            raise JSONError("exceeded max depth")
        self.ws()
        if self.i >= len(self.d):
            raise JSONError("unexpected EOF")
        c = self.d[self.i:self.i + 1]
        if c == b"{":
            self.i += 1
            obj = J("object")
            self.ws()
            if self.d[self.i:self.i + 1] == b"}":
                self.i += 1
                return obj
            while True:
                self.ws()
                if self.d[self.i:self.i + 1] != b'"':
                    raise JSONError("looking for beginning of object key string")
                key = self.string()
                self.ws()
                if self.d[self.i:self.i + 1] != b":":
                    raise JSONError("after object key")
                self.i += 1
                obj.pairs.append((key, self.value(depth + 1)))
                self.ws()
                c = self.d[self.i:self.i + 1]
                self.i += 1
                if c == b"}":
                    return obj
                if c != b",":
                    raise JSONError("after object key:value pair")
        if c == b"[":
            self.i += 1
            arr = J("array", [])
            self.ws()
            if self.d[self.i:self.i + 1] == b"]":
                self.i += 1
                return arr
            while True:
                arr.value.append(self.value(depth + 1))
                self.ws()
                c = self.d[self.i:self.i + 1]
                self.i += 1
                if c == b"]":
                    return arr
                if c != b",":
                    raise JSONError("after array element")
        if c == b'"':
            return J("string", self.string())
        for word, kind, val in ((b"true", "bool", True), (b"false", "bool", False), (b"null", "null", None)):
            if self.d.startswith(word, self.i):
                self.i += len(word)
                return J(kind, val)
        start = self.i
        if self.d[self.i:self.i + 1] == b"-":
            self.i += 1
        if self.d[self.i:self.i + 1] == b"0":
            self.i += 1
        elif self.d[self.i:self.i + 1] and self.d[self.i:self.i + 1] in b"123456789":
            while self.d[self.i:self.i + 1] and self.d[self.i:self.i + 1] in b"0123456789":
                self.i += 1
        else:
            raise JSONError("looking for beginning of value")
        if self.d[self.i:self.i + 1] == b".":
            self.i += 1
            if not (self.d[self.i:self.i + 1] and self.d[self.i:self.i + 1] in b"0123456789"):
                raise JSONError("in numeric literal")
            while self.d[self.i:self.i + 1] and self.d[self.i:self.i + 1] in b"0123456789":
                self.i += 1
        if self.d[self.i:self.i + 1] and self.d[self.i:self.i + 1] in b"eE":
            self.i += 1
            if self.d[self.i:self.i + 1] and self.d[self.i:self.i + 1] in b"+-":
                self.i += 1
            if not (self.d[self.i:self.i + 1] and self.d[self.i:self.i + 1] in b"0123456789"):
                raise JSONError("in exponent of numeric literal")
            while self.d[self.i:self.i + 1] and self.d[self.i:self.i + 1] in b"0123456789":
                self.i += 1
        return J("number", self.d[start:self.i].decode())

    def string(self) -> str:
        self.i += 1
        out: list[str] = []
        chunk = bytearray()
        while True:
            if self.i >= len(self.d):
                raise JSONError("unexpected EOF in string")
            b = self.d[self.i]
            if b == 0x22:
                self.i += 1
                out.append(_utf8_runes(bytes(chunk)))
                return "".join(out)
            if b < 0x20:
                raise JSONError("invalid character in string literal")
            if b != 0x5C:
                chunk.append(b)
                self.i += 1
                continue
            out.append(_utf8_runes(bytes(chunk)))
            chunk = bytearray()
            e = self.d[self.i + 1:self.i + 2]
            simple = {b'"': '"', b"\\": "\\", b"/": "/", b"b": "\b", b"f": "\f", b"n": "\n", b"r": "\r", b"t": "\t"}
            if e in simple:
                out.append(simple[e])
                self.i += 2
                continue
            if e != b"u":
                raise JSONError("in string escape code")
            r = self.hex4(self.i + 2)
            self.i += 6
            if 0xD800 <= r < 0xDC00 and self.d[self.i:self.i + 2] == b"\\u":
                r2 = self.hex4(self.i + 2)
                if 0xDC00 <= r2 < 0xE000:
                    out.append(chr(0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00)))
                    self.i += 6
                    continue
            out.append("\ufffd" if 0xD800 <= r < 0xE000 else chr(r))

    def hex4(self, at: int) -> int:
        digits = self.d[at:at + 4]
        if len(digits) != 4 or any(x not in _HEXDIGITS for x in digits):
            raise JSONError("in \\u hexadecimal character escape")
        return int(digits.decode(), 16)


def decode_first(body: bytes) -> J:
    """``json.NewDecoder(body).Decode``: the first value; a scalar must be followed by a space or the end."""
    if not body:
        raise GoError(400, "Request body is empty")
    s = Scanner(body)
    try:
        v = s.value()
    except (JSONError, IndexError) as exc:
        raise GoError(400, f"decode: {exc}") from None
    if v.kind not in ("object", "array") and s.i < len(body) and body[s.i] not in b" \t\n\r":
        raise GoError(400, "invalid character after top-level value")
    return v


# ---------------------------------------------------------------------------- encoding/json: fields
def _orbit(ch: str) -> str:
    """A representative of ``ch``'s Unicode simple-fold orbit (enough for ASCII field names)."""
    if ch in "sSſ":
        return "s"
    if ch in "kKK":
        return "k"
    return ch.lower() if ch.isascii() else ch


def equal_fold(a: str, b: str) -> bool:
    return len(a) == len(b) and all(_orbit(x) == _orbit(y) for x, y in zip(a, b, strict=True))


def pick(fields: list[str], key: str) -> str | None:
    """Which struct field a key sets: the exact name, else a case-folded match."""
    if key in fields:
        return key
    for name in fields:
        if equal_fold(name, key):
            return name
    return None


def to_int(v: J, bits: int, unsigned: bool) -> int:
    if v.kind != "number":
        raise GoError(400, f"cannot unmarshal {v.kind} into int")
    text = v.value
    if any(c in text for c in ".eE"):
        raise GoError(400, f"cannot unmarshal number {text} into int")
    n = int(text)
    lo, hi = (0, 2 ** bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if not lo <= n <= hi:
        raise GoError(400, f"cannot unmarshal number {text} into int")
    return n


def to_float_ok(v: J) -> None:
    """interface{} numbers are float64: out of range is an error."""
    if v.kind == "number" and abs(float(v.value)) == float("inf"):
        raise GoError(400, f"cannot unmarshal number {v.value}")
    for _k, child in v.pairs:
        to_float_ok(child)
    if v.kind == "array":
        for child in v.value:
            to_float_ok(child)


def plain(v: J) -> Any:
    if v.kind == "object":
        return {k: plain(c) for k, c in v.pairs}
    if v.kind == "array":
        return [plain(c) for c in v.value]
    if v.kind == "number":
        return float(v.value)
    return v.value


def decode_struct(v: J, spec: dict[str, str]) -> dict[str, Any]:
    """Decode an object into a struct described as {field: type}; types: str, bool, int64, uint64, *int64,
    *uint64, int, map_str, map_any, bytes, obj (a pointer to a struct kept as merged pairs), sub:<...>."""
    out: dict[str, Any] = {name: (None if t.startswith(("*", "map", "bytes", "obj", "sub")) else
                                  {"str": "", "bool": False}.get(t, 0)) for name, t in spec.items()}
    if v.kind == "null":
        return out
    if v.kind != "object":
        raise GoError(400, f"cannot unmarshal {v.kind} into request")
    errors: list[str] = []
    for key, child in v.pairs:
        name = pick(list(spec), key)
        if name is None:
            continue
        try:
            out[name] = _assign(spec[name], child, out[name])
        except GoError as exc:
            errors.append(str(exc))
    if errors:
        raise GoError(400, errors[0])
    return out


def _assign(t: str, v: J, current: Any) -> Any:
    if v.kind == "null":
        return None if t.startswith(("*", "map", "bytes", "obj", "sub")) else current
    if t == "str":
        if v.kind != "string":
            raise GoError(400, f"cannot unmarshal {v.kind} into string")
        return v.value
    if t == "bool":
        if v.kind != "bool":
            raise GoError(400, f"cannot unmarshal {v.kind} into bool")
        return v.value
    if t in ("int64", "*int64", "int"):
        return to_int(v, 64, False)
    if t in ("uint64", "*uint64"):
        return to_int(v, 64, True)
    if t in ("map_str", "map_any"):
        if v.kind != "object":
            raise GoError(400, f"cannot unmarshal {v.kind} into map")
        m = dict(current or {})
        for k, child in v.pairs:
            if t == "map_any":
                to_float_ok(child)
                m[k] = plain(child)
            elif child.kind == "null":
                m[k] = ""
            elif child.kind == "string":
                m[k] = child.value
            else:
                raise GoError(400, f"cannot unmarshal {child.kind} into map value string")
        return m
    if t == "bytes":
        import base64
        import binascii
        if v.kind != "string":
            raise GoError(400, f"cannot unmarshal {v.kind} into []uint8")
        try:
            return base64.b64decode(v.value.replace("\r", "").replace("\n", ""), validate=True)
        except (binascii.Error, ValueError):
            raise GoError(400, "illegal base64 data") from None
    if t == "obj":
        if v.kind != "object":
            raise GoError(400, f"cannot unmarshal {v.kind} into api.Job")
        return J("object", pairs=(current.pairs if current else []) + list(v.pairs))
    raise AssertionError(t)


def obj_field(obj: J | None, name: str) -> J | None:
    """The last pair of a struct object whose key picks ``name`` (fields of api.Job are unique by fold)."""
    found = None
    for key, child in (obj.pairs if obj else []):
        if key == name or equal_fold(key, name):
            found = child
    return found


# ---------------------------------------------------------------------------- Nomad's agent
_API_WRITE = {"Region": "str", "Namespace": "str", "SecretID": "str", "IdempotencyToken": "str"}
_STRUCTS_WRITE = {"Region": "str", "Namespace": "str", "AuthToken": "str", "IdempotencyToken": "str",
                  "Forwarded": "bool"}
BODY_SPECS = {
    "register": {"Job": "obj", "EnforceIndex": "bool", "JobModifyIndex": "uint64", "PolicyOverride": "bool",
                 "PreserveCounts": "bool", "EvalPriority": "int", **_API_WRITE},
    "plan": {"Job": "obj", "Diff": "bool", "PolicyOverride": "bool", **_API_WRITE},
    "scale": {"Count": "*int64", "Target": "map_str", "Message": "str", "Error": "bool", "Meta": "map_any",
              "PolicyOverride": "bool", "JobModifyIndex": "uint64", **_API_WRITE},
    "revert": {"JobID": "str", "JobVersion": "uint64", "EnforcePriorVersion": "*uint64", "ConsulToken": "str",
               "VaultToken": "str", **_STRUCTS_WRITE},
    "dispatch": {"JobID": "str", "Payload": "bytes", "Meta": "map_str", "IdPrefixTemplate": "str",
                 **_STRUCTS_WRITE},
}
SUFFIXES = ["/evaluate", "/allocations", "/evaluations", "/periodic/force", "/plan", "/summary", "/dispatch",
            "/versions", "/revert", "/deployments", "/deployment", "/stable", "/scale", "/services", "/submission",
            "/actions", "/action"]
_KINDS = {"/plan": "plan", "/dispatch": "dispatch", "/revert": "revert", "/scale": "scale"}


def route(method: str, path: str) -> tuple[str, str]:
    """(kind, job ID) as Nomad's mux and ``JobSpecificRequest`` route a write; kind "other" for the rest."""
    if method not in ("PUT", "POST"):
        return "other", ""
    if path == "/v1/jobs":
        return "register", ""
    if path.startswith("/v1/job/"):
        rest = path[len("/v1/job/"):]
        for suffix in SUFFIXES:
            if rest.endswith(suffix):
                return _KINDS.get(suffix, "other"), rest[: -len(suffix)]
        return "register", rest
    return "other", ""


def header_token(headers: dict[str, str]) -> str | None:
    x = headers.get("X-Nomad-Token", "")
    if x:
        return x.strip(" \t")
    auth = headers.get("Authorization", "")
    parts = auth.split(" ")
    if len(parts) > 1 and parts[0].lower() == "bearer":
        return " ".join(parts[1:]).strip(" \t").split(" ")[0].strip(" \t")
    return None


@dataclass
class View:
    """What Nomad would do with a write: where, on which job, with which arguments."""

    kind: str
    job_id: str
    namespace: str
    token: str
    body: dict[str, Any]
    job: J | None = None

    @property
    def group(self) -> str:
        return (self.body.get("Target") or {}).get("Group", "")


def nomad_view(method: str, raw_target: bytes, headers: dict[str, str], body: bytes) -> View:
    """Nomad's reading of a write request; GoError where Nomad answers an error without acting."""
    path_b, rawq = parse_request_uri(raw_target)
    path = path_b.decode("utf-8", "surrogateescape")
    kind, job_id = route(method, path)
    if kind == "other":
        raise GoError(404, "not a job write")
    query = parse_query(rawq)
    fields = decode_struct(decode_first(body), BODY_SPECS[kind])
    header = header_token(headers)
    if kind in ("register", "plan"):
        job = fields["Job"]
        if job is None:
            raise GoError(400, "Job must be specified")
        jid = obj_field(job, "ID")
        if jid is None or jid.kind == "null":
            raise GoError(400, "Job ID hasn't been provided")
        if jid.kind != "string":
            raise GoError(400, "cannot unmarshal into ID")
        if job_id and jid.value != job_id:
            raise GoError(400, "Job ID does not match")
        for name in ("Namespace", "Region"):
            value = obj_field(job, name)
            if value is not None and value.kind not in ("string", "null"):
                raise GoError(400, f"cannot unmarshal {value.kind} into {name}")
        jns = obj_field(job, "Namespace")
        job_ns = jns.value if jns is not None and jns.kind == "string" else ""
        ns = query_get(query, "namespace") or fields["Namespace"] or job_ns or "default"
        token = header if header is not None else fields["SecretID"]
        return View(kind, jid.value, ns, token, fields, job)
    if kind == "scale":
        target = fields["Target"] or {}
        if target.get("Job", "") and target["Job"] != job_id:
            raise GoError(400, "job ID in payload did not match URL")
        ns = query_get(query, "namespace") or "default"
        if target.get("Namespace", "") and target["Namespace"] != ns:
            raise GoError(400, "namespace in payload did not match header")
        if not target.get("Group"):
            raise GoError(400, "missing task group name for scaling action")
        if fields["Count"] is not None and fields["Count"] < 0:
            raise GoError(400, "scaling action count can't be negative")
        if fields["Count"] is not None and fields["Error"]:
            raise GoError(400, "scaling action should not contain count if error is true")
        return View(kind, job_id, ns, header or "", fields)
    if kind == "revert":
        if not fields["JobID"]:
            raise GoError(400, "JobID must be specified")
        if fields["JobID"] != job_id:
            raise GoError(400, "Job ID does not match")
    elif fields["JobID"] and fields["JobID"] != job_id:
        raise GoError(400, "Job ID does not match")
    ns = query_get(query, "namespace") or fields["Namespace"] or "default"
    token = header if header is not None else fields["AuthToken"]
    return View(kind, job_id, ns, token, fields)
