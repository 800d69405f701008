"""Input variables and locals, as Nomad's jobspec2 collects them.

Precedence (last wins): ``default`` < ``NOMAD_VAR_<name>`` environment < ``--var-file`` files (in order) <
``--var K=V``. A value from the environment or ``--var`` is a plain string when the variable's type is string,
number or unset, and an HCL expression otherwise. Every value is converted to the declared type, then checked by
the variable's ``validation`` rules. Locals may refer to each other in any order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jobguard.jobspec.hcl.diagnostics import HCLError, Range, suggestion
from jobguard.jobspec.hcl.expressions import Call, Expr, ObjectCons, Scope, Traversal, TupleCons
from jobguard.jobspec.hcl.syntax import Block, Body
from jobguard.jobspec.hcl.values import UNKNOWN
from jobguard.jobspec.limits import LimitExceeded, charge_steps, measure_value

_VARIABLE_ATTRS = ("description", "default", "type")
_FAILED = object()  # what Variables._constant returns for an expression whose error it has recorded
_SOURCE_NAMES = {"default": "default", "env": "env", "varfile": "file", "cmd": "cli"}


@dataclass
class Validation:
    condition: Expr | None
    message: str
    rng: Range


@dataclass
class Variable:
    name: str
    rng: Range
    type: Any = None  # H2's CtyType, None when not declared
    values: list[tuple[str, Any, Expr | None]] = field(default_factory=list)  # (from, value, expr)
    validations: list[Validation] = field(default_factory=list)


def _types():
    from jobguard.jobspec.functions import types

    return types


def type_from_expr(expr: Expr) -> Any:
    """A type constraint expression (``list(object({a = string}))``) as H2's cty type."""
    types = _types()
    if isinstance(expr, Traversal) and not expr.steps:
        keyword = {"string": types.STRING, "number": types.NUMBER, "bool": types.BOOL, "any": types.ANY}
        if expr.root in keyword:
            return keyword[expr.root]
        if expr.root in ("list", "map", "set", "tuple", "object"):
            raise HCLError("Invalid type specification", f'The {expr.root} type constructor requires one argument '
                           "specifying the element type.", expr.rng)
        raise HCLError("Invalid type specification", f'The keyword "{expr.root}" is not a valid type specification.',
                       expr.rng)
    if isinstance(expr, Call):
        if expr.name not in ("list", "map", "set", "tuple", "object", "optional"):
            raise HCLError("Invalid type specification", f'Keyword "{expr.name}" is not a valid type constructor.',
                           expr.rng)
        if expr.name == "optional":
            raise HCLError("Invalid type specification", "Keyword \"optional\" is valid only as a modifier for "
                           "object type attributes.", expr.rng)
        if len(expr.args) != 1:
            raise HCLError("Invalid type specification", f"The {expr.name} type constructor requires one argument "
                           "specifying the element type.", expr.rng)
        arg = expr.args[0]
        try:
            if expr.name == "object":
                if not isinstance(arg, ObjectCons):
                    raise HCLError("Invalid type specification", "Object type constructor requires a map whose "
                                   "keys are attribute names and whose values are the corresponding attribute "
                                   "types.", arg.rng)
                attrs = {}
                for key, value in arg.items:
                    name = key.eval(None)
                    if isinstance(value, Call) and value.name == "optional":
                        default = [a.eval(None) for a in value.args[1:]]
                        attrs[name] = types.optional(type_from_expr(value.args[0]), *default)
                    else:
                        attrs[name] = type_from_expr(value)
                return types.type_from_name("object", [attrs])
            if expr.name == "tuple":
                if not isinstance(arg, TupleCons):
                    raise HCLError("Invalid type specification", "Tuple type constructor requires a list of element "
                                   "types.", arg.rng)
                return types.type_from_name("tuple", [[type_from_expr(a) for a in arg.items]])
            return types.type_from_name(expr.name, [type_from_expr(arg)])
        except types.TypeSpecError as exc:
            raise HCLError("Invalid type specification", exc.detail, expr.rng) from None
    raise HCLError("Invalid type specification", "A type specification is either a primitive type keyword (bool, "
                   "number, string) or a complex type constructor call, like list(string).", expr.rng)


def convert(value: Any, type_: Any) -> Any:
    """``value`` converted to the declared type (raises H2's ConversionError with cty's message)."""
    if type_ is None or value is UNKNOWN:
        return value
    return _types().convert(value, type_)


def _is_primitive_or_none(type_: Any) -> bool:
    types = _types()
    return type_ is None or type_ in (types.STRING, types.NUMBER)


