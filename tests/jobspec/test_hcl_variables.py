"""Input variables (defaults, --var, --var-file, NOMAD_VAR_*, types, validation) and locals."""

from __future__ import annotations

from hclhelpers import errors_of, load

JOB = '''
variable "image" {
  type    = string
  default = "nginx"
}

variable "replicas" {
  type    = number
  default = 1
}

variable "tags" {
  type    = list(string)
  default = []
}

variable "opts" {
  type    = object({ debug = bool, level = optional(number, 3) })
  default = { debug = false }
}

locals {
  full = "${local.prefix}/${var.image}"
  prefix = "docker.io"
}

job "j" {
  group "g" {
    count = var.replicas
    task "t" {
      driver = "docker"
      config {
        image = local.full
        tags  = var.tags
        level = var.opts.level
      }
    }
  }
}
'''


def config_of(loaded):
    return loaded.job["TaskGroups"][0]["Tasks"][0]["Config"]


def test_defaults_types_optional_attributes_and_locals_in_any_order():
    loaded = load(JOB)
    assert config_of(loaded) == {"image": "docker.io/nginx", "tags": [], "level": 3}
    assert loaded.job["TaskGroups"][0]["Count"] == 1
    assert loaded.variable_sources["image"] == "default"


def test_precedence_env_then_files_then_cli(tmp_path):
    (tmp_path / "a.vars").write_text('image = "from-file"\nreplicas = 4\n')
    loaded = load(JOB, env={"NOMAD_VAR_image": "from-env", "NOMAD_VAR_replicas": "2"})
    assert config_of(loaded)["image"] == "docker.io/from-env"
    assert loaded.job["TaskGroups"][0]["Count"] == 2  # a number-typed value from the environment is converted
    loaded = load(JOB, env={"NOMAD_VAR_image": "from-env"}, var_files=["a.vars"], cwd=str(tmp_path))
    assert config_of(loaded)["image"] == "docker.io/from-file"
    assert loaded.variable_sources["image"] == "file"
    loaded = load(JOB, var_files=["a.vars"], cwd=str(tmp_path), variables={"image": "cli", "tags": '["a", "b"]'})
    assert config_of(loaded)["image"] == "docker.io/cli"
    assert config_of(loaded)["tags"] == ["a", "b"]  # non-primitive -var values are HCL expressions
    assert loaded.variable_sources == {"image": "cli", "replicas": "file", "tags": "cli", "opts": "default"}


def test_unset_variable_points_at_its_declaration_with_nomads_words():
    """Nomad says ``<nil>: Unset variable "region"; ...`` with no position; we keep the words and point at the
    declaration (where a default would go), so no error is left without a line to jump to."""
    diags = errors_of('job "j" {\n  region = var.region\n}\n\n  variable "region" {\n    type = string\n  }\n')
    assert diags[0].summary == 'Unset variable "region"'
    assert diags[0].detail == ("A used variable must be set or have a default value; see "
                               "https://developer.hashicorp.com/nomad/docs/reference/hcl2/variables  for details.")
    assert (diags[0].line, diags[0].column) == (5, 3)


def test_type_mismatch_of_default_and_cli_value():
    diags = errors_of('variable "n" {\n  type = number\n  default = "x"\n}\njob "j" {}')
    assert diags[0].summary == "Invalid default value for variable"
    diags = errors_of(JOB, variables={"replicas": "many"})
    assert diags[0].summary == "Invalid argument value for -var variable"


def test_undefined_cli_variable_is_an_error():
    diags = errors_of(JOB, variables={"nope": "1"})
    assert diags[0].summary == "Undefined -var variable"


def test_validation_rules():
    text = '''variable "port" {
  type = number
  default = 80
  validation {
    condition     = var.port > 1024
    error_message = "The port must be above 1024."
  }
}
job "j" {}
'''
    diags = errors_of(text)
    assert diags[0].summary == "Invalid value for default variable"
    assert diags[0].detail.startswith("The port must be above 1024.")
    assert load(text, variables={"port": "8080"}).variables["port"] == 8080
    bad = text.replace("var.port > 1024", "var.other > 1")
    assert errors_of(bad)[0].summary == "Invalid reference in variable validation"


