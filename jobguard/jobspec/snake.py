"""The job as Nomad's Sentinel ``job`` import shows it: struct field names in snake_case, user data untouched.

Conversion rule (applied to struct fields only, found through :mod:`jobguard.jobspec.apimodel`):

* a field name is split into words at case changes; a run of capitals is one word (an acronym), and when it is
  followed by a capitalised word its last capital starts that word: ``TaskGroups`` -> ``task_groups``,
  ``MemoryMB`` -> ``memory_mb``, ``CPU`` -> ``cpu``, ``ParentID`` -> ``parent_id``, ``LTarget`` -> ``l_target``,
  ``GRPCUseTLS`` -> ``grpc_use_tls``, ``CSIPluginConfig`` -> ``csi_plugin_config``;
* an acronym followed by a plural ``s`` stays one word: ``ExcludeOutboundCIDRs`` -> ``exclude_outbound_cidrs``;
* names where that split disagrees with the jobspec's own spelling use the jobspec's: ``MBits`` -> ``mbits``,
  ``SELinuxLabel`` -> ``selinux_label``.

What is *not* converted, because its keys are user data rather than field names: every map that is not a map of
structs (``Meta`` at every level, ``Env``, task and proxy ``Config``, artifact ``GetterOptions``/``GetterHeaders``,
check ``Header``, ``TaggedAddresses``, ``CanaryMeta``, scaling ``Policy``, CNI ``Args``, header modifiers, ...)
-- keys and values are kept as they are, at any depth -- and free-form values such as periodic ``Spec``. Maps of
structs (group ``Volumes``, gateway bind addresses) keep their user keys while their struct values are converted.
Lists keep their order; constraint values are values, not keys, and are never touched.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jobguard.jobspec.apimodel import FIELDS, STRUCTS, json_copy

_WORD = re.compile(r"[A-Z]{2,}s(?=[A-Z]|$)|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")
_EXCEPTIONS = {"MBits": "mbits", "SELinuxLabel": "selinux_label"}


@cache
def snake_case(name: str) -> str:
    """``TaskGroups`` -> ``task_groups`` by the rule in the module docstring."""
    if name in _EXCEPTIONS:
        return _EXCEPTIONS[name]
    words = _WORD.findall(name)
    return "_".join(w.lower() for w in words) if words else name.lower()


def snake_view(job: dict) -> dict:
    """A new dict: ``job`` (an API job, e.g. ``LoadedJob.canonical``) with struct field names snake_cased."""
    return _struct(job, "Job")


def _struct(obj: Any, struct: str) -> Any:
    if not isinstance(obj, dict):
        return obj
    fields = FIELDS.get(struct, {})
    out: dict[str, Any] = {}
    for key, value in obj.items():
        f = fields.get(key)
        if f is None:
            out[snake_case(key)] = json_copy(value)
            continue
        elem_struct = f.elem if f.elem in STRUCTS else None
        if f.kind == "struct":
            value = _struct(value, f.elem or "")
        elif f.kind == "list" and elem_struct and isinstance(value, list):
            value = [_struct(item, elem_struct) for item in value]
        elif f.kind == "map" and elem_struct and isinstance(value, dict):
            value = {k: _struct(v, elem_struct) for k, v in value.items()}
        else:
            value = json_copy(value)  # user data: a copy, so policies can never alter the loaded job
        out[snake_case(key)] = value
    return out


__all__ = ["snake_case", "snake_view"]