class Variables:
    """The declared variables of one job file and the values they end up with."""

    def __init__(self, file: str):
        self.file = file
        self.vars: dict[str, Variable] = {}
        self.errors: list[HCLError] = []

    # -- declarations --------------------------------------------------------------------------------------------
    def declare_block(self, block: Block) -> None:
        if len(block.labels) != 1:
            what = "Missing name for variable" if not block.labels else "Extraneous label for variable"
            rng = block.open_rng if not block.labels else block.label_rngs[1]
            self.errors.append(HCLError(what, "All variable blocks must have 1 labels (name).", rng))
            return
        name = block.labels[0]
        if name in self.vars:
            self.errors.append(HCLError("Duplicate variable", f"Duplicate {name} variable definition found.",
                                        block.def_rng))
            return
        var = Variable(name, block.def_rng)
        body = block.body
        for attr_name, attr in body.attributes.items():
            if attr_name not in _VARIABLE_ATTRS:
                self.errors.append(HCLError("Unsupported argument", f'An argument named "{attr_name}" is not '
                                            "expected here." + suggestion(attr_name, _VARIABLE_ATTRS), attr.name_rng))
        if not _valid_identifier(name):
            self.errors.append(HCLError("Invalid variable name", "A name must start with a letter or underscore and "
                                        "may contain only letters, digits, underscores, and dashes.",
                                        block.label_rngs[0]))
        if "type" in body.attributes:
            try:
                var.type = type_from_expr(body.attributes["type"].expr)
            except HCLError as exc:
                self.errors.append(exc)
                return
        if "default" in body.attributes:
            expr = body.attributes["default"].expr
            value = self._constant(expr)
            if value is _FAILED:
                return
            value = self._typed(var, value, "Invalid default value for variable", "This default value", expr.rng)
            var.values.append(("default", value, expr))
        for child in body.blocks:
            if child.type != "validation":
                self.errors.append(HCLError("Unsupported block type", f'Blocks of type "{child.type}" are not '
                                            "expected here.", child.type_rng))
                continue
            var.validations.append(self._validation(name, child))
        self.vars[name] = var

    def _validation(self, var_name: str, block: Block) -> Validation:
        attrs = block.body.attributes
        rule = Validation(None, "", block.def_rng)
        for required in ("condition", "error_message"):
            if required not in attrs:
                self.errors.append(HCLError("Missing required argument", f'The argument "{required}" is required, '
                                            "but no definition was found.", block.open_rng))
        if "condition" in attrs:
            cond = attrs["condition"].expr
            rule.condition = cond
            good = 0
            for ref in cond.references():
                if ref.root == "var" and ref.steps and ref.steps[0][0] == "attr" and ref.steps[0][1] == var_name:
                    good += 1
                    continue
                self.errors.append(HCLError("Invalid reference in variable validation", f'The condition for variable '
                                            f'"{var_name}" can only refer to the variable itself, using '
                                            f"var.{var_name}.", ref.rng))
            if good < 1:
                self.errors.append(HCLError("Invalid variable validation condition", f'The condition for variable '
                                            f'"{var_name}" must refer to var.{var_name} in order to test incoming '
                                            "values.", cond.rng))
        if "error_message" in attrs:
            expr = attrs["error_message"].expr
            message = self._constant(expr)
            if message is _FAILED:
                message = ""
            rule.message = message if isinstance(message, str) else ""
            if message == "":
                self.errors.append(HCLError("Invalid validation error message", "An empty string is not a valid nor "
                                            "useful error message.", expr.rng))
            elif isinstance(message, str) and not _looks_like_sentences(message):
                self.errors.append(HCLError("Invalid validation error message", "Validation error message must be at "
                                            "least one full sentence starting with an uppercase letter ( if the "
                                            "alphabet permits it ) and ending with a period or question mark.",
                                            expr.rng))
        return rule

    def declare_attributes(self, block: Block) -> None:
        """The legacy ``variables { name = default }`` block."""
        for name, attr in block.body.attributes.items():
            if name in self.vars:
                self.errors.append(HCLError("Duplicate variable", f"Duplicate {name} variable definition found.",
                                            attr.name_rng))
                continue
            value = self._constant(attr.expr)
            if value is _FAILED:
                continue
            var = Variable(name, attr.rng)
            var.values.append(("default", value, attr.expr))
            self.vars[name] = var

    # -- values --------------------------------------------------------------------------------------------------
    def _assign(self, var: Variable, source: str, raw: str, fake_file: str, err_summary: str,
                err_detail_prefix: str) -> None:
        from jobguard.jobspec.hcl.parser import parse_expression

        if _is_primitive_or_none(var.type):
            value: Any = raw
            expr: Expr | None = None
        else:
            try:
                expr = parse_expression(raw, 1, 1)
                value = expr.eval(None)
            except HCLError as exc:
                self.errors.append(HCLError(exc.summary, exc.detail + f" (in {fake_file})", (0, 0, 0, 0)))
                return
        value = self._typed(var, value, err_summary, f"{err_detail_prefix} {var.name}", (0, 0, 0, 0))
        var.values.append((source, value, expr))

    def _constant(self, expr: Expr) -> Any:
        """``expr``'s value where HCL allows neither variables nor functions (defaults, var files, messages), or
        :data:`_FAILED` once the error is recorded: the caller skips what it was building and carries on."""
        try:
            return expr.eval(None)
        except HCLError as exc:
            self.errors.append(exc)
            return _FAILED

    def _typed(self, var: Variable, value: Any, summary: str, subject: str, rng: Range) -> Any:
        """``value`` converted to ``var``'s declared type. Where it does not fit, the error (``subject`` names the
        value, as each source words it) is recorded and the value is unknown, so that later uses stay quiet."""
        if var.type is None:
            return value
        try:
            return convert(value, var.type)
        except Exception as exc:  # H2's ConversionError
            self.errors.append(HCLError(summary, f"{subject} is not compatible with the variable's type constraint: "
                                        f"{exc}.", rng))
            return UNKNOWN

    def collect(self, env: dict[str, str], var_files: list[tuple[str, Body]], cli: dict[str, str]) -> None:
        for key, raw in env.items():
            if not key.startswith("NOMAD_VAR_"):
                continue
            var = self.vars.get(key[len("NOMAD_VAR_"):])
            if var is not None:
                self._assign(var, "env", raw, f"<value for var.{var.name} from env>", "Invalid value for variable",
                             "The value for")
        for filename, body in var_files:
            first_error = len(self.errors)
            self._collect_var_file(filename, body)
            for err in self.errors[first_error:]:  # their ranges are in the var file, not the job file
                err.file = err.file or filename
        for name, raw in cli.items():
            var = self.vars.get(name)
            if var is None:
                self.errors.append(HCLError("Undefined -var variable", f'A "{name}" variable was passed in the command '
                                            f'line but was not found in known variables. To declare variable '
                                            f'"{name}", place this block in your job file', (0, 0, 0, 0)))
                continue
            self._assign(var, "cmd", raw, f"<value for var.{name} from arguments>",
                         "Invalid argument value for -var variable", "The received arg value for")

    def _collect_var_file(self, filename: str, body: Body) -> None:
        """Values assigned in one ``--var-file`` (declarations and blocks are not allowed there)."""
        declared = [b for b in body.blocks if b.type == "variable"]
        for block in declared:
            name = block.labels[0] if block.labels else ""
            self.errors.append(HCLError("Variable declaration in a .var file", "A .var file is used to assign "
                                        "values to variables that have already been declared in job files, not "
                                        f'to declare new variables. To declare variable "{name}", place this '
                                        f"block in one of your job files\n\nTo set a value for this variable in "
                                        f"{filename}, use the definition syntax instead:\n    {name} = <value>",
                                        block.type_rng))
        if declared:
            return
        for block in body.blocks:
            self.errors.append(HCLError(f'Unexpected "{block.type}" block', "Blocks are not allowed here.",
                                        block.type_rng))
        for name, attr in body.attributes.items():
            var = self.vars.get(name)
            if var is None:
                self.errors.append(HCLError("Undefined variable", f'A "{name}" variable was set but was not found '
                                            f'in known variables. To declare variable "{name}", place this block '
                                            "in your job files", attr.rng))
                continue
            value = self._constant(attr.expr)
            if value is _FAILED:
                continue
            value = self._typed(var, value, "Invalid value for variable", f"The value for {name}", attr.expr.rng)
            var.values.append(("varfile", value, attr.expr))

    def values(self, call) -> tuple[dict[str, Any], dict[str, str]]:
        """Final values (UNKNOWN when unset) and where each came from; validation failures become errors."""
        out: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for name, var in self.vars.items():
            if not var.values:
                # Nomad reports this without a position (<nil>); we keep its words and point at the declaration,
                # where a default would go, so editors and CI annotations have a line to jump to
                self.errors.append(HCLError(f'Unset variable "{name}"', "A used variable must be set or have a default "
                                            "value; see https://developer.hashicorp.com/nomad/docs/reference/hcl2/"
                                            "variables  for details.", var.rng))
                out[name] = UNKNOWN
                continue
            source, value, expr = var.values[-1]
            out[name] = value
            sources[name] = _SOURCE_NAMES[source]
            self._validate(var, source, value, expr, call)
        return out, sources

    def _validate(self, var: Variable, source: str, value: Any, expr: Expr | None, call) -> None:
        scope = Scope({"var": {var.name: value}}, functions=call)
        for rule in var.validations:
            if rule.condition is None:
                continue
            try:
                result = rule.condition.eval(scope)
            except HCLError as exc:
                self.errors.append(exc)
                continue
            if result is UNKNOWN:
                continue
            if result is None:
                self.errors.append(HCLError("Invalid variable validation result", "Validation condition expression "
                                            "must return either true or false, not null.", rule.condition.rng))
                continue
            if result is False or result == "false":
                rng = expr.rng if expr is not None else rule.rng
                where = f"{self.file}:{rule.rng[0]},{rule.rng[1]}-{rule.rng[3]}"
                self.errors.append(HCLError(f"Invalid value for {source} variable",
                                            f"{rule.message}\n\nThis was checked by the validation rule at {where}.",
                                            rng))


