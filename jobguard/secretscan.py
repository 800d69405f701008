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
from collections.abc import Iterator
from functools import lru_cache

from jobguard.goregex import GoRegex, compile_go, quote_meta

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


@lru_cache(maxsize=1)
def _detectors() -> tuple:
    """detect-secrets' regex detectors, instantiated once (lazy: importing them costs ~0.1 s)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    out = []
    for secret_type, cls in sorted(get_mapping_from_secret_type_to_class().items()):
        if cls.__name__ in _SKIPPED_DETECTORS or not issubclass(cls, RegexBasedDetector):
            continue
        out.append((secret_type, cls()))
    return tuple(out)


def pattern_kind(value: str) -> str | None:
    """The kind of secret a known token format or detect-secrets detector recognises in ``value``."""
    if len(value) < 8:
        return None
    for kind, rx in _HASHICORP_TOKENS:
        if rx.search(value):
            return kind
    for secret_type, detector in _detectors():
        for _ in detector.analyze_string(value):
            return secret_type
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


def url_credentials_in_text(text: str) -> str | None:
    for m in re.finditer(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+", text):
        kind = url_credentials(m.group(0))
        if kind:
            return kind
    return None
