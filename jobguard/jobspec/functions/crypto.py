"""Hash, bcrypt, RSA and UUID functions (go-cty-funcs ``crypto`` and ``uuid``).

``bcrypt`` and ``cryptography`` are imported only when ``bcrypt()``/``rsadecrypt()`` are called.
"""

from __future__ import annotations

import re

from jobguard.jobspec.functions.numbers import to_int
from jobguard.jobspec.functions.spec import Param, fail, register
from jobguard.jobspec.functions.types import NUMBER, STRING
from jobguard.jobspec.limits import MAX_BCRYPT_COST, charge_bcrypt, check_limit


def _digest(name: str, s: str) -> str:
    import hashlib  # lazy: loading OpenSSL is slow and most job files hash nothing

    return hashlib.new(name, s.encode("utf-8", "surrogatepass")).hexdigest()


def _hex_digest_function(algorithm: str) -> None:
    """Register HCL's ``<algorithm>(str)``: the hex digest of the string's UTF-8 bytes."""
    def digest(s: str) -> str:
        return _digest(algorithm, s)

    digest.__name__ = digest.__qualname__ = algorithm
    register(algorithm, [Param("str", STRING)])(digest)


for _algorithm in ("md5", "sha1", "sha256", "sha512"):
    _hex_digest_function(_algorithm)


@register("bcrypt", [Param("str", STRING)], var_param=Param("cost", NUMBER))
def bcrypt_(s: str, *cost: int | float) -> str:
    default_cost = 10
    if cost:
        try:
            default_cost = to_int(cost[0])
        except ValueError as exc:
            raise fail(str(exc)) from None
    if len(cost) > 1:
        raise fail("bcrypt() takes no more than two arguments")
    import bcrypt

    if default_cost < 4:
        default_cost = 10  # Go's bcrypt.GenerateFromPassword silently uses DefaultCost below MinCost
    if default_cost > 31:
        raise fail(f"error occured generating password crypto/bcrypt: cost {default_cost} is outside allowed range "
                   f"(4,31)")
    password = s.encode("utf-8", "surrogatepass")
    if len(password) > 72:
        raise fail("error occured generating password bcrypt: password length exceeds 72 bytes")
    # each step of cost doubles the time (cost 31 is days of CPU); checked after Go's own errors, so those stay
    check_limit(default_cost, MAX_BCRYPT_COST, "bcrypt's cost")
    charge_bcrypt(default_cost)
    return bcrypt.hashpw(password, bcrypt.gensalt(rounds=default_cost, prefix=b"2a")).decode("ascii")


@register("rsadecrypt", [Param("ciphertext", STRING), Param("privatekey", STRING)])
def rsadecrypt(ciphertext: str, privatekey: str) -> str:
    import base64
    import binascii

    try:
        data = base64.b64decode(ciphertext.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        raise fail(f"failed to decode input {_go_quote(ciphertext)}: cipher text must be base64-encoded") from None
    block = _pem_block(privatekey)
    if block is None:
        raise fail("failed to parse key: no key found")
    headers, der = block
    if headers.get("Proc-Type") == "4,ENCRYPTED":
        raise fail("failed to parse key: password protected keys are not supported. Please decrypt the key prior "
                   "to use")
    try:
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
        from cryptography.hazmat.primitives.serialization import load_der_private_key
    except ImportError:  # pragma: no cover - cryptography is a declared optional dependency
        raise fail("rsadecrypt needs the Python 'cryptography' package") from None
    try:
        key = load_der_private_key(_pkcs1_to_pkcs8(der), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError
    except ValueError:
        raise fail("x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)") \
            from None
    try:
        out = key.decrypt(data, padding.PKCS1v15())
    except ValueError:
        raise fail("crypto/rsa: decryption error") from None
    return out.decode("utf-8", "replace")


def _pem_block(text: str) -> tuple[dict[str, str], bytes] | None:
    """Go ``pem.Decode``: the first PEM block's headers and DER bytes."""
    import base64
    import binascii

    m = re.search(r"-----BEGIN ([^-\n]*)-----\r?\n(.*?)-----END \1-----", text, re.S)
    if not m:
        return None
    body = m.group(2)
    headers: dict[str, str] = {}
    lines = body.splitlines()
    if lines and ":" in lines[0]:
        while lines and ":" in lines[0]:
            k, _, v = lines.pop(0).partition(":")
            headers[k.strip()] = v.strip()
        if lines and not lines[0].strip():
            lines.pop(0)
    try:
        return headers, base64.b64decode("".join(line.strip() for line in lines), validate=True)
    except (binascii.Error, ValueError):
        return None


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _pkcs1_to_pkcs8(der: bytes) -> bytes:
    """Wrap a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (Go's ParsePKCS1PrivateKey accepts only PKCS#1)."""
    algo = bytes.fromhex("300d06092a864886f70d0101010500")
    version = b"\x02\x01\x00"
    octet = b"\x04" + _der_len(len(der)) + der
    body = version + algo + octet
    return b"\x30" + _der_len(len(body)) + body


def _go_quote(text: str) -> str:
    from jobguard.jobspec.functions.setorder import go_quote

    return go_quote(text)


@register("uuidv4", [])
def uuidv4() -> str:
    import uuid

    return str(uuid.uuid4())


def _parse_google_uuid(text: str):  # -> uuid.UUID
    import uuid

    """github.com/google/uuid ``Parse`` (36 chars, ``{...}``, ``urn:uuid:...`` or 32 hex digits)."""
    s = text
    if len(s) == 45 and s[:9].lower() == "urn:uuid:":
        s = s[9:]
    elif len(s) == 38 and s[0] == "{" and s[-1] == "}":
        s = s[1:-1]
    elif len(s) == 32:
        if not re.fullmatch(r"[0-9a-fA-F]{32}", s):
            raise ValueError("invalid UUID format")
        return uuid.UUID(hex=s)
    elif len(s) != 36:
        raise ValueError(f"invalid UUID length: {len(text)}")
    if len(s) != 36 or not re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                                        s):
        raise ValueError("invalid UUID format")
    return uuid.UUID(s)


@register("uuidv5", [Param("namespace", STRING), Param("name", STRING)])
def uuidv5(namespace: str, name: str) -> str:
    import uuid

    namespaces = {"dns": uuid.NAMESPACE_DNS, "url": uuid.NAMESPACE_URL, "oid": uuid.NAMESPACE_OID,
                  "x500": uuid.NAMESPACE_X500}
    ns = namespaces.get(namespace)
    if ns is None:
        try:
            ns = _parse_google_uuid(namespace)
        except ValueError as exc:
            raise fail(f"uuidv5() doesn't support namespace {namespace} ({exc})") from None
    return str(uuid.uuid5(ns, name))