def evaluate_locals(blocks: list[Block], scope: Scope, locals_: dict[str, Any]) -> list[HCLError]:
    """Evaluate ``locals`` blocks into ``locals_`` (which ``scope`` exposes as ``local``), in dependency order."""
    errors: list[HCLError] = []
    pending = []
    seen: set[str] = set()
    for block in blocks:
        for child in block.body.blocks:
            errors.append(HCLError(f'Unexpected "{child.type}" block', "Blocks are not allowed here.",
                                   child.type_rng))
        for name, attr in block.body.attributes.items():
            if name in seen:
                errors.append(HCLError("Duplicate value in locals", f"Duplicate {name} definition found.",
                                       attr.name_rng))
                return errors
            seen.add(name)
            pending.append((name, attr.expr))
    if errors:
        return errors
    # One pass in dependency order first: locals written in reverse order would otherwise take a pass each
    # (quadratic in the number of locals). What fails here is retried below, in source order, as before.
    for name, expr in _dependency_order(pending):
        try:
            _evaluate_local(name, expr, scope, locals_)
        except HCLError:
            pass
    pending = [(name, expr) for name, expr in pending if name not in locals_]
    while pending:
        progressed = False
        last_errors: list[HCLError] = []
        remaining = []
        for name, expr in pending:
            try:
                _evaluate_local(name, expr, scope, locals_)
                progressed = True
            except HCLError as exc:
                last_errors.append(exc)
                remaining.append((name, expr))
        pending = remaining
        if not progressed:
            return last_errors
    return errors


