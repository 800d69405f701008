"""Each jobspec block mapped onto Nomad's API job, with jobspec2's quirks."""

from __future__ import annotations

import os

from hclhelpers import errors_of, job_of, load, task_job, task_of

from jobguard.jobspec import load_file

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "hcl")
SECOND = 1_000_000_000


def test_job_label_is_id_and_name_and_every_field_is_printed():
    job = job_of('job "web" {\n  datacenters = ["dc1"]\n  priority = 70\n}')
    assert job["ID"] == job["Name"] == "web"
    assert job["Priority"] == 70
    assert job["Region"] is None and job["TaskGroups"] is None  # nulls included, as Nomad prints
    assert list(job)[:3] == ["Region", "Namespace", "ID"]  # Go field order


def test_job_name_and_id_attributes_override_the_label():
    job = job_of('job "web" {\n  id = "web-1"\n  name = "Web"\n}')
    assert (job["ID"], job["Name"]) == ("web-1", "Web")


def test_durations_become_nanoseconds():
    job = job_of(task_job("kill_timeout = \"1m30s\"\nshutdown_delay = 5", group_body='restart {\n delay = "1.5s"\n}'))
    group = job["TaskGroups"][0]
    assert group["RestartPolicy"]["Delay"] == 1_500_000_000
    assert group["Tasks"][0]["KillTimeout"] == 90 * SECOND
    assert group["Tasks"][0]["ShutdownDelay"] == 5


def test_bad_duration_is_reported_like_go():
    diags = errors_of(task_job('kill_timeout = "5 minutes"'))
    assert diags[0].summary == "Unsuitable value type"
    assert 'time: unknown unit " minutes" in duration "5 minutes"' in diags[0].detail


def test_config_keeps_driver_keys_and_nests_blocks_as_lists_of_maps():
    task = task_of('''config {
  image = "redis"
  port_map { db = 6379 }
  labels = { a = "b" }
  mount "volume" {
    target = "/data"
  }
  count = 1.0
}''')
    assert task["Config"] == {"image": "redis", "port_map": [{"db": 6379}], "labels": [{"a": "b"}],
                              "mount": [{"volume": [{"target": "/data"}]}], "count": 1}


def test_meta_and_env_values_are_strings_in_block_or_attribute_form():
    task = task_of('env {\n  N = 1\n  B = true\n}\nmeta = { "a.b" = 2 }')
    assert task["Env"] == {"N": "1", "B": "true"}
    assert task["Meta"] == {"a.b": "2"}


def test_meta_twice_is_a_duplicate():
    diags = errors_of(task_job('meta = { a = "1" }\nmeta {\n  b = "2"\n}'))
    assert diags[0].summary == "Duplicate meta block"


def test_constraint_and_affinity_shorthands():
    job = job_of('''job "j" {
  constraint {
    distinct_hosts = true
  }
  constraint {
    attribute = "${attr.kernel.version}"
    version   = ">= 5.0"
  }
  constraint {
    distinct_property = "${meta.rack}"
    value = 2
  }
  affinity {
    attribute = "${node.datacenter}"
    value     = "us-west1"
    weight    = 50
  }
}''')
    assert job["Constraints"] == [
        {"LTarget": "", "RTarget": "true", "Operand": "distinct_hosts"},
        {"LTarget": "${attr.kernel.version}", "RTarget": ">= 5.0", "Operand": "version"},
        {"LTarget": "${meta.rack}", "RTarget": "2", "Operand": "distinct_property"},
    ]
    assert job["Affinities"] == [{"LTarget": "${node.datacenter}", "RTarget": "us-west1", "Operand": "=",
                                  "Weight": 50}]


def test_static_ports_become_reserved_ports():
    job = job_of(task_job("", group_body='network {\n  port "http" { to = 8080 }\n  port "db" { static = 5432 }\n}'))
    net = job["TaskGroups"][0]["Networks"][0]
    assert [p["Label"] for p in net["DynamicPorts"]] == ["http"]
    assert [(p["Label"], p["Value"]) for p in net["ReservedPorts"]] == [("db", 5432)]


