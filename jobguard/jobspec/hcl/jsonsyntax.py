"""HCL's JSON syntax (``{"job": {"web": {...}}}``), which Nomad's CLI reads like native HCL2.

In HCL JSON a property is an argument or a block depending on the *schema* of the body it is in, and a block's
labels are nested object keys. This module knows the jobspec schema (from :mod:`jobguard.jobspec.apimodel` plus
jobspec2's extras) and builds the same :class:`~jobguard.jobspec.hcl.syntax.Body` the native parser builds, so
everything downstream (variables, ``dynamic`` blocks, decoding, the source map) is shared. JSON strings are
templates, as in HCL: ``"${var.image}"`` is evaluated.
"""

from __future__ import annotations

from typing import Any

from jobguard.jobspec.api.jsonpos import JSONSyntaxError, Node, go_float, parse
from jobguard.jobspec.apimodel import STRUCTS
from jobguard.jobspec.hcl.diagnostics import HCLError, MultiError, Range
from jobguard.jobspec.hcl.expressions import Expr, Literal, ObjectCons, ObjectKey, Traversal, TupleCons
from jobguard.jobspec.hcl.syntax import Attribute, Block, Body
from jobguard.jobspec.hcl.templates import build_template, scan_template

# A context names a body's schema: "root", "attrs" (arguments only), "variable", "map" (a map block such as meta or
# config: arguments only) or "struct:<Name>".
_ROOT = {"variable": (1, "variable"), "variables": (0, "attrs"), "locals": (0, "attrs"), "job": (1, "struct:Job")}
_EXTRA = {
    "Job": {"task": (1, "struct:Task"), "vault": (0, "struct:Vault")},
    "TaskGroup": {"vault": (0, "struct:Vault")},
    "Task": {"scaling": (1, "struct:ScalingPolicy")},
}


class JSONObjectCons(ObjectCons):
    """An object written in JSON: jobspec2 does not wrap these in a list inside ``config`` (only hclsyntax ones)."""

    __slots__ = ()


def _block_types(ctx: str) -> dict[str, tuple[int, str]]:
    """Block type -> (label count, child context) for a body of context ``ctx``."""
    if ctx == "root":
        return _ROOT
    if ctx == "variable":
        return {"validation": (0, "attrs")}
    if not ctx.startswith("struct:"):
        return {}
    struct = ctx[7:]
    out: dict[str, tuple[int, str]] = {}
    for f in STRUCTS[struct]:
        if f.hcl_kind != "block":
            continue
        if f.elem in STRUCTS and f.kind == "map":
            out[f.hcl] = (1, "struct:" + f.elem)
        elif f.elem in STRUCTS:
            labels = 0 if f.elem in ("Constraint", "Affinity") else \
                sum(1 for g in STRUCTS[f.elem] if g.hcl_kind == "label")
            out[f.hcl] = (labels, "struct:" + f.elem)
        else:
            out[f.hcl] = (0, "map")
    out.update(_EXTRA.get(struct, {}))
    out["dynamic"] = (1, "dynamic:" + ctx)
    return out


def _rng(node: Node) -> Range:
    return (node.line, node.col, node.line, node.col + 1)


