"""Decoding HCL bodies onto Nomad's api structs, the way jobspec2 (gohcl plus Nomad's custom decoders) does.

The generic part is driven by the ``hcl`` tags in :mod:`jobguard.jobspec.apimodel`: attributes, single and
repeated blocks, labelled blocks, map blocks. Nomad's own quirks are layered on top: durations as nanoseconds,
driver ``config`` kept verbatim (nested blocks become lists of maps), ``meta``/``env`` accepted as attributes too,
``constraint``/``affinity`` shorthands, group-level ``vault``, task ``scaling "cpu"`` policies, and ``dynamic``
blocks expanded before decoding. Every block, attribute and map entry is recorded in the source map.
"""

from __future__ import annotations

from typing import Any

from jobguard.jobspec.apimodel import STRUCTS, Field
from jobguard.jobspec.hcl.diagnostics import HCLError, Range, suggestion
from jobguard.jobspec.hcl.durations import DurationError, parse_duration
from jobguard.jobspec.hcl.expressions import Expr, ObjectCons, Scope, Traversal
from jobguard.jobspec.hcl.syntax import Attribute, Block, Body, start_range
from jobguard.jobspec.hcl.values import (
    UNKNOWN,
    ConversionError,
    iteration_pairs,
    to_bool,
    to_number,
    to_string,
    type_name,
)
from jobguard.jobspec.limits import LimitExceeded, charge_steps, charge_text, measure_value
from jobguard.jobspec.sourcemap import SourceMap

Path = tuple

_INT_BOUNDS = {8: (-(2 ** 7), 2 ** 7 - 1), 16: (-(2 ** 15), 2 ** 15 - 1), 32: (-(2 ** 31), 2 ** 31 - 1),
               64: (-(2 ** 63), 2 ** 63 - 1)}

# Nomad's constraint/affinity shorthand attributes: name -> operand (None: plain attribute).
_CONSTRAINT_ATTRS = ("attribute", "value", "operator", "distinct_property", "distinct_hosts", "regexp", "version",
                     "semver", "set_contains", "set_contains_all", "set_contains_any", "attribute_is_set",
                     "attribute_is_not_set")
_AFFINITY_ATTRS = ("attribute", "value", "operator", "weight", "version", "semver", "regexp", "set_contains",
                   "set_contains_all", "set_contains_any")