def test_template_and_vault_defaults_from_jobspec2():
    task = task_of('template {\n  data = "x"\n  destination = "local/x"\n}\nvault {\n  policies = ["p"]\n}')
    tmpl = task["Templates"][0]
    assert (tmpl["ChangeMode"], tmpl["Perms"], tmpl["Splay"], tmpl["ErrMissingKey"]) == \
        ("restart", "0644", 5 * SECOND, False)
    assert (task["Vault"]["Env"], task["Vault"]["ChangeMode"], task["Vault"]["DisableFile"]) == (True, "restart", False)


def test_group_and_job_vault_apply_to_tasks_without_one():
    job = job_of(task_job("", group_body='vault {\n  policies = ["g"]\n}'))
    assert job["TaskGroups"][0]["Tasks"][0]["Vault"]["Policies"] == ["g"]
    job = job_of(task_job("", job_body='vault {\n  policies = ["j"]\n}'))
    assert job["TaskGroups"][0]["Tasks"][0]["Vault"]["Policies"] == ["j"]


def test_job_level_task_becomes_its_own_group_first():
    job = job_of('job "j" {\n  task "solo" {\n    driver = "exec"\n  }\n  group "g" {\n  }\n}')
    assert [g["Name"] for g in job["TaskGroups"]] == ["solo", "g"]


def test_volumes_are_keyed_by_label_and_mounts_listed():
    job = job_of(task_job('volume_mount {\n  volume = "data"\n  destination = "/d"\n}',
                          group_body='volume "data" {\n  type = "host"\n  source = "data"\n}'))
    group = job["TaskGroups"][0]
    assert group["Volumes"]["data"]["Name"] == "data"
    assert group["Tasks"][0]["VolumeMounts"][0]["Destination"] == "/d"


def test_devices_services_checks_and_headers():
    task = task_of('''resources {
  device "nvidia/gpu" {
    count = 2
  }
}
service {
  name = "api"
  port = 8080
  check {
    type = "http"
    path = "/"
    interval = "5s"
    timeout = "1s"
    header {
      Authorization = ["Bearer x"]
    }
  }
}''')
    assert task["Resources"]["Devices"][0]["Name"] == "nvidia/gpu"
    assert task["Resources"]["Devices"][0]["Count"] == 2
    service = task["Services"][0]
    assert service["PortLabel"] == "8080"
    assert service["Checks"][0]["Header"] == {"Authorization": ["Bearer x"]}


def test_scaling_policies():
    job = job_of(task_job('scaling "cpu" {\n  max = 500\n}', group_body="scaling {\n  max = 5\n}"))
    group = job["TaskGroups"][0]
    assert (group["Scaling"]["Type"], group["Scaling"]["Max"]) == ("horizontal", 5)
    assert group["Tasks"][0]["ScalingPolicies"][0]["Type"] == "vertical_cpu"
    diags = errors_of(task_job('scaling "disk" {\n  max = 5\n}'))
    assert diags[0].summary == "Invalid scaling policy name"
    diags = errors_of(task_job("", group_body="scaling {\n  min = 1\n}"))
    assert diags[0].summary == "Missing required argument"


def test_identities_default_and_named():
    task = task_of('identity {\n  env = true\n}\nidentity {\n  name = "vault"\n  aud = ["v"]\n}')
    assert task["Identity"]["Env"] is True
    assert [i["Name"] for i in task["Identities"]] == ["vault"]


def test_periodic_sets_spec_type():
    job = job_of('job "j" {\n  periodic {\n    crons = ["@daily"]\n  }\n}')
    assert job["Periodic"]["SpecType"] == "cron"


def test_dynamic_blocks_expand_with_iterator_and_labels():
    job = job_of(task_job("", group_body='''dynamic "network" {
  for_each = ["a"]
  content {
    dynamic "port" {
      for_each = { http = 80, metrics = 9100 }
      iterator = p
      labels = [p.key]
      content {
        to = p.value
      }
    }
  }
}'''))
    ports = job["TaskGroups"][0]["Networks"][0]["DynamicPorts"]
    assert [(p["Label"], p["To"]) for p in ports] == [("http", 80), ("metrics", 9100)]