def _evaluate_local(name: str, expr: Expr, scope: Scope, locals_: dict[str, Any]) -> None:
    """Evaluate one local into ``locals_`` (raises :class:`HCLError`; limits end the load, located here)."""
    try:
        charge_steps()
        value = expr.eval(scope)
        measure_value(value)  # a chain of locals can nest a value one level per local
    except RecursionError:
        raise LimitExceeded("the expression nests too deeply to be evaluated", expr.rng,
                            summary="Nesting too deep") from None
    except LimitExceeded as exc:
        exc.locate(expr.rng)
        raise
    locals_[name] = value


def _dependency_order(pending: list[tuple[str, Expr]]) -> list[tuple[str, Expr]]:
    """``pending`` in the order the pass-by-pass loop would evaluate them successfully -- by (pass, position),
    where a local needs one pass more than a dependency written after it -- computed in linear time (Kahn's
    algorithm). Locals in a cycle come last, in source order (they fail as before)."""
    index = {name: i for i, (name, _) in enumerate(pending)}
    needs: dict[str, set[str]] = {}
    users: dict[str, list[str]] = {name: [] for name in index}
    for name, expr in pending:
        deps = {t.steps[0][1] for t in expr.references()
                if t.root == "local" and t.steps and isinstance(t.steps[0][1], str)} & index.keys()
        deps.discard(name)
        needs[name] = deps
        for dep in deps:
            users[dep].append(name)
    passes = dict.fromkeys(index, 1)
    ready = [name for name, _ in pending if not needs[name]]
    done: list[str] = []
    while ready:
        name = ready.pop()
        done.append(name)
        for user in users[name]:
            passes[user] = max(passes[user], passes[name] + (index[name] > index[user]))
            needs[user].discard(name)
            if not needs[user]:
                ready.append(user)
    done.sort(key=lambda n: (passes[n], index[n]))
    placed = set(done)
    exprs = dict(pending)
    return [(name, exprs[name]) for name in done] + [(n, e) for n, e in pending if n not in placed]


def _valid_identifier(name: str) -> bool:
    import re

    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name) is not None


def _looks_like_sentences(message: str) -> bool:
    first, last = message[0], message[-1]
    if first.isalpha() and not first.isupper():
        return False
    return last in ".?!"


__all__ = ["Variables", "Variable", "evaluate_locals", "type_from_expr"]
