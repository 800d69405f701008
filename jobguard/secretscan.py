"""Recognising secrets and credential names in job values.

Two questions matter to the secret rules, and both live here (not in the rule pack) so the rules, the engine's
redaction of policy output (:mod:`jobguard.engine.redaction`) and the report snippets agree on the answers:

* *Is this key named like a credential?* (``DB_PASSWORD``, ``apiKey``, ``client-secret``; but not ``TOKEN_TTL``
  or ``PASSWORD_FILE``: a descriptor at the end of the name says the value is *about* a credential.)
* *Is this value a secret?* detect-secrets' own detectors (its plugins' regexes and its Shannon-entropy measure,
  used in-process as a library) plus HashiCorp token formats, after removing what is certainly not a secret:
  runtime interpolations ``${...}``, Go-template actions ``{{ ... }}``, paths, digests and checksums, image refs.

detect-secrets is imported lazily (its plugin discovery costs ~0.1 s) and its detectors are built once.
Nothing here ever returns the secret itself: callers get a *kind* ("AWS Access Key", "password literal").
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from jobguard.goregex import GoRegex, GoRegexError, compile_go, quote_meta

# Words that make a key a credential when they appear as a word of its name.
CREDENTIAL_WORDS = frozenset({
    "PASSWORD", "PASSWD", "PASS", "PWD", "PW", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "APIKEY", "APITOKEN",
    "ACCESSTOKEN", "AUTHTOKEN", "SECRETKEY", "PRIVATEKEY", "ACCESSKEY", "CREDENTIALS", "CREDENTIAL", "CREDS",
    "PAT",  # personal access token (GitHub, GitLab, Azure DevOps)
})
# Two-word credential names (``API_KEY``, ``apiKey``, ``private-key``, ...).
CREDENTIAL_PAIRS = frozenset({
    ("API", "KEY"), ("PRIVATE", "KEY"), ("ACCESS", "KEY"), ("SECRET", "KEY"), ("ENCRYPTION", "KEY"),
    ("SIGNING", "KEY"), ("MASTER", "KEY"), ("AUTH", "KEY"), ("CLIENT", "KEY"), ("GOSSIP", "KEY"),
    ("LICENSE", "KEY"), ("SSH", "KEY"), ("SHARED", "KEY"), ("HMAC", "KEY"), ("TLS", "KEY"), ("SSL", "KEY"),
})
# A last word that turns a credential name into metadata about a credential (where it is, how long it lives...).
DESCRIPTOR_WORDS = frozenset({
    "FILE", "FILES", "PATH", "DIR", "DIRECTORY", "FILENAME", "LOCATION", "MOUNT", "TTL", "EXPIRY", "EXPIRATION",
    "EXPIRES", "TIMEOUT", "INTERVAL", "PERIOD", "DURATION", "AGE", "LIFETIME", "LENGTH", "LEN", "SIZE", "MIN",
    "MAX", "ENABLED", "ENABLE", "DISABLED", "DISABLE", "REQUIRED", "MODE", "TYPE", "KIND", "NAME", "NAMES", "ID",
    "HEADER", "FIELD", "PARAM", "URL", "URI", "ENDPOINT", "ADDR", "ADDRESS", "HOST", "PORT", "ROLE", "POLICY",
    "POLICIES", "METHOD", "ALGORITHM", "ALG", "FORMAT", "ENV", "VAR", "ISSUER", "AUDIENCE", "SCOPE", "SCOPES",
    "PREFIX", "VERSION", "COUNT", "USER", "USERNAME", "LOGIN", "PROVIDER", "BACKEND", "ENGINE", "STORE",
    "SOURCE", "REF", "KEYS", "LIST", "LABEL",
})
# What report snippets mask on sight: a name containing one of these anywhere (``DB_PASSWORD``, ``x-api-key``,
# ``TOKENS``). Broader than :func:`is_credential_key` on purpose: masking a harmless line in a report costs
# nothing, showing a secret does. Used for a finding's key and for ``name =``/``name:`` in a shown source line.
CREDENTIAL_NAME = re.compile(r"(?i)(password|passwd|secret|token|api_?key|private_?key|credential)")
CREDENTIAL_ASSIGNMENT = re.compile(CREDENTIAL_NAME.pattern + r"[\w\"']*\s*[=:]")
# Keys whose value is a hash/digest/identifier by nature: hex or base64 there is not a secret.
DIGEST_KEY = re.compile(
    r"(checksum|digest|hash|sha\d*|md5|fingerprint|etag|commit|revision|rev|version|tag|image)$", re.I)

_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_TRIVIAL = frozenset({"", "yes", "no", "true", "false", "on", "off", "0", "1", "none", "null", "nil", "-",
                      "enabled", "disabled", "required", "optional"})
_TEMPLATE_ACTION = compile_go(r"(?s)\{\{-?\s*/\*.*?\*/\s*-?\}\}|\{\{.*?\}\}")  # RE2: linear on "{{" * 10_000
_INTERPOLATION = re.compile(r"\$\{[^}]*\}")
_PATH_LIKE = re.compile(r"^(?:/|\./|\.\./|~/|(?:local|secrets|alloc|tmp)/)[^\s]*$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_DIGEST_VALUE = re.compile(r"^(?:sha(?:1|224|256|384|512)|md5|blake2b?)[:=-][0-9a-fA-F]{20,}$", re.I)
_IMAGE_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HASH_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})  # md5, sha1, sha224, sha256, sha384, sha512 in hex
_SHELL_REF = re.compile(r"\$\(|\$[A-Za-z_]")
_PUBLIC_KEY = re.compile(r"^(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com) AAAA")

# HashiCorp token formats detect-secrets does not know.
_HASHICORP_TOKENS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Vault service token", re.compile(r"(?<![A-Za-z0-9])hvs\.[A-Za-z0-9_-]{24,}")),
    ("Vault batch token", re.compile(r"(?<![A-Za-z0-9])hvb\.[A-Za-z0-9_-]{24,}")),
    ("Vault recovery token", re.compile(r"(?<![A-Za-z0-9])hvr\.[A-Za-z0-9_-]{24,}")),
    ("Vault token (legacy format)", re.compile(r"(?<![A-Za-z0-9./])[sb]\.[A-Za-z0-9]{24}(?![A-Za-z0-9.])")),
    ("Terraform/HCP API token", re.compile(r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}")),
)
_B64_RUN = re.compile(r"[A-Za-z0-9+/=_-]{20,}")
_HEX_RUN = re.compile(r"[0-9a-fA-F]{16,}")
_B64_CHARSET = string.ascii_letters + string.digits + "+/-_="
_HEX_CHARSET = string.hexdigits
B64_ENTROPY_LIMIT = 4.5   # detect-secrets' default for Base64HighEntropyString
HEX_ENTROPY_LIMIT = 3.0   # detect-secrets' default for HexHighEntropyString
# Detectors that do not find secrets (public IPs) or that need code context (keyword) are left out; key names are
# judged by :func:`is_credential_key` instead, entropy by :func:`_entropy_kind`.
_SKIPPED_DETECTORS = frozenset({"IPPublicDetector", "KeywordDetector", "Base64HighEntropyString",
                                "HexHighEntropyString"})


def key_words(key: str) -> list[str]:
    """``dbPassword`` / ``DB_PASSWORD`` / ``db-password`` -> ``["DB", "PASSWORD"]``."""
    words: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", key):
        words.extend(w.upper() for w in _CAMEL.findall(part))
    return words


@lru_cache(maxsize=4096)
def is_credential_key(key: str) -> bool:
    """Is a key named like a credential (and not like metadata about one)?"""
    words = key_words(key)
    if not words:
        return False
    if words[-1] in DESCRIPTOR_WORDS and words[-2:] != ["SECRET", "ID"]:
        return False
    if words == ["PWD"]:   # the shell's working directory
        return False
    if any(w in CREDENTIAL_WORDS for w in words):
        return True
    return any(pair in CREDENTIAL_PAIRS for pair in zip(words, words[1:], strict=False))


@lru_cache(maxsize=4096)
def is_pointer_key(key: str) -> bool:
    """``DB_PASSWORD_FILE``, ``tokenPath``: a credential-named key whose value says where the credential is."""
    words = key_words(key)
    return len(words) > 1 and words[-1] in ("FILE", "PATH", "FILENAME", "LOCATION") and \
        is_credential_key("_".join(words[:-1]))


def is_digest_key(key: str) -> bool:
    return bool(DIGEST_KEY.search(key.replace("-", "_")))


def without_dynamic(value: str) -> str:
    """The literal part of a value: interpolations and Go-template actions removed (they are not secrets)."""
    if "{{" in value:
        value = _TEMPLATE_ACTION.sub(" ", value)
    if "${" in value:
        value = _INTERPOLATION.sub(" ", value)
    return value


def is_digest(value: str, key: str = "") -> bool:
    """``sha256:<hex>`` anywhere, or bare hex of a hash length under a checksum/digest/hash-named key."""
    if _DIGEST_VALUE.match(value):
        return True
    return bool(key) and is_digest_key(key) and len(value) in _HASH_LENGTHS and bool(_HEX_RUN.fullmatch(value))


def is_trivial(value: str) -> bool:
    return value.strip().strip("\"'").lower() in _TRIVIAL


def is_path(value: str) -> bool:
    return bool(_PATH_LIKE.match(value.strip()))


def entropy(data: str, charset: str) -> float:
    """Shannon entropy over ``charset`` (detect-secrets' measure)."""
    if not data:
        return 0.0
    result = 0.0
    for ch in set(data):
        if ch in charset:
            p = data.count(ch) / len(data)
            result -= p * math.log2(p)
    return result


# Long values are scanned by the backtracking detectors in overlapping windows: a window bounds what one regex
# search can cost (some of detect-secrets' patterns are quadratic in the length of a run of matching characters), and
# the overlap is longer than any match those bounded patterns can make (GitLab's agent token, up to 1,032 characters),
# so a secret across a window boundary is still found whole in one window.
DETECTOR_WINDOW = 4096
DETECTOR_OVERLAP = 1088
# Python's ``\s`` on str (what str.isspace() accepts) spelt in RE2 syntax: ASCII whitespace, the information
# separators U+001C..U+001F, NEL and Unicode's separators.
_PY_SPACE_RE2 = r"[\t\n\v\f\r \x{1c}-\x{1f}\x{85}\p{Z}]"
# Escapes whose meaning differs between Python's re on str (Unicode classes) and RE2 (ASCII classes): a pattern with
# any of them (but ``\s`` outside a class, translated above) stays on Python's engine.
_UNICODE_ESCAPES = re.compile(r"\\[dDwWbBS]")


class _Detector(NamedTuple):
    """One detect-secrets detector: its secret type and each pattern on the engine that runs it safely."""

    secret_type: str
    linear: tuple[GoRegex, ...]          # patterns RE2 runs exactly, in linear time
    backtracking: tuple[re.Pattern[str], ...]  # the others (look-arounds, Unicode classes), run in windows


def linear_equivalent(pattern: re.Pattern[str]) -> GoRegex | None:
    r"""The RE2 form of a detect-secrets pattern when RE2 finds exactly what Python's ``re`` finds, else None.

    Exact means: no flags but the default (Unicode) one, no look-arounds or back-references (RE2 refuses them), no
    ``$``, and no escape whose class differs between the engines, except ``\s`` outside a character class, which is
    translated to Python's own set of spaces. Checked against Python's engine by a differential test.
    """
    if pattern.flags & ~re.UNICODE or _UNICODE_ESCAPES.search(pattern.pattern) or "$" in pattern.pattern:
        return None  # (Python's ``$`` also matches before a final newline, RE2's does not)
    source = pattern.pattern
    if "\\s" in source:
        if re.search(r"\[[^\]]*\\s", source):
            return None  # \s inside a character class
        source = source.replace("\\s", _PY_SPACE_RE2)
    try:
        return compile_go(source)
    except GoRegexError:
        return None


@lru_cache(maxsize=1)
def _detectors() -> tuple[_Detector, ...]:
    """detect-secrets' regex detectors, built once (lazy: importing them costs ~0.1 s), each pattern on RE2 where
    that is exact (every pattern that is quadratic on Python's engine is: the JWT, NPM and OpenAI ones)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    out = []
    for secret_type, cls in sorted(get_mapping_from_secret_type_to_class().items()):
        if cls.__name__ in _SKIPPED_DETECTORS or not issubclass(cls, RegexBasedDetector):
            continue
        linear: list[GoRegex] = []
        backtracking: list[re.Pattern[str]] = []
        for pattern in cls().denylist:
            rx = linear_equivalent(pattern)
            if rx is None:
                backtracking.append(pattern)
            else:
                linear.append(rx)
        out.append(_Detector(secret_type, tuple(linear), tuple(backtracking)))
    return tuple(out)


def detector_windows(value: str) -> Iterator[str]:
    """``value`` in overlapping slices of :data:`DETECTOR_WINDOW` characters (the whole value when it is short)."""
    if len(value) <= DETECTOR_WINDOW:
        yield value
        return
    step = DETECTOR_WINDOW - DETECTOR_OVERLAP
    for start in range(0, len(value) - DETECTOR_OVERLAP, step):
        yield value[start:start + DETECTOR_WINDOW]


def _finds(matches: Iterable[Any], groups: int) -> bool:
    """Does detect-secrets' ``analyze_string`` report one of these matches? With groups, only a non-empty group is."""
    return any(groups == 0 or any(m.groups()) for m in matches)


def detector_finds(detector: _Detector, value: str) -> bool:
    """Would detect-secrets' detector report a secret in ``value``? In time linear in its length."""
    if any(_finds(rx.finditer(value), rx.groups) for rx in detector.linear):
        return True
    return any(_finds(rx.finditer(window), rx.groups)
               for rx in detector.backtracking for window in detector_windows(value))


def pattern_kind(value: str) -> str | None:
    """The kind of secret a known token format or detect-secrets detector recognises in ``value``."""
    if len(value) < 8:
        return None
    for kind, rx in _HASHICORP_TOKENS:
        if rx.search(value):
            return kind
    for detector in _detectors():
        if detector_finds(detector, value):
            return detector.secret_type
    return None


def _entropy_kind(value: str, key: str, credential: bool) -> str | None:
    """High-entropy tokens (detect-secrets' limits). Hex only counts under a credential name: elsewhere hex runs are
    commit SHAs, digests and IDs."""
    if is_digest_key(key) or _URL.match(value) or is_path(value):
        return None
    cleaned = _IMAGE_DIGEST.sub("", value)
    for run in _B64_RUN.findall(cleaned):
        if "/" in run and not credential:
            continue  # path-ish: a/b/c segments, not a key
        if _DIGEST_VALUE.match(run) or (_HEX_RUN.fullmatch(run) and not credential):
            continue
        if entropy(run, _B64_CHARSET) > B64_ENTROPY_LIMIT:
            return "high-entropy string"
    if credential:
        for run in _HEX_RUN.findall(cleaned):
            if len(run) >= 20 and entropy(run, _HEX_CHARSET) > HEX_ENTROPY_LIMIT:
                return "high-entropy hex string"
    return None


def url_credentials(value: str) -> str | None:
    """``scheme://user:password@host`` (a password, not just a user name) or a credential-named query parameter."""
    m = re.match(r"^(?:[a-z0-9]+::)?[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]*)", value.strip())
    if not m:
        return None
    authority = m.group(1)
    if "@" in authority:
        userinfo = authority.rsplit("@", 1)[0]
        if ":" in userinfo:
            password = userinfo.split(":", 1)[1]
            if password.strip() and not has_dynamic(password) and not is_trivial(password):
                return "password in URL"
    query = value.split("?", 1)[1] if "?" in value else ""
    for part in re.split(r"[&;]", query):
        name, _, val = part.partition("=")
        if val and is_credential_key(name) and without_dynamic(val).strip():
            return f"credential in URL query parameter {name!r}"
        if name.lower() in ("x-amz-signature", "sig", "signature", "x-goog-signature") and val:
            return "signed URL signature"
    return None


def secret_kind(value: str, key: str = "") -> str | None:
    """Why ``value`` (stored under ``key``) is a secret, or None. Never includes the value."""
    if not isinstance(value, str):
        return None
    kind = url_credentials(value)
    if kind:
        return kind
    literal = without_dynamic(value)
    if not literal.strip() or is_digest(literal.strip(), key):
        return None
    kind = pattern_kind(literal)
    if kind:
        return kind
    credential = bool(key) and is_credential_key(key)
    if credential and _UUID.match(literal.strip()):
        return "Nomad/Consul secret ID"
    if credential and literal_credential(value):
        return "credential literal"
    return _entropy_kind(literal, key, credential)


def literal_credential(value: str) -> bool:
    """Is a value under a credential name a literal (rather than a reference, a path or a placeholder flag)?"""
    if not isinstance(value, str):
        return False
    if has_dynamic(value):
        return False  # rendered or interpolated at runtime: the secret is not in the job
    stripped = value.strip()
    if is_trivial(stripped) or is_path(stripped) or is_public_key(stripped):
        return False
    if _URL.match(stripped):
        return url_credentials(stripped) is not None
    return True


def has_dynamic(value: str) -> bool:
    """Rendered or substituted at runtime: Nomad interpolation, Go template, shell ``$(...)``/``$VAR``."""
    return "${" in value or "{{" in value or bool(_SHELL_REF.search(value))


def is_public_key(value: str) -> bool:
    return bool(_PUBLIC_KEY.match(value.strip()))


def _is_reference(value: str, name: str) -> bool:
    """An unquoted identifier named like a credential (``password=pg_password``) is a variable, not a value."""
    v = value.strip()
    return v.lower() == name.lower() or (bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v)) and "_" in v
                                         and is_credential_key(v))