def test_lifecycle_hook_is_required():
    diags = errors_of(task_job("lifecycle {\n  sidecar = true\n}"))
    assert diags[0].summary == "Missing required argument"


def test_fixture_file_source_map_and_canonical():
    loaded = load_file(os.path.join(FIXTURES, "web.hcl"), env={})
    assert loaded.format == "hcl2"
    assert loaded.variables == {"image": "nginx:1.27", "count": 2}
    assert loaded.variable_sources == {"image": "default", "count": "default"}
    pos = loaded.source_map.lookup(("TaskGroups", 0, "Tasks", 0, "Env", "WORKERS"))
    assert (pos.line, pos.column) == (70, 9)
    pos = loaded.source_map.lookup(("TaskGroups", 0, "Tasks", 0, "Resources", "MemoryMB"))
    assert (pos.line, pos.column) == (85, 9)
    assert loaded.canonical["TaskGroups"][0]["RestartPolicy"]["Mode"] == "fail"  # api default filled in
    assert loaded.job["TaskGroups"][0]["RestartPolicy"]["Mode"] is None


def test_api_json_is_recognised_by_content():
    loaded = load('{"Job": {"ID": "x", "Name": "x", "TaskGroups": []}}')
    assert loaded.format == "json"
    assert loaded.job["ID"] == "x"


def test_broken_json_is_reported_as_json():
    diags = errors_of('{"Job": {"ID": "x",}}')
    assert (diags[0].summary, diags[0].line, diags[0].column) == ("Invalid JSON", 1, 20)


def test_source_map_shifts_groups_after_job_level_tasks():
    loaded = load('job "j" {\n  task "solo" {\n    driver = "exec"\n  }\n  group "g" {\n    count = 2\n  }\n}')
    assert loaded.source_map.lookup(("TaskGroups", 0, "Tasks", 0, "Driver")).line == 3
    assert loaded.source_map.lookup(("TaskGroups", 1, "Count")).line == 6
    assert loaded.source_map.lookup(("TaskGroups", 1)).line == 5


HCL_JSON = '''{
  "variable": {"image": {"type": "string", "default": "nginx"}},
  "job": {
    "web": {
      "constraint": [{"attribute": "${attr.kernel.name}", "value": "linux"}],
      "group": {
        "frontend": {
          "count": 2,
          "network": {"port": {"http": {"to": 80}, "admin": {"static": 9090}}},
          "dynamic": {"constraint": {"for_each": ["a"], "iterator": "c",
                                     "content": {"attribute": "${meta.x}", "value": "${c.value}"}}},
          "task": [{"nginx": {"driver": "docker", "config": {"image": "${var.image}", "labels": {"a": "b"}},
                              "env": {"WORKERS": 4}, "kill_timeout": "30s"}}]
        }
      }
    }
  }
}'''


def test_hcl_json_syntax_is_read_like_native_hcl(tmp_path):
    (tmp_path / "v.json").write_text('{"image": "redis"}')
    loaded = load(HCL_JSON, var_files=["v.json"], cwd=str(tmp_path))
    job = loaded.job
    assert job["ID"] == "web"
    assert job["Constraints"][0]["LTarget"] == "${attr.kernel.name}"
    group = job["TaskGroups"][0]
    assert (group["Name"], group["Count"]) == ("frontend", 2)
    assert group["Constraints"] == [{"LTarget": "${meta.x}", "RTarget": "a", "Operand": "="}]
    assert [p["Label"] for p in group["Networks"][0]["ReservedPorts"]] == ["admin"]
    task = group["Tasks"][0]
    assert task["Config"] == {"image": "redis", "labels": {"a": "b"}}  # JSON objects are not wrapped in lists
    assert (task["Env"], task["KillTimeout"]) == ({"WORKERS": "4"}, 30 * SECOND)
    assert loaded.source_map.lookup(("TaskGroups", 0, "Tasks", 0, "Env", "WORKERS")).line == 13
    diags = errors_of(HCL_JSON.replace('"count": 2', '"cout": 2'))
    assert diags[0].summary == "Unsupported argument" and 'Did you mean "count"?' in diags[0].detail
