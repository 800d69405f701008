"""Settings resolution like the nomad CLI (flags > NOMAD_* > audit block > defaults) and secret handling."""

from __future__ import annotations

import logging

import pytest

from jobguard.audit.settings import AuditSettings, ScrubFilter, SettingsError, go_bool, parse_address, resolve

SECRET = "5e1f0d2c-aaaa-bbbb-cccc-0123456789ab"


def test_defaults():
    settings = resolve({}, env={})
    assert (settings.address, settings.namespace, settings.region, settings.token) == (
        "http://127.0.0.1:4646", "*", "", "")
    assert (settings.concurrency, settings.retries, settings.include_stopped) == (8, 3, False)


def test_precedence_flag_env_block():
    env = {"NOMAD_ADDR": "https://nomad.example:4646", "NOMAD_NAMESPACE": "team-a", "NOMAD_REGION": "eu",
           "NOMAD_TOKEN": SECRET}
    block = {"namespace": "ops", "region": "us", "concurrency": 3, "include_stopped": True, "change_log": "c.jsonl"}
    settings = resolve({}, env=env, block=block)
    assert (settings.address, settings.namespace, settings.region, settings.token) == (
        "https://nomad.example:4646", "team-a", "eu", SECRET)
    assert (settings.concurrency, settings.include_stopped, settings.change_log) == (3, True, "c.jsonl")
    assert resolve({}, env={}, block=block).namespace == "ops"
    flags = {"address": "http://10.0.0.1:4646", "namespace": "dev", "region": "ap", "token": "flag-token-1234"}
    settings = resolve(flags, env=env, block=block)
    assert (settings.address, settings.namespace, settings.region, settings.token) == (
        "http://10.0.0.1:4646", "dev", "ap", "flag-token-1234")


def test_tls_from_the_nomad_cli_variables():
    env = {"NOMAD_CACERT": "ca.pem", "NOMAD_CAPATH": "cas/", "NOMAD_CLIENT_CERT": "c.pem", "NOMAD_CLIENT_KEY": "k.pem",
           "NOMAD_TLS_SERVER_NAME": "server.global.nomad", "NOMAD_SKIP_VERIFY": "true"}
    tls = resolve({}, env=env).tls
    assert (tls.ca_cert, tls.ca_path, tls.client_cert, tls.client_key, tls.server_name, tls.skip_verify) == (
        "ca.pem", "cas/", "c.pem", "k.pem", "server.global.nomad", True)
    assert resolve({"tls_skip_verify": False}, env=env).tls.skip_verify is False
    with pytest.raises(SettingsError, match="client certificate needs its key"):
        resolve({}, env={"NOMAD_CLIENT_CERT": "c.pem"})


@pytest.mark.parametrize("text, value", [("1", True), ("t", True), ("TRUE", True), ("True", True), ("0", False),
                                         ("F", False), ("false", False), ("yes", None), ("", None)])
def test_skip_verify_reads_like_go_parse_bool(text, value):
    assert go_bool(text) is value


def test_unreadable_skip_verify_is_ignored_with_a_warning():
    warnings = []
    assert resolve({}, env={"NOMAD_SKIP_VERIFY": "yes"}, warn=warnings.append).tls.skip_verify is False
    assert warnings == ["ignoring NOMAD_SKIP_VERIFY='yes': not a boolean"]


def test_address_user_info_becomes_basic_auth_and_is_never_shown():
    address, auth = parse_address(f"https://ops:{SECRET}@nomad.example:4646/prefix/")
    assert (address, auth) == ("https://nomad.example:4646/prefix", ("ops", SECRET))
    settings = AuditSettings(address=address, http_auth=auth, token="tok-" + SECRET[:8])
    assert SECRET not in repr(settings) and "tok-" not in repr(settings)
    assert settings.scrub(f"GET https://ops:{SECRET}@x failed") == "GET https://****@x failed"  # user:pass whole
    assert settings.host == "nomad.example:4646/prefix"


@pytest.mark.parametrize("raw, message", [
    ("127.0.0.1:4646", "expected an http:// or https:// URL"),
    ("ftp://nomad:21", "expected an http:// or https:// URL"),
    (f"http://admin:{SECRET}@nomad:port", "Port could not be cast"),
    (f"http://admin:{SECRET}@", "no host"),
    ("http://nomad:4646/?x=1", "a query or fragment is not allowed"),
])
def test_bad_addresses_never_quote_credentials(raw, message):
    with pytest.raises(SettingsError) as info:
        parse_address(raw)
    assert message in str(info.value) and SECRET not in str(info.value)


def test_http_auth_from_the_environment_and_percent_encoded_secrets_are_scrubbed():
    settings = resolve({}, env={"NOMAD_HTTP_AUTH": "ops:p@ss/word!"})
    assert settings.http_auth == ("ops", "p@ss/word!")
    assert settings.scrub("x p%40ss%2Fword%21 y p@ss/word! z") == "x **** y **** z"


def test_scrub_filter_masks_log_records(caplog):
    settings = AuditSettings(token=SECRET)
    logger = logging.getLogger("test.audit.scrub")
    logger.addFilter(ScrubFilter(settings))
    with caplog.at_level(logging.DEBUG, logger="test.audit.scrub"):
        logger.debug("header X-Nomad-Token: %s", SECRET)
        try:
            raise RuntimeError(f"token {SECRET} rejected")
        except RuntimeError:
            logger.exception("failed")
    assert SECRET not in caplog.text and "X-Nomad-Token: ****" in caplog.text
