"""Request bodies decoded as Go's encoding/json decodes them into Nomad's request structs."""

from __future__ import annotations

import gzip

import pytest

from jobguard.proxy import gojson
from jobguard.proxy.gojson import Field, Struct
from jobguard.proxy.nomadrequest import DISPATCH_REQUEST, REVERT_REQUEST, SCALING_REQUEST

SCALE = SCALING_REQUEST


def decode(raw: bytes | str, spec: Struct = SCALE) -> dict:
    return gojson.decode_struct(gojson.decode(raw.encode() if isinstance(raw, str) else raw), spec)


def error(raw: bytes | str, spec: Struct = SCALE) -> str:
    with pytest.raises(gojson.BodyError) as info:
        decode(raw, spec)
    assert info.value.status == 400
    return str(info.value)


# ---------------------------------------------------------------------------- keys
@pytest.mark.parametrize("body, namespace", [
    ('{"Namespace": "prod"}', "prod"),
    ('{"namespace": "prod"}', "prod"),
    ('{"NAMESPACE": "prod"}', "prod"),
    ('{"Nameſpace": "prod"}', "prod"),                                        # U+017F folds with s
    ('{"namespace":"dev","Namespace":"prod","namespace":"dev"}', "dev"),     # the last match wins
    ('{"Namespace": "prod", "Namespace ": "x", "Name_space": "y"}', "prod"),  # near misses are other keys
    ('{"Namespace": "prod", "Namespace": null}', "prod"),                    # null leaves a string alone
])
def test_struct_fields_fold_and_the_last_match_wins(body: str, namespace: str) -> None:
    assert decode(body)["Namespace"] == namespace


def test_kelvin_sign_folds_with_k() -> None:
    spec = Struct("T", "x.T", (Field("Kind", "string"),))
    assert decode('{"\u212Aind": "a"}', spec)["Kind"] == "a"


def test_map_keys_are_exact_and_repeated_maps_merge() -> None:
    fields = decode('{"Target": {"Group": "web", "group": "nope"}, "target": {"Job": "web"}}')
    assert fields["Target"] == {"Group": "web", "group": "nope", "Job": "web"}
    assert decode('{"Target": {"Group": "a"}, "Target": null}')["Target"] is None
    assert decode('{"Target": {"Group": null}}')["Target"] == {"Group": ""}  # Go stores the zero string


def test_pointer_fields_null_clears_them() -> None:
    assert decode('{"Count": 9, "count": null}')["Count"] is None
    assert decode('{"Count": null, "COUNT": 9}')["Count"] == 9
    assert decode(b"null")["Count"] is None  # a null body is the zero request


# ---------------------------------------------------------------------------- values
@pytest.mark.parametrize("body, message", [
    ('{"Count": 1.0}', "cannot unmarshal number 1.0 into Go struct field ScalingRequest.Count of type int64"),
    ('{"Count": 1e2}', "number 1e2 into Go struct field ScalingRequest.Count"),
    ('{"Count": "3"}', "cannot unmarshal string into Go struct field ScalingRequest.Count of type int64"),
    ('{"Count": 9223372036854775808}', "number 9223372036854775808"),
    ('{"Count": true}', "cannot unmarshal bool"),
    ('{"Target": "web"}', "cannot unmarshal string into Go struct field ScalingRequest.Target of type "
                          "map[string]string"),
    ('{"Target": {"Group": 1}}', "cannot unmarshal number into Go struct field ScalingRequest.Target.Group "
                                 "of type string"),
    ('{"Meta": "x"}', "ScalingRequest.Meta of type map[string]interface {}"),
    ('{"PolicyOverride": "true"}', "cannot unmarshal string into Go struct field ScalingRequest.PolicyOverride"),
    ('[1]', "cannot unmarshal array into Go value of type api.ScalingRequest"),
    ('"x"', "cannot unmarshal string into Go value of type api.ScalingRequest"),
])
def test_wrongly_typed_values_are_goes_400(body: str, message: str) -> None:
    assert message in error(body)


def test_the_first_type_error_is_reported_after_decoding_everything() -> None:
    assert "Count" in error('{"Count": "a", "Message": 5}')


@pytest.mark.parametrize("body, message", [
    ('{"JobVersion": -1}', "number -1 into Go struct field JobRevertRequest.JobVersion of type uint64"),
    ('{"JobVersion": 18446744073709551616}', "number 18446744073709551616"),
    ('{"JobVersion": "1"}', "cannot unmarshal string"),
    ('{"EnforcePriorVersion": 1.5}', "number 1.5 into Go struct field JobRevertRequest.EnforcePriorVersion"),
])
def test_revert_versions(body: str, message: str) -> None:
    assert message in error(body, REVERT_REQUEST)


def test_uint64_range_and_pointer() -> None:
    fields = decode('{"JobVersion": 18446744073709551615, "EnforcePriorVersion": 0}', REVERT_REQUEST)
    assert fields["JobVersion"] == 2**64 - 1 and fields["EnforcePriorVersion"] == 0