def looks_like_code(value: str) -> bool:
    """An unquoted right-hand side that is an expression, not a literal: ``f(x)``, ``obj.attr``, ``[a, b]``."""
    v = value.strip()
    return bool(re.search(r"[()\[\]]", v)) or bool(re.fullmatch(r"[A-Za-z_]\w*(?:\.\w+)+", v))


# A long command-line flag and its unquoted value on a script line: ``--token VALUE`` (``--token=VALUE`` and quoted
# values are assignments above).
_FLAG_VALUE = re.compile(r"""(?:^|\s)--([A-Za-z][A-Za-z0-9_-]*)\s+([^\s"'$\\-][^\s"';|&]*)""")
_ASSIGNMENT = re.compile(
    r"""(?:^|[\s;,{(])(?:export\s+|--?)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*(?:=|:(?!//)|\s(?=["']))\s*(["']?)(.*?)\2\s*(?:[,;}]|$)""")


def text_assignments(text: str) -> Iterator[tuple[int, str, str]]:
    """``(line number, name, value)`` for ``NAME=value`` / ``name: value`` / ``--name=value`` lines in a text
    (a template, a command line). Used to find credentials set inside rendered files and arguments."""
    for lineno, line in enumerate(text.splitlines(), 1):
        for m in _ASSIGNMENT.finditer(line):
            yield lineno, m.group(1), m.group(3)


