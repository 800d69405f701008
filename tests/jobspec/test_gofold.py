"""Go's field folding in the API-JSON decoder: the job a Nomad agent decodes, not the one ``str.lower`` would."""

from __future__ import annotations

import pytest

from jobguard.jobspec.api.gofold import fold_name
from jobguard.jobspec.apijson import decode_api_json


@pytest.mark.parametrize("key, name, same", [
    ("namespace", "Namespace", True), ("NAMESPACE", "Namespace", True),
    ("Nameſpace", "Namespace", True),      # U+017F LATIN SMALL LETTER LONG S folds with s
    ("\u212Aill", "Kill", True),            # U+212A KELVIN SIGN folds with k
    ("Namespace\u0130", "NamespaceI", False),  # dotted capital I has no simple fold to I
    ("Straße", "STRASSE", False),          # full folding (ß -> ss) is not Go's
    ("Jöb", "Job", False),
])
def test_fold_name_is_go_equal_fold(key: str, name: str, same: bool) -> None:
    assert (fold_name(key) == fold_name(name)) is same


def test_api_json_keys_fold_like_go() -> None:
    job, _ = decode_api_json({"ID": "web", "Nameſpace": "prod", "TaſkGroups": [{"Name": "app", "Count": 9}]})
    assert job["Namespace"] == "prod"
    assert job["TaskGroups"][0]["Count"] == 9


class _Pairs(dict):
    pairs: list


def test_repeated_keys_of_go_style_objects_merge_like_go() -> None:
    """An object with ``pairs`` (the proxy's decoded bodies) keeps repeated keys: Go decodes a repeated struct key
    into the value already there."""
    obj = _Pairs()
    obj.pairs = [("ID", "web"), ("Meta", {"a": "1"}), ("Meta", {"b": "2"})]
    obj.update(obj.pairs)
    job, _ = decode_api_json(obj)
    assert job["Meta"] == {"a": "1", "b": "2"}