class _Builder:
    def __init__(self, parse_expr):
        self.parse_expr = parse_expr
        self.errors: list[HCLError] = []

    def body(self, node: Node, ctx: str) -> Body:
        attrs: dict[str, Attribute] = {}
        blocks: list[Block] = []
        if node.kind != "object":
            self.errors.append(HCLError("Incorrect JSON value type", "A JSON object is required here, setting the "
                                        "arguments for this block.", _rng(node)))
            return Body(attrs, blocks, _rng(node))
        schema = _block_types(ctx)
        for key, line, col, child in node.value:
            if key == "//":  # HCL JSON comment property
                continue
            name_rng = (line, col, line, col + len(key) + 2)
            if key in schema:
                labels, child_ctx = schema[key]
                self.blocks(key, name_rng, child, labels, [], [], child_ctx, blocks)
            elif key in attrs:
                prev = attrs[key]
                self.errors.append(HCLError("Duplicate argument", f'The argument "{key}" was already set at '
                                            f"{{file}}:{prev.name_rng[0]},{prev.name_rng[1]}-{prev.name_rng[3]}.",
                                            name_rng))
            elif ctx == "variable" and key == "type" and child.kind == "string":
                # a type constraint in JSON is a string holding the type expression
                attrs[key] = Attribute(key, self.keyword_expr(child), name_rng, name_rng)
            else:
                attrs[key] = Attribute(key, self.expr(child), name_rng, name_rng)
        return Body(attrs, blocks, _rng(node))

    def keyword_expr(self, node: Node) -> Expr:
        try:
            return self.parse_expr(node.value, node.line, node.col + 1)
        except HCLError as exc:
            self.errors.append(exc)
            return Literal(node.value, _rng(node))

    def blocks(self, type_: str, type_rng: Range, node: Node, remaining: int, labels: list[str],
               label_rngs: list[Range], ctx: str, out: list[Block]) -> None:
        """Expand HCL JSON's label nesting (objects keyed by label, arrays for repeated blocks) into blocks."""
        if node.kind == "array":
            for item in node.value:
                self.blocks(type_, type_rng, item, remaining, labels, label_rngs, ctx, out)
            return
        if node.kind != "object":
            self.errors.append(HCLError("Incorrect JSON value type", f'Either a JSON object or a JSON array is '
                                        f'required, representing the contents of one or more "{type_}" blocks.',
                                        _rng(node)))
            return
        if remaining:
            for key, line, col, child in node.value:
                self.blocks(type_, type_rng, child, remaining - 1, labels + [key],
                            label_rngs + [(line, col, line, col + len(key) + 2)], ctx, out)
            return
        if ctx.startswith("dynamic:"):
            body = self.dynamic(node, ctx[8:], labels[0] if labels else "")
        else:
            body = self.body(node, ctx)
        rng = _rng(node)
        out.append(Block(type_, labels, label_rngs, body, type_rng, rng, rng))

    def dynamic(self, node: Node, parent_ctx: str, block_type: str) -> Body:
        """A ``dynamic "type"`` body: for_each/iterator/labels arguments and one ``content`` block."""
        content_ctx = _block_types(parent_ctx).get(block_type, (0, "attrs"))[1]
        attrs: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for key, line, col, child in node.value:
            name_rng = (line, col, line, col + len(key) + 2)
            if key == "content":
                self.blocks("content", name_rng, child, 0, [], [], content_ctx, blocks)
            elif key == "iterator" and child.kind == "string":
                attrs[key] = Attribute(key, Traversal(child.value, [], child.value, _rng(child), _rng(child)),
                                       name_rng, name_rng)
            elif key != "//":
                attrs[key] = Attribute(key, self.expr(child), name_rng, name_rng)
        return Body(attrs, blocks, _rng(node))

    def expr(self, node: Node) -> Expr:
        rng = _rng(node)
        if node.kind == "string":
            return self.template(node)
        if node.kind == "number":
            return Literal(go_float(node.value), rng)
        if node.kind in ("bool", "null"):
            return Literal(node.value, rng)
        if node.kind == "array":
            return TupleCons([self.expr(item) for item in node.value], rng)
        items = [(ObjectKey(None, key, (line, col, line, col + len(key) + 2)), self.expr(child))
                 for key, line, col, child in node.value]
        return JSONObjectCons(items, rng)

    def template(self, node: Node) -> Expr:
        text = node.value
        rng = _rng(node)
        if "${" not in text and "%{" not in text:
            return Literal(text, rng)
        try:
            return build_template(scan_template(text, node.line, node.col + 1, self.parse_expr), rng)
        except HCLError as exc:
            self.errors.append(exc)
            return Literal(text, rng)


def looks_like_hcl_json(doc: Any) -> bool:
    """HCL's JSON syntax for a job file (top-level ``job``/``variable``/``locals`` keys) rather than an API job."""
    keys = set(doc) - {"//"} if isinstance(doc, dict) else set()
    return bool(keys) and keys <= set(_ROOT) and "job" in keys


def parse_json_body(text: str, ctx: str = "root") -> Body:
    """Parse HCL JSON text into a body (``ctx="attrs"`` for variable files). Raises :class:`MultiError`."""
    from jobguard.jobspec.hcl.parser import parse_expression

    try:
        node = parse(text)
    except JSONSyntaxError as exc:
        summary = getattr(exc, "summary", "Invalid JSON")
        raise MultiError([HCLError(summary, exc.message, (exc.line, exc.col, exc.line, exc.col + 1))]) from None
    builder = _Builder(parse_expression)
    body = builder.body(node, ctx)
    if builder.errors:
        raise MultiError(builder.errors)
    return body