def mask_actions(text: str, left: str = "{{", right: str = "}}") -> str:
    """Each Go-template action replaced by ``{{}}`` (line breaks kept, so line numbers stay right). ``left`` and
    ``right`` are the template's delimiters (``left_delimiter``/``right_delimiter``)."""
    if left == "{{" and right == "}}":
        rx = _TEMPLATE_ACTION
    else:
        rx = _action_regex(left, right)
    if left not in text:
        return text
    return rx.sub(lambda m: "\n" * m.group(0).count("\n") + "{{}}", text)


@lru_cache(maxsize=16)
def _action_regex(left: str, right: str) -> GoRegex:
    """Actions with the job's own delimiters (linear-time RE2: the delimiters and the text come from the job)."""
    lq, rq = quote_meta(left), quote_meta(right)
    return compile_go("(?s)" + lq + r"-?\s*/\*.*?\*/\s*-?" + rq + "|" + lq + ".*?" + rq)


def scan_text(text: str, left: str = "{{", right: str = "}}") -> Iterator[tuple[int, str]]:
    """``(line number, kind)`` of secrets in a free text: known token formats on any line, and credential-named
    assignments whose value is a literal. Go-template actions are masked first (they render data at runtime)."""
    for lineno, line in enumerate(mask_actions(text, left, right).splitlines(), 1):
        kind = url_credentials_in_text(line) or pattern_kind(without_dynamic(line))
        if kind:
            yield lineno, kind
            continue
        for m in _ASSIGNMENT.finditer(line):
            name, quote, val = m.group(1), m.group(2), m.group(3)
            if not quote and (looks_like_code(val) or _is_reference(val, name)):
                continue
            if is_credential_key(name) and literal_credential(val) and len(val.strip()) >= 4:
                yield lineno, "credential literal"
                break
        else:
            for m in _FLAG_VALUE.finditer(line):
                name, val = m.group(1), m.group(2)
                if is_credential_key(name) and not _is_reference(val, name) and literal_credential(val) \
                        and len(val) >= 4:
                    yield lineno, "credential literal"
                    break


