"""Hashes, bcrypt, rsadecrypt and UUIDs."""

import base64
import hashlib
import re

import pytest

from jobguard.jobspec.functions import FunctionError, call_function


def call(name, *args):
    return call_function(name, list(args))


def test_hashes_are_lowercase_hex_of_utf8():
    assert call("sha256", "hello world") == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
    assert call("sha512", "hello world").startswith("309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f")
    assert call("md5", "hello world") == "5eb63bbbe01eeed093cb22bb8f5acdc3"
    assert call("sha1", "hello world") == "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"
    assert call("sha256", "é") == hashlib.sha256("é".encode()).hexdigest()  # hashed as UTF-8
    assert call("sha256", 12) == hashlib.sha256(b"12").hexdigest()  # numbers convert to strings first


def test_bcrypt_hash_verifies():
    import bcrypt

    hashed = call("bcrypt", "hello", 4)
    assert hashed.startswith("$2a$04$")
    assert bcrypt.checkpw(b"hello", hashed.encode())
    assert call("bcrypt", "hello", 1).startswith("$2a$10$")  # below MinCost Go uses the default cost


def test_bcrypt_errors():
    with pytest.raises(FunctionError) as exc:
        call("bcrypt", "x", 32)
    assert exc.value.message == ("error occured generating password crypto/bcrypt: cost 32 is outside allowed range "
                                 "(4,31)")
    with pytest.raises(FunctionError) as exc:
        call("bcrypt", "x", 5, 6)
    assert exc.value.message == "bcrypt() takes no more than two arguments"


def _rsa_fixture():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()).decode()
    ciphertext = base64.b64encode(key.public_key().encrypt(b"secret", padding.PKCS1v15())).decode()
    return pem, ciphertext


def test_rsadecrypt_roundtrip():
    pytest.importorskip("cryptography")
    pem, ciphertext = _rsa_fixture()
    assert call("rsadecrypt", ciphertext, pem) == "secret"


def test_rsadecrypt_errors():
    with pytest.raises(FunctionError) as exc:
        call("rsadecrypt", "not base64!", "key")
    assert exc.value.message == 'failed to decode input "not base64!": cipher text must be base64-encoded'
    with pytest.raises(FunctionError) as exc:
        call("rsadecrypt", "aGVsbG8=", "no pem here")
    assert exc.value.message == "failed to parse key: no key found"
    encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n" \
                "-----END RSA PRIVATE KEY-----\n"
    with pytest.raises(FunctionError) as exc:
        call("rsadecrypt", "aGVsbG8=", encrypted)
    assert exc.value.message.startswith("failed to parse key: password protected keys are not supported")


def test_uuids():
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", call("uuidv4"))
    assert call("uuidv4") != call("uuidv4")
    assert call("uuidv5", "dns", "www.terraform.io") == "a5008fae-b28c-5ba5-96cd-82b4c53552d6"
    assert call("uuidv5", "url", "https://www.terraform.io/") == "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"
    assert call("uuidv5", "oid", "1.3.6.1.4") == "af9d40a5-7a36-5c07-b23a-851cd99fbfa5"
    assert call("uuidv5", "x500", "CN=Example,C=GB") == "84e09961-4aa4-57f8-95b7-03edb1073253"
    assert call("uuidv5", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io") == \
        "a5008fae-b28c-5ba5-96cd-82b4c53552d6"
    with pytest.raises(FunctionError) as exc:
        call("uuidv5", "tld", "x")
    assert exc.value.message == "uuidv5() doesn't support namespace tld (invalid UUID length: 3)"