def test_variable_defaults_cannot_use_variables_or_functions():
    assert errors_of('variable "a" {\n  default = var.b\n}\njob "j" {}')[0].summary == "Variables not allowed"
    assert errors_of('variable "a" {\n  default = upper("x")\n}\njob "j" {}')[0].summary == \
        "Function calls not allowed"


def test_unsupported_variable_argument_and_duplicate():
    diags = errors_of('variable "a" {\n  defualt = 1\n}\njob "j" {}')
    assert diags[0].summary == "Unsupported argument" and 'Did you mean "default"?' in diags[0].detail
    diags = errors_of('variable "a" {}\nvariable "a" {}\njob "j" {}')
    assert diags[0].summary == "Duplicate variable"


def test_var_file_rules(tmp_path):
    (tmp_path / "decl.vars").write_text('variable "image" {}\n')
    (tmp_path / "unknown.vars").write_text('nope = 1\n')
    assert errors_of(JOB, var_files=["decl.vars"], cwd=str(tmp_path))[0].summary == \
        "Variable declaration in a .var file"
    assert errors_of(JOB, var_files=["unknown.vars"], cwd=str(tmp_path))[0].summary == "Undefined variable"
    assert errors_of(JOB, var_files=["missing.vars"], cwd=str(tmp_path))[0].summary == "Failed to read file"


def test_legacy_variables_block_and_circular_locals():
    loaded = load('variables {\n  x = "v"\n}\njob "j" {\n  region = var.x\n}')
    assert loaded.job["Region"] == "v"
    diags = errors_of('locals {\n  a = local.b\n  b = local.a\n}\njob "j" {}')
    assert diags[0].summary == "Unsupported attribute"


def test_type_mismatch_is_worded_for_each_source_of_the_value(tmp_path):
    """Every source converts through one path; only the summary and the name of the value differ, as in Nomad."""
    (tmp_path / "bad.vars").write_text('replicas = "many"\n')
    expected = "is not compatible with the variable's type constraint: a number is required."
    [default] = errors_of('variable "n" {\n  type = number\n  default = "x"\n}\njob "j" {}')
    assert (default.line, default.column) == (3, 13)
    assert default.detail == f"This default value {expected}"
    [from_file] = errors_of(JOB, var_files=["bad.vars"], cwd=str(tmp_path))
    assert (from_file.file, from_file.line, from_file.summary) == ("bad.vars", 1, "Invalid value for variable")
    assert from_file.detail == f"The value for replicas {expected}"
    [from_env] = errors_of(JOB, env={"NOMAD_VAR_replicas": "many"})
    assert (from_env.line, from_env.summary) == (0, "Invalid value for variable")
    assert from_env.detail == f"The value for replicas {expected}"
    [from_cli] = errors_of(JOB, variables={"replicas": "many"})
    assert from_cli.detail == f"The received arg value for replicas {expected}"


def test_constant_expressions_that_fail_are_reported_and_skipped(tmp_path):
    (tmp_path / "calls.vars").write_text('image = upper("x")\n')
    [diag] = errors_of(JOB, var_files=["calls.vars"], cwd=str(tmp_path))
    assert (diag.file, diag.line, diag.summary) == ("calls.vars", 1, "Function calls not allowed")
    diags = errors_of('variables {\n  a = var.b\n}\njob "j" {}')
    assert [d.summary for d in diags] == ["Variables not allowed"]
    text = 'variable "p" {\n  default = 1\n  validation {\n    condition = var.p > 0\n    error_message = var.x\n' \
           '  }\n}\njob "j" {}'
    assert [d.summary for d in errors_of(text)] == ["Variables not allowed", "Invalid validation error message"]
