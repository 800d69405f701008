"""A whole HCL2 job file: variables, locals, the ``job`` block, and jobspec2's final normalisation.

Mirrors the steps of Nomad's ``jobspec2.ParseWithConfig``: the top level may only hold ``variable``, ``variables``,
``locals`` and one ``job``; variables get their values, locals are evaluated, the job is decoded with every
undeclared reference kept as a runtime interpolation, then ``normalizeJob`` fills the few defaults jobspec2 sets
itself (template change mode/perms/splay, vault env/change mode, static ports as reserved ports, job-level tasks
as their own groups).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jobguard.jobspec.apimodel import Field
from jobguard.jobspec.hcl import calls
from jobguard.jobspec.hcl.decode import Decoder
from jobguard.jobspec.hcl.diagnostics import HCLError, MultiError
from jobguard.jobspec.hcl.expressions import Scope
from jobguard.jobspec.hcl.jsonsyntax import parse_json_body
from jobguard.jobspec.hcl.parser import parse_body
from jobguard.jobspec.hcl.syntax import Block, Body
from jobguard.jobspec.hcl.variables import Variables, evaluate_locals
from jobguard.jobspec.sourcemap import SourceMap

SECOND = 1_000_000_000
_TOP_LEVEL = ("variables", "variable", "locals", "job")
_JOB_NAME_FIELD = Field("Name", "string", True, None, "name", "attr")


@dataclass
class DecodedFile:
    job: dict[str, Any]
    source_map: SourceMap
    variables: dict[str, Any] = field(default_factory=dict)
    variable_sources: dict[str, str] = field(default_factory=dict)


def _runtime_reference(text: str) -> str:
    """Nomad keeps any reference it cannot resolve for the client to interpolate at run time."""
    return "${" + text + "}"


def decode_file(text: str, filename: str, cli_vars: dict[str, str], var_files: list[tuple[str, str]],
                env: dict[str, str], base_dir: str | None = None, is_json: bool = False) -> DecodedFile:
    """Decode job text. Raises :class:`MultiError` with every diagnostic when Nomad would reject the file.

    ``base_dir`` is where file functions resolve relative paths (None: the current directory, like Nomad's CLI);
    ``is_json`` selects HCL's JSON syntax.
    """
    caller = calls.make_caller(base_dir, filename)
    body = parse_json_body(text) if is_json else parse_body(text)
    parsed_var_files: list[tuple[str, Body]] = []
    for vf_name, vf_text in var_files:
        try:
            if vf_text.lstrip(" ").startswith("{"):  # jobspec2 reads var files as HCL JSON by the same test
                parsed_var_files.append((vf_name, parse_json_body(vf_text, "attrs")))
            else:
                parsed_var_files.append((vf_name, parse_body(vf_text)))
        except MultiError as exc:
            for err in exc.errors:
                err.file = vf_name
            raise
    errors: list[HCLError] = []
    for name, attr in body.attributes.items():
        errors.append(HCLError("Unsupported argument", f'An argument named "{name}" is not expected here.',
                               attr.name_rng))
    for block in body.blocks:
        if block.type not in _TOP_LEVEL:
            errors.append(HCLError("Unsupported block type", f'Blocks of type "{block.type}" are not expected here.',
                                   block.type_rng))
        elif block.type in ("job", "variable") and len(block.labels) != 1:
            if block.labels:
                errors.append(HCLError(f"Extraneous label for {block.type}", f"Only 1 labels (name) are expected for "
                                       f"{block.type} blocks.", block.label_rngs[1]))
            else:
                errors.append(HCLError(f"Missing name for {block.type}", f"All {block.type} blocks must have 1 labels "
                                       "(name).", block.open_rng))
        elif block.type in ("locals", "variables") and block.labels:
            errors.append(HCLError(f"Extraneous label for {block.type}", f"No labels are expected for {block.type} "
                                   "blocks.", block.label_rngs[0]))
    if errors:
        raise MultiError(errors)

    variables = Variables(filename)
    for block in body.blocks:
        if block.type == "variable":
            variables.declare_block(block)
        elif block.type == "variables":
            variables.declare_attributes(block)
    variables.collect(env, parsed_var_files, cli_vars)
    var_values, sources = variables.values(caller)
    if variables.errors:
        raise MultiError(variables.errors)

    locals_: dict[str, Any] = {}
    scope = Scope({"var": var_values, "local": locals_}, functions=caller, unknown_variable=_runtime_reference)
    errors = evaluate_locals([b for b in body.blocks if b.type == "locals"], scope, locals_)
    if errors:
        raise MultiError(errors)

    source_map = SourceMap(filename)
    decoder = Decoder(source_map)
    job = _decode_job([b for b in body.blocks if b.type == "job"], scope, decoder)
    if decoder.errors:
        raise MultiError(decoder.errors)
    return DecodedFile(job, source_map, var_values, sources)


def _decode_job(blocks: list[Block], scope: Scope, decoder: Decoder) -> dict[str, Any]:
    if not blocks:
        decoder.error("Missing job block", "A job block is required", (0, 0, 0, 0))
        return {}
    for extra in blocks[1:]:
        first = blocks[0]
        decoder.error("Duplicate job block", f'Only one block of type "job" is allowed. Previous definition was at '
                      f"{{file}}:{first.type_rng[0]},{first.type_rng[1]}-{first.open_rng[1]}.", extra.def_rng)
    block = blocks[0]
    job_id = block.labels[0]
    decoder.mark((), block.type_rng)
    body = block.body
    top = decoder.blocks_of(body, scope)
    job_tasks = [(b, s) for b, s in top if b.type == "task"]
    vault_blocks = [(b, s) for b, s in top if b.type == "vault"]
    job_vault: dict | None = None
    for i, (vb, vs) in enumerate(vault_blocks):
        if i:
            decoder.error("Duplicate vault block", 'Only one block of type "vault" is allowed. Previous definition '
                          f"was at {{file}}:{vault_blocks[0][0].type_rng[0]},{vault_blocks[0][0].type_rng[1]}-"
                          f"{vault_blocks[0][0].open_rng[1]}.", vb.def_rng)
            continue
        job_vault = decoder.decode_block(vb, vs, "Vault", ("Vault",))
    alone = []
    for i, (tb, ts) in enumerate(job_tasks):
        if len(tb.labels) != 1:
            decoder.check_labels(tb, ["name"])
            continue
        task = decoder.decode_block(tb, ts, "Task", ("TaskGroups", i, "Tasks", 0))
        if task is not None:
            decoder.mark(("TaskGroups", i), tb.type_rng)
            alone.append({"Name": tb.labels[0], "Tasks": [task]})
    decoder.group_offset = len(alone)
    job = decoder.decode_struct(body, scope, "Job", (), None, attr_maps=("meta",), skip_blocks=("vault", "task"),
                                extra_fields={"name": _JOB_NAME_FIELD})
    decoder.group_offset = 0
    if alone:
        job["TaskGroups"] = alone + job.get("TaskGroups", [])
    _normalize(job, job_id, job_vault)
    return job


# -- normalizeJob -------------------------------------------------------------------------------------------------

def _normalize(job: dict[str, Any], job_id: str, job_vault: dict | None) -> None:
    if job.get("Name") is None:
        job["Name"] = job_id
    if job.get("ID") is None:
        job["ID"] = job_id
    periodic = job.get("Periodic")
    if periodic is not None and (periodic.get("Spec") is not None or periodic.get("Specs")):
        periodic["SpecType"] = "cron"
    _normalize_vault(job_vault)
    for group in job.get("TaskGroups") or []:
        _normalize_ports(group.get("Networks"))
        for task in group.get("Tasks") or []:
            resources = task.get("Resources")
            if resources is not None:
                _normalize_ports(resources.get("Networks"))
            for template in task.get("Templates") or []:
                template.setdefault("ChangeMode", "restart")
                template.setdefault("Perms", "0644")
                template.setdefault("Splay", 5 * SECOND)
                template.setdefault("ErrMissingKey", False)
                script = template.get("ChangeScript")
                if script is not None:
                    script.setdefault("Args", [])
                    script.setdefault("Timeout", 5 * SECOND)
                    script.setdefault("FailOnError", False)
                    script.setdefault("RunOnFirstRender", False)
            _normalize_vault(task.get("Vault"))
            if task.get("Vault") is None and job_vault is not None:
                task["Vault"] = dict(job_vault)


def _normalize_vault(vault: dict | None) -> None:
    if vault is None:
        return
    vault.setdefault("Env", True)
    vault.setdefault("DisableFile", False)
    vault.setdefault("ChangeMode", "restart")


def _normalize_ports(networks: list | None) -> None:
    for network in networks or []:
        dynamic = network.get("DynamicPorts") or []
        if not dynamic:
            continue
        reserved = [p for p in dynamic if (p.get("Value") or 0) > 0]
        remaining = [p for p in dynamic if (p.get("Value") or 0) <= 0]
        network["DynamicPorts"] = remaining or None
        network["ReservedPorts"] = reserved or None
