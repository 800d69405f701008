"""vault-templates-required: credentials must come through Vault / Nomad Variables templates."""

from __future__ import annotations

RULE = "vault-templates-required"
VAULT = {"Policies": None, "Role": "", "Cluster": "default", "Env": True, "ChangeMode": "restart"}


def tmpl(data, dest="secrets/app.env", env=True, perms="0400"):
    return {"EmbeddedTmpl": data, "DestPath": dest, "Envvars": env, "Perms": perms, "LeftDelim": "{{",
            "RightDelim": "}}", "SourcePath": ""}


def test_env_literal_credential(run, job, task):
    task["Env"] = {"STRIPE_API_KEY": "sk-live-placeholder", "PORT": "8080"}
    out = run(RULE, job)
    assert [v.path for v in out] == [("TaskGroups", 0, "Tasks", 0, "Env", "STRIPE_API_KEY")]
    assert "literal" in out[0].message and "sk-live" not in out[0].message


def test_credential_from_hcl_variable(run, job, task):
    task["Env"] = {"API_TOKEN": "value-from-var-file"}
    out = run(RULE, job, variables={"api_token": "value-from-var-file"}, variable_sources={"api_token": "file"})
    assert len(out) == 1 and "HCL variable 'api_token'" in out[0].message
    assert "value-from-var-file" not in out[0].message


def test_env_template_reading_vault_with_vault_block_passes(run, job, task):
    task["Vault"] = VAULT
    task["Templates"] = [tmpl('{{ with secret "kv/data/api" }}\nDB_PASSWORD={{ .Data.data.pw }}\n{{ end }}\n'
                              'API_TOKEN={{ with secret "kv/data/api" }}{{ .Data.data.token }}{{ end }}\n')]
    task["Env"] = {"DB_PASSWORD_FILE": "${NOMAD_SECRETS_DIR}/app.env", "UPSTREAM_TOKEN": "${API_TOKEN}"}
    assert run(RULE, job) == []


def test_nomad_variables_need_no_vault_block(run, job, task):
    task["Templates"] = [tmpl('{{ with nomadVar "nomad/jobs/web" }}SECRET_KEY={{ .secret_key }}{{ end }}\n'
                              '{{ range nomadVarList "nomad/jobs/web/extra" }}{{ .Path }}{{ end }}\n')]
    assert run(RULE, job) == []


def test_vault_template_without_vault_block(run, job, task):
    task["Templates"] = [tmpl('DB_PASSWORD={{ with secret "kv/data/db" }}{{ .Data.data.pw }}{{ end }}')]
    out = run(RULE, job)
    assert [v.path for v in out] == [("TaskGroups", 0, "Tasks", 0, "Templates", 0)]
    assert "no vault block" in out[0].message


def test_vault_block_on_group_or_job_counts(run, job, group, task):
    task["Templates"] = [tmpl('{{ with pkiCert "pki/issue/web" "common_name=web" }}{{ .Key }}{{ end }}',
                              dest="secrets/key.pem", env=False)]
    group["Vault"] = VAULT
    assert run(RULE, job) == []


def test_consul_kv_credentials_are_rejected(run, job, task):
    task["Templates"] = [
        tmpl('DB_PASSWORD={{ key "app/db/password" }}\nLOG_LEVEL={{ keyOrDefault "app/log" "info" }}\n'),
        tmpl('{{ with tree "app/cfg" }}x{{ end }}\nredis:\n  password: {{ key "app/redis/pw" }}\n',
             dest="local/app.yml", env=False),
    ]
    out = run(RULE, job)
    assert [(v.path[-1], "Consul KV" in v.message) for v in out] == [(0, True), (1, True)]
    assert "DB_PASSWORD" in out[0].message and "line 3" in out[1].message


def test_env_interpolating_a_consul_kv_env_var(run, job, task):
    task["Templates"] = [tmpl('DB_CONN_RAW={{ key "app/pw" }}\n')]
    task["Env"] = {"DB_PASSWORD": "${DB_CONN_RAW}"}
    out = run(RULE, job)
    assert [v.path[-1] for v in out] == ["DB_PASSWORD"]
    assert "Consul KV" in out[0].message


def test_env_template_literal(run, job, task):
    task["Templates"] = [tmpl('ADMIN_TOKEN="u3L9xN7vB2mK5zP8wA4q"\nLOG_LEVEL=debug\n')]
    out = run(RULE, job)
    assert len(out) == 1 and "ADMIN_TOKEN" in out[0].message and "line 1" in out[0].message


def test_file_pointer_to_consul_rendered_file(run, job, task):
    task["Templates"] = [tmpl('{{ key "app/tls/key" }}', dest="local/tls.key", env=False)]
    task["Env"] = {"TLS_KEY_FILE": "/local/tls.key", "CA_CERT_FILE": "/etc/ssl/ca.pem"}
    out = run(RULE, job)
    assert [v.path[-1] for v in out] == ["TLS_KEY_FILE"]


def test_meta_and_config_credentials(run, job, task):
    job["Meta"]["deploy_token"] = "literal-token-value"
    task["Config"]["auth"] = [{"username": "ci", "password": "${REGISTRY_PASSWORD}"}]
    task["Templates"] = [tmpl('{{ with nomadVar "nomad/jobs/web" }}REGISTRY_PASSWORD={{ .pw }}{{ end }}')]
    out = run(RULE, job)
    assert [v.path for v in out] == [("Meta", "deploy_token")]


def test_non_credential_names_and_flags_are_ignored(run, job, task):
    task["Env"] = {"TOKEN_TTL": "1h", "PASSWORD_MIN_LENGTH": "12", "MYSQL_RANDOM_ROOT_PASSWORD": "yes",
                   "VAULT_ADDR": "https://vault.example.com:8200", "NOMAD_SECRETS_DIR_HINT": "/secrets"}
    assert run(RULE, job) == []


def test_digest_of_a_credential_is_not_a_credential(run, job, task):
    task["Env"] = {"ADMIN_PASSWORD_SHA256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
    assert run(RULE, job) == []


def test_interpolating_template_env_by_source(run, job, task):
    task["Templates"] = [tmpl('PASSTHRU={{ env "UPSTREAM_CRED" }}\nFIXED=plain-value\n', dest="secrets/x.env")]
    task["Env"] = {"APP_PASSWORD": "${PASSTHRU}", "OTHER_PASSWORD": "${FIXED}"}
    out = run(RULE, job)
    assert [v.path[-1] for v in out] == ["OTHER_PASSWORD"] and "a literal" in out[0].message