_SCHEME_CHARS = string.ascii_letters + string.digits + "+.-"
_URL_REST = re.compile(r"[^\s\"'<>]+")
_ASCII_LETTER = re.compile(r"[a-zA-Z]")


def url_candidates(text: str) -> Iterator[str]:
    """The URLs of a free text: what ``re.finditer(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s\"'<>]+", text)`` finds, in
    linear time.

    Python's backtracking engine runs that regex in quadratic time on a long run of letters: it tries every letter as
    a scheme's start and scans the rest of the run from each (a 128 KiB template took 10 s). Here each ``://`` is
    found once and its scheme read backwards from it; a scheme cannot span a ``://`` (``:`` and ``/`` are not scheme
    characters), so every character is looked at a bounded number of times. As in the regex's leftmost match, a URL
    starts at the first ASCII letter of the run of scheme characters before ``://``, and never inside the previous URL.
    """
    end = 0      # a URL never starts before the previous one ended
    floor = 0    # nor before the previous ``://``
    while (sep := text.find("://", floor)) >= 0:
        head_start = max(end, floor)
        floor = sep + 1
        head = text[head_start:sep]
        letter = _ASCII_LETTER.search(text, head_start + len(head.rstrip(_SCHEME_CHARS)), sep)
        if letter is None:
            continue   # checked before the rest: ``://`` repeated must not match the rest again each time
        rest = _URL_REST.match(text, sep + 3)
        if rest is None:
            continue
        yield text[letter.start():rest.end()]
        end = floor = rest.end()


def url_credentials_in_text(text: str) -> str | None:
    for url in url_candidates(text):
        kind = url_credentials(url)
        if kind:
            return kind
    return None