class Decoder:
    """Decodes one job's bodies; collects diagnostics instead of stopping at the first."""

    def __init__(self, source_map: SourceMap):
        self.errors: list[HCLError] = []
        self.source_map = source_map
        # job-level tasks become the first groups, so the job's own groups are recorded this many places later
        self.group_offset = 0

    # -- helpers -------------------------------------------------------------------------------------------------
    def error(self, summary: str, detail: str, rng: Range) -> None:
        self.errors.append(HCLError(summary, detail, rng))

    def mark(self, path: Path, rng: Range) -> None:
        if not rng[0]:
            return
        if self.group_offset and len(path) > 1 and path[0] == "TaskGroups" and isinstance(path[1], int):
            path = ("TaskGroups", path[1] + self.group_offset) + tuple(path[2:])
        self.source_map.add(path, rng[0], rng[1])

    def eval(self, expr: Expr, scope: Scope) -> Any:
        try:
            return bounded_value(expr.eval(scope))
        except HCLError as exc:
            self.errors.append(exc)
            return UNKNOWN
        except RecursionError:  # the nesting limits keep this away; should it happen, it is still located
            raise LimitExceeded("the expression nests too deeply to be evaluated", expr.rng,
                                summary="Nesting too deep") from None
        except LimitExceeded as exc:
            exc.locate(expr.rng)
            raise

    def known(self, value: Any, expr: Expr) -> bool:
        if value is UNKNOWN:
            if not self.errors or self.errors[-1].rng[:2] != expr.rng[:2]:
                self.error("Unsuitable value type", "Unsuitable value: value must be known", expr.rng)
            return False
        return True

    # -- dynamic blocks ------------------------------------------------------------------------------------------
    def blocks_of(self, body: Body, scope: Scope) -> list[tuple[Block, Scope]]:
        """The body's blocks with ``dynamic`` blocks expanded (each generated block carries its iterator scope)."""
        out: list[tuple[Block, Scope]] = []
        for block in body.blocks:
            if block.type != "dynamic":
                out.append((block, scope))
                continue
            out.extend(self.expand_dynamic(block, scope))
        return out

    def expand_dynamic(self, block: Block, scope: Scope) -> list[tuple[Block, Scope]]:
        if len(block.labels) != 1:
            self.error("Missing name for dynamic" if not block.labels else "Extraneous label for dynamic",
                       "All dynamic blocks must have 1 labels (name).", block.def_rng)
            return []
        attrs = block.body.attributes
        for name, attr in attrs.items():
            if name not in ("for_each", "iterator", "labels"):
                self.error("Unsupported argument", f'An argument named "{name}" is not expected here.'
                           + suggestion(name, ("for_each", "iterator", "labels")), attr.name_rng)
        if "for_each" not in attrs:
            self.error("Missing required argument", 'The argument "for_each" is required, but no definition was '
                       "found.", block.open_rng)
            return []
        contents = [b for b in block.body.blocks if b.type == "content"]
        for b in block.body.blocks:
            if b.type != "content":
                self.error("Unsupported block type", f'Blocks of type "{b.type}" are not expected here.', b.type_rng)
        if len(contents) != 1:
            self.error("Missing content block" if not contents else "Duplicate content block",
                       "A dynamic block must have exactly one nested block of type \"content\".", block.def_rng)
            return []
        iterator = block.labels[0]
        if "iterator" in attrs:
            it_expr = attrs["iterator"].expr
            if isinstance(it_expr, Traversal) and not it_expr.steps:
                iterator = it_expr.root
            else:
                self.error("Invalid dynamic iterator name", "Dynamic iterator must be a single variable name.",
                           it_expr.rng)
                return []
        for_each = self.eval(attrs["for_each"].expr, scope)
        if for_each is UNKNOWN:
            return []
        if for_each is None:
            self.error("Invalid dynamic for_each value", "Cannot use a null value in for_each.",
                       attrs["for_each"].expr.rng)
            return []
        pairs = iteration_pairs(for_each)
        if pairs is None:
            self.error("Invalid dynamic for_each value", f"Cannot use a {type_name(for_each)} value in for_each. "
                       "An iterable collection is required.", attrs["for_each"].expr.rng)
            return []
        out: list[tuple[Block, Scope]] = []
        content = contents[0]
        for key, value in pairs:
            charge_steps()
            inner = scope.child({iterator: {"key": key, "value": value}})
            labels: list[str] = []
            if "labels" in attrs:
                raw = self.eval(attrs["labels"].expr, inner)
                if not isinstance(raw, list):
                    if raw is not UNKNOWN:
                        self.error("Invalid dynamic block labels", "Labels must be a list of strings.",
                                   attrs["labels"].expr.rng)
                    continue
                try:
                    labels = [to_string(x) for x in raw]
                except ConversionError as exc:
                    self.error("Invalid dynamic block label", f"Cannot use this value as a dynamic block label: "
                               f"{exc}.", attrs["labels"].expr.rng)
                    continue
            gen = Block(block.labels[0], labels, [attrs["labels"].expr.rng if "labels" in attrs else block.type_rng]
                        * len(labels), content.body, block.type_rng, content.open_rng, content.close_rng)
            out.append((gen, inner))
        return out

    # -- schema checks -------------------------------------------------------------------------------------------
    def unsupported_attr(self, attr: Attribute, attr_names, block_names) -> None:
        hint = (f' Did you mean to define a block of type "{attr.name}"?' if attr.name in block_names
                else suggestion(attr.name, attr_names))
        self.error("Unsupported argument", f'An argument named "{attr.name}" is not expected here.{hint}',
                   attr.name_rng)

    def unsupported_block(self, block: Block, attr_names, block_names) -> None:
        if block.type in attr_names:
            hint = f' Did you mean to define argument "{block.type}"? If so, use the equals sign to assign it a value.'
        else:
            hint = suggestion(block.type, block_names)
        self.error("Unsupported block type", f'Blocks of type "{block.type}" are not expected here.{hint}',
                   block.type_rng)

    def check_labels(self, block: Block, names: list[str]) -> bool:
        if len(block.labels) > len(names):
            rng = block.label_rngs[len(names)]
            if names:
                detail = (f"Only {len(names)} labels ({', '.join(names)}) are expected for {block.type} blocks.")
            else:
                detail = f"No labels are expected for {block.type} blocks."
            self.error(f"Extraneous label for {block.type}", detail, rng)
            return False
        if len(block.labels) < len(names):
            missing = names[len(block.labels)]
            self.error(f"Missing {missing} for {block.type}",
                       f"All {block.type} blocks must have {len(names)} labels ({', '.join(names)}).",
                       block.open_rng)
            return False
        return True

    # -- values --------------------------------------------------------------------------------------------------
    def scalar(self, value: Any, kind: str, expr: Expr, bits: int = 64) -> Any:
        """Convert to a Go scalar kind; None when impossible (diagnostic recorded)."""
        try:
            if kind == "string":
                return to_string(value)
            if kind == "bool":
                return to_bool(value)
            if kind in ("int", "uint"):
                number = to_number(value)
                lo, hi = _INT_BOUNDS.get(bits, _INT_BOUNDS[64])
                if kind == "uint":
                    lo, hi = 0, hi * 2 + 1
                if not isinstance(number, int) or not lo <= number <= hi:
                    raise ConversionError(f"value must be a whole number, between {lo} and {hi}")
                return number
            if kind == "float":
                return float(to_number(value))
            if kind == "duration":
                return self.duration(value, expr)
        except ConversionError as exc:
            msg = str(exc)
            if kind == "string" and msg.startswith("string required"):
                msg = "string required"
            elif kind in ("int", "uint", "float") and "number" in msg and "whole" not in msg:
                msg = "a number is required"
            elif kind == "bool":
                msg = "a bool is required"
            self.error("Unsuitable value type", f"Unsuitable value: {msg}", start_range(expr))
            return None
        return value

    def duration(self, value: Any, expr: Expr) -> int | None:
        if isinstance(value, str):
            try:
                return parse_duration(value)
            except DurationError as exc:
                self.error("Unsuitable value type", f"Unsuitable duration value: {exc}", start_range(expr))
                return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not value.is_integer():
                self.error("Unsuitable value type", "Unsuitable value: value must be a whole number, between "
                           "-9223372036854775808 and 9223372036854775807", expr.rng)
                return None
            return int(value)
        self.error("Unsuitable value type", f"Unsuitable value: expected a string but found {type_name(value)}",
                   expr.rng)
        return None

    def field_value(self, f: Field, value: Any, expr: Expr) -> Any:
        """An evaluated attribute value converted for field ``f`` (None: unset or invalid)."""
        if not self.known(value, expr):
            return None
        if value is None:
            return None
        if f.kind in ("string", "int", "uint", "bool", "duration", "float"):
            return self.scalar(value, f.kind, expr, f.bits)
        if f.kind == "any":
            return to_interface(value)
        if f.kind == "list":
            if not isinstance(value, list):
                self.error("Unsuitable value type", f"Unsuitable value: list of {f.elem or 'string'} required",
                           start_range(expr))
                return None
            out = []
            for item in value:
                if item is None:
                    out.append(None)
                    continue
                converted = self.scalar(item, f.elem or "string", expr, f.bits)
                if converted is None:
                    return None
                out.append(converted)
            return out
        if f.kind == "map":
            return self.map_value(value, f.elem or "string", expr)
        return None

    def map_value(self, value: Any, elem: str, expr: Expr) -> dict | None:
        if not isinstance(value, dict):
            self.error("Unsuitable value type", f"Unsuitable value: map of {elem.replace('list:', 'list of ')} "
                       "required", expr.rng)
            return None
        out = {}
        for k, v in value.items():
            if v is UNKNOWN:
                self.known(v, expr)
                return None
            if elem == "any":
                out[k] = to_interface(v)
            elif elem.startswith("list:"):
                if not isinstance(v, list):
                    self.error("Unsuitable value type", "Unsuitable value: list of string required",
                               start_range(expr))
                    return None
                out[k] = [self.scalar(x, elem[5:], expr) for x in v]
            elif v is None:
                out[k] = None
            else:
                out[k] = self.scalar(v, elem, expr)
        return out

    # -- bodies --------------------------------------------------------------------------------------------------
    def attrs_as_map(self, body: Body, scope: Scope, elem: str, path: Path) -> dict:
        """A block decoded as a map (``meta { k = "v" }``); nested blocks are not allowed there."""
        out: dict[str, Any] = {}
        for name, attr in body.attributes.items():
            value = self.eval(attr.expr, scope)
            if not self.known(value, attr.expr):
                continue
            if elem == "any":
                out[name] = to_interface(self.block_attr_value(attr, value))
            elif elem.startswith("list:"):
                converted = self.map_value({name: value}, elem, attr.expr)
                if converted is not None:
                    out[name] = converted[name]
            elif value is None:
                out[name] = None
            else:
                out[name] = self.scalar(value, elem, attr.expr)
            self.mark(path + (name,), attr.name_rng)
        if elem == "any":
            for btype, blocks in _group_blocks(body.blocks).items():
                out[btype] = [to_interface(self.block_to_value(b, scope)) for b in blocks]
                self.mark(path + (btype,), blocks[0].type_rng)
        else:
            for block in body.blocks:
                self.error(f'Unexpected "{block.type}" block', "Blocks are not allowed here.", block.type_rng)
        return out

    @staticmethod
    def block_attr_value(attr: Attribute, value: Any) -> Any:
        """jobspec2's BlocksAsAttrs: an object constructor written as an attribute is wrapped in a list."""
        if type(attr.expr) is ObjectCons:  # not JSONObjectCons: BlocksAsAttrs only rewrites native HCL bodies
            return [value]
        return value

    def block_to_value(self, block: Block, scope: Scope) -> Any:
        """A nested block inside ``config`` as jobspec2 sees it: an object, wrapped per label in ``{label: [..]}``."""
        obj: dict[str, Any] = {}
        for name, attr in block.body.attributes.items():
            obj[name] = self.block_attr_value(attr, self.eval(attr.expr, scope))
        for btype, blocks in _group_blocks(block.body.blocks).items():
            obj[btype] = [self.block_to_value(b, scope) for b in blocks]
        value: Any = obj
        for label in reversed(block.labels):
            value = {label: [value]}
        return value

    def decode_struct(self, body: Body, scope: Scope, struct: str, path: Path, block: Block | None = None,
                      attr_maps: tuple[str, ...] = (), skip_blocks: tuple[str, ...] = (),
                      extra_fields: dict[str, Field] | None = None) -> dict:
        """Decode ``body`` onto ``struct``. ``attr_maps`` names map fields that may also be written as attributes."""
        fields = STRUCTS[struct]
        attr_fields = {f.hcl: f for f in fields if f.hcl_kind == "attr"}
        block_fields = {f.hcl: f for f in fields if f.hcl_kind == "block"}
        if extra_fields:
            attr_fields.update(extra_fields)
        out: dict[str, Any] = {}
        if block is not None:
            label_fields = [f for f in fields if f.hcl_kind == "label"]
            for f, label in zip(label_fields, block.labels, strict=False):
                out[f.name] = label
        blocks = self.blocks_of(body, scope)
        block_types = {b.type for b, _s in blocks}
        for name, attr in body.attributes.items():
            f = attr_fields.get(name)
            if f is None and name in attr_maps:
                if name in block_types:
                    other = next(b for b, _s in blocks if b.type == name)
                    self.error(f"Duplicate {name} block", f"{name} may not be defined more than once. Another "
                               f"definition is defined at {{file}}:{attr.rng[0]},{attr.rng[1]}-{attr.rng[3]}.",
                               other.def_rng)
                    continue
                mf = block_fields[name]
                value = self.eval(attr.expr, scope)
                if self.known(value, attr.expr) and value is not None:
                    converted = self.map_value(value, mf.elem or "string", attr.expr)
                    if converted is not None:
                        out[mf.name] = converted
                        self.mark(path + (mf.name,), attr.name_rng)
                        for key in converted:
                            self.mark(path + (mf.name, key), attr.name_rng)
                continue
            if f is None:
                self.unsupported_attr(attr, attr_fields, block_fields)
                continue
            value = self.field_value(f, self.eval(attr.expr, scope), attr.expr)
            if value is not None:
                out[f.name] = value
                self.mark(path + (f.name,), attr.name_rng)
        if block is not None:
            for f in attr_fields.values():
                if getattr(f, "required", False) and not f.pointer and f.hcl not in body.attributes:
                    o = block.open_rng
                    self.error("Missing required argument", f'The argument "{f.hcl}" is required, but no '
                               "definition was found.", (o[0], o[1], o[0], o[1]))
        seen_single: dict[str, Block] = {}
        for child, child_scope in blocks:
            if child.type in skip_blocks:
                continue
            f = block_fields.get(child.type)
            if f is None:
                self.unsupported_block(child, attr_fields, block_fields)
                continue
            if f.kind == "struct":
                if not self.first_of_kind(child, seen_single):
                    continue
                sub_path = path + (f.name,)
                self.mark(sub_path, child.type_rng)
                value = self.decode_block(child, child_scope, f.elem, sub_path)
                if value is not None:
                    out[f.name] = value
            elif f.kind == "list":
                items = out.setdefault(f.name, [])
                sub_path = path + (f.name, len(items))
                self.mark(path + (f.name,), child.type_rng)
                self.mark(sub_path, child.type_rng)
                value = self.decode_block(child, child_scope, f.elem, sub_path)
                if value is not None:
                    items.append(value)
            elif f.kind == "map" and f.elem in STRUCTS:
                if not self.check_labels(child, ["name"]):
                    continue
                items = out.setdefault(f.name, {})
                sub_path = path + (f.name, child.labels[0])
                self.mark(sub_path, child.type_rng)
                value = self.decode_block(child, child_scope, f.elem, sub_path)
                if value is not None:
                    items[child.labels[0]] = value
            elif f.kind == "map":
                if not self.check_labels(child, []):
                    continue
                if not self.first_of_kind(child, seen_single):
                    continue
                self.mark(path + (f.name,), child.type_rng)
                out[f.name] = self.attrs_as_map(child.body, child_scope, f.elem or "string", path + (f.name,))
        return out

    def first_of_kind(self, child: Block, seen: dict[str, Block]) -> bool:
        """Record ``child`` as its body's one block of its type; False (after the error) if there already is one."""
        prev = seen.get(child.type)
        if prev is not None:
            self.error(f"Duplicate {child.type} block", f"Only one {child.type} block is allowed. Another was defined "
                       f"at {{file}}:{prev.type_rng[0]},{prev.type_rng[1]}-{prev.open_rng[1]}.", child.def_rng)
            return False
        seen[child.type] = child
        return True

    def decode_block(self, block: Block, scope: Scope, struct: str, path: Path) -> dict | None:
        """A nested block: label check, then the struct's own decoder (custom for a few Nomad types)."""
        label_names = [f.hcl for f in STRUCTS[struct] if f.hcl_kind == "label"]
        if struct in ("Constraint", "Affinity"):
            label_names = []
        if struct == "ScalingPolicy" and path[-2:-1] == ("ScalingPolicies",):
            label_names = ["name"]
        if not self.check_labels(block, label_names):
            return None
        hook = getattr(self, "decode_" + struct, None)
        if hook is not None:
            return hook(block, scope, path)
        return self.decode_struct(block.body, scope, struct, path, block)

    # -- Nomad's custom decoders ---------------------------------------------------------------------------------
    def _shorthand(self, block: Block, scope: Scope, allowed: tuple[str, ...], path: Path) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, attr in block.body.attributes.items():
            if name not in allowed:
                self.unsupported_attr(attr, allowed, ())
                continue
            value = self.eval(attr.expr, scope)
            if not self.known(value, attr.expr) or value is None:
                continue
            kind = "bool" if name == "distinct_hosts" else "int" if name == "weight" else "string"
            converted = self.scalar(value, kind, attr.expr, 8 if name == "weight" else 64)
            if converted is not None:
                values[name] = converted
                self.mark(path + (_SHORTHAND_FIELD.get(name, "RTarget"),), attr.name_rng)
        for child, _s in self.blocks_of(block.body, scope):
            self.error("Unsupported block type", f'Blocks of type "{child.type}" are not expected here.',
                       child.type_rng)
        return values

    def decode_Constraint(self, block: Block, scope: Scope, path: Path) -> dict:
        v = self._shorthand(block, scope, _CONSTRAINT_ATTRS, path)
        out = {"LTarget": v.get("attribute", ""), "RTarget": v.get("value", ""), "Operand": v.get("operator", "")}
        for key in ("version", "semver", "regexp", "set_contains"):
            if v.get(key):
                out["Operand"], out["RTarget"] = key, v[key]
        if "distinct_hosts" in v:
            out["Operand"], out["RTarget"] = "distinct_hosts", "true" if v["distinct_hosts"] else "false"
        if v.get("distinct_property"):
            out["Operand"], out["LTarget"] = "distinct_property", v["distinct_property"]
        if not out["Operand"]:
            out["Operand"] = "="
        return out

    def decode_Affinity(self, block: Block, scope: Scope, path: Path) -> dict:
        v = self._shorthand(block, scope, _AFFINITY_ATTRS, path)
        out = {"LTarget": v.get("attribute", ""), "RTarget": v.get("value", ""), "Operand": v.get("operator", "")}
        if "weight" in v:
            out["Weight"] = v["weight"]
        for key in ("version", "semver", "regexp", "set_contains_any", "set_contains_all", "set_contains"):
            if v.get(key):
                out["Operand"], out["RTarget"] = key, v[key]
        if not out["Operand"]:
            out["Operand"] = "="
        return out

    def decode_TaskGroup(self, block: Block, scope: Scope, path: Path) -> dict:
        vault_blocks = [b for b, _s in self.blocks_of(block.body, scope) if b.type == "vault"]
        tg = self.decode_struct(block.body, scope, "TaskGroup", path, block, attr_maps=("meta",),
                                skip_blocks=("vault",))
        if vault_blocks:
            vault = self.decode_block(vault_blocks[-1], scope, "Vault", path + ("Vault",))
            for task in tg.get("Tasks", []):
                if task.get("Vault") is None and vault is not None:
                    task["Vault"] = dict(vault)
        scaling = tg.get("Scaling")
        if scaling is not None:
            if not scaling.get("Type"):
                scaling["Type"] = "horizontal"
            sblock = next(b for b, _s in self.blocks_of(block.body, scope) if b.type == "scaling")
            if scaling.get("Max") is None and "max" not in sblock.body.attributes:
                self.error("Missing required argument", 'The argument "max" is required, but no definition was '
                           "found.", (sblock.open_rng[0], sblock.open_rng[1], sblock.open_rng[0],
                                      sblock.open_rng[1]))
            if scaling["Type"] != "horizontal" and "type" in sblock.body.attributes:
                self.error("Invalid group scaling type", "task group scaling policy had invalid type: "
                           f'"{scaling["Type"]}"', sblock.body.attributes["type"].expr.rng)
        return tg

    def decode_Task(self, block: Block, scope: Scope, path: Path) -> dict:
        task = self.decode_struct(block.body, scope, "Task", path, block, attr_maps=("env", "meta"),
                                  skip_blocks=("scaling",))
        seen: dict[str, Block] = {}
        policies = []
        for child, child_scope in self.blocks_of(block.body, scope):
            if child.type != "scaling":
                continue
            if not self.check_labels(child, ["name"]):
                continue
            label = child.labels[0].lower()
            policy_type = {"cpu": "vertical_cpu", "mem": "vertical_mem"}.get(label)
            if policy_type is None:
                self.error("Invalid scaling policy name", 'scaling policy name must be "cpu" or "mem"',
                           child.label_rngs[0])
                continue
            if label in seen:
                prev = seen[label]
                self.error(f'Duplicate scaling "{label}" block', f"Only one scaling {label} block is allowed. "
                           f"Another was defined at {{file}}:{prev.type_rng[0]},{prev.type_rng[1]}-"
                           f"{prev.open_rng[1]}.", child.def_rng)
                continue
            seen[label] = child
            sub_path = path + ("ScalingPolicies", len(policies))
            self.mark(sub_path, child.type_rng)
            policy = self.decode_struct(child.body, child_scope, "ScalingPolicy", sub_path)
            if not policy.get("Type"):
                policy["Type"] = policy_type
            elif policy["Type"] != policy_type:
                self.error("Invalid scaling policy type", f'Invalid policy type, expected "{policy["Type"]}" but '
                           f'found "{policy_type}"', child.def_rng)
                continue
            policies.append(policy)
        if policies:
            task["ScalingPolicies"] = policies
        identities = task.pop("Identities", None)
        if identities is not None:
            # Nomad 2: the unnamed identity block is the task's default Identity, named ones are Identities
            task["Identities"] = [i for i in identities if i.get("Name") not in (None, "", "default")]
            unnamed = [i for i in identities if i.get("Name") in (None, "", "default")]
            if unnamed:
                task["Identity"] = unnamed[-1]
        return task


_SHORTHAND_FIELD = {"attribute": "LTarget", "distinct_property": "LTarget", "operator": "Operand",
                    "distinct_hosts": "Operand", "weight": "Weight"}


def bounded_value(value: Any) -> Any:
    """An attribute's value, charged to the file's text budget by its printed size and refused when it nests past
    the limit: the decoded job is what every later stage (canonical form, rules, policies, reports) walks."""
    if isinstance(value, (str, list, dict)):
        charge_text(measure_value(value))
    return value


def _group_blocks(blocks: list[Block]) -> dict[str, list[Block]]:
    out: dict[str, list[Block]] = {}
    for b in blocks:
        out.setdefault(b.type, []).append(b)
    return out


def to_interface(value: Any) -> Any:
    """jobspec2's interfaceFromCtyValue: integral numbers as ints, objects as maps, lists as lists."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [to_interface(v) for v in value]
    if isinstance(value, dict):
        return {k: to_interface(v) for k, v in value.items()}
    return value