@pytest.mark.parametrize("body, message", [
    ('{"Meta": "x"}', "JobDispatchRequest.Meta of type map[string]string"),
    ('{"Meta": {"a": 1}}', "JobDispatchRequest.Meta.a of type string"),
    ('{"Payload": "not base64!"}', "illegal base64 data at input byte 3"),
    ('{"Payload": 5}', "cannot unmarshal number into Go struct field JobDispatchRequest.Payload of type []uint8"),
    ('{"IdPrefixTemplate": []}', "JobDispatchRequest.IdPrefixTemplate of type string"),
])
def test_dispatch_fields(body: str, message: str) -> None:
    assert message in error(body, DISPATCH_REQUEST)


def test_payload_is_base64_and_go_skips_line_breaks() -> None:
    assert decode('{"Payload": "aGVs\\nbG8="}', DISPATCH_REQUEST)["Payload"] == b"hello"


# ---------------------------------------------------------------------------- text
def test_invalid_utf8_becomes_one_replacement_per_byte() -> None:
    assert decode(b'{"Message": "a\xe2\x82b\xffc"}')["Message"] == "a\ufffd\ufffdb\ufffdc"
    assert decode(b'{"Message": "\xed\xa0\x80"}')["Message"] == "\ufffd" * 3  # an encoded surrogate


@pytest.mark.parametrize("escaped, text", [
    ("\\ud800", "\ufffd"), ("\\udc00x", "\ufffdx"), ("\\ud83d\\ude00", "\U0001F600"),
    ("\\ud83d\\ud83d\\ude00", "\ufffd\U0001F600"), ("\\ud800\\u0041", "\ufffdA"),
])
def test_escaped_lone_surrogates_become_replacements(escaped: str, text: str) -> None:
    assert decode('{"Message": "' + escaped + '"}')["Message"] == text


def test_keys_get_the_same_treatment() -> None:
    assert decode(b'{"Mess\xffage": "x"}')["Message"] == ""  # not a Message key any more


def test_only_the_first_value_is_read() -> None:
    assert decode('{"Count": 1} {"Count": 9}')["Count"] == 1
    assert decode(b'{"Count": 1}\x00\xff garbage')["Count"] == 1
    assert "after top-level value" in error("nullx")  # a scalar needs a delimiter after it


@pytest.mark.parametrize("raw", [b"{", b'{"a": NaN}', b'{"a": Infinity}', b"\xef\xbb\xbf{}", b" ", b"", b"{'a':1}",
                                 b'{"a": 1e400}', b'{"a": 01}', b'{"a": "\x01"}'])
def test_go_rejects_what_go_rejects(raw: bytes) -> None:
    with pytest.raises(gojson.BodyError):
        gojson.decode(raw)


def test_encode_keeps_repeated_keys_in_order() -> None:
    value = gojson.decode(b'{"a": 1, "A": 2, "a": {"b": [1.50, null]}}')
    assert gojson.encode(value) == '{"a":1,"A":2,"a":{"b":[1.5,null]}}'


def test_encode_struct_writes_canonical_keys() -> None:
    fields = decode('{"count": 3, "TARGET": {"Group": "g"}, "Nameſpace": "x"}')
    out = gojson.encode_struct(fields, SCALE)
    assert out["Count"] == 3 and out["Target"] == {"Group": "g"} and out["Namespace"] == "x"
    assert set(out) == {f.name for f in SCALE.fields}
    payload = gojson.encode_struct(decode('{"Payload": "aGk="}', DISPATCH_REQUEST), DISPATCH_REQUEST)["Payload"]
    assert payload == "aGk="


def test_field_lookup_folds() -> None:
    body = gojson.decode('{"Job": 1, "job": 2, "JOB": 3, "Other": 4, "Other": 5, "Nameſpace": 6}'.encode())
    assert gojson.field(body, "Job") == 3
    assert gojson.field(body, "other") == 5
    assert gojson.field(body, "Namespace") == 6
    assert gojson.field(body, "missing", "d") == "d"
    missing = object()  # has_field was dead code: a default tells a missing key apart from a null value
    assert gojson.field(body, "JOB", missing) == 3 and gojson.field(body, "nope", missing) is missing


def test_decompress_bounds() -> None:
    data = b"x" * 10_000
    assert gojson.decompress(gzip.compress(data), "gzip", 10_000) == data
    with pytest.raises(gojson.BodyError) as info:
        gojson.decompress(gzip.compress(data), "gzip", 9_999)
    assert info.value.status == 413
    with pytest.raises(gojson.BodyError) as info:
        gojson.decompress(b"x", "br", 10)
    assert info.value.status == 415
    with pytest.raises(gojson.BodyError):
        gojson.decompress(b"not gzip", "gzip", 10)
