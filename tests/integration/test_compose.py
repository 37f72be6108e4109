"""docker-compose.yml, deploy/Dockerfile and the Postgres init script, checked against the code they configure.

No Docker here: the compose file is read as data and each service's settings class is built from exactly the
environment compose would give its container, so a typo in a variable name, a database nobody creates, a gateway
pointed at the wrong port or a command ``greenlaw`` does not know fails here rather than at ``docker compose up``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy.engine import make_url

from services.cases.app import SPEC as CASES_SPEC
from services.cases.settings import CasesSettings
from services.catalogue import CATALOGUE
from services.disclosure.consumers import subscriptions as disclosure_subscriptions
from services.disclosure.settings import DisclosureSettings
from services.gateway.settings import GatewaySettings
from services.monitoring.app import SPEC as MONITORING_SPEC
from services.monitoring.settings import MonitoringSettings
from services.ops.cli import ServiceName
from services.ops.migrate import all_topics
from services.referral.app import SPEC as REFERRAL_SPEC
from services.referral.settings import ReferralSettings
from shared.contracts import TOPICS
from shared.messaging import Subscription
from shared.messaging.kafka import dlq_topic
from shared.settings import DEV_SECRET, CommonSettings, ServiceSettings
from shared.workdays import WorkCalendar
from tests.infra import IN_CI, PostgresServer
from tests.processes import (
    APP_SERVICES,
    DOCKERFILE,
    INIT_DATABASES_SCRIPT,
    ROOT,
    TOPICS_JOB,
    MissingVariable,
    command_of,
    interpolate,
    listen_port,
    load_compose,
    service_environment,
)
from tests.support.deploy import known_variables, parse_cli

pytestmark = pytest.mark.integration

# What an operator would export before ``docker compose up``; only the variables compose requires (``:?``).
VARIABLES = {
    "GREENLAW_JWT_SECRET": "compose-test-secret-" + "x" * 32,
    "GREENLAW_POSTGRES_PASSWORD": "compose-test-password",
}

SETTINGS: dict[str, type[ServiceSettings]] = {entry.name: entry.settings_class() for entry in CATALOGUE}

# Keys of a compose service this file may use (a misspelt key is otherwise ignored by nobody but compose).
SERVICE_KEYS = {
    "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes",
    "depends_on", "healthcheck", "restart", "hostname", "user", "init", "networks", "deploy", "labels",
    "stop_grace_period", "stop_signal", "read_only", "tmpfs", "security_opt", "cap_drop", "logging", "ulimits",
    "profiles", "secrets", "configs", "pull_policy", "working_dir", "extra_hosts", "container_name",
}  # fmt: skip
HEALTHCHECK_KEYS = {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose(VARIABLES)


ApplyEnvironment = Callable[[dict[str, str]], None]


@pytest.fixture
def compose_env(monkeypatch: pytest.MonkeyPatch) -> ApplyEnvironment:
    """Replace every GREENLAW_* variable of this process by the environment of one compose service."""

    def apply(environment: dict[str, str]) -> None:
        for key in list(os.environ):
            if key.upper().startswith("GREENLAW_"):
                monkeypatch.delenv(key)
        for key, value in environment.items():
            monkeypatch.setenv(key, value)

    return apply


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of deploy/Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (name, _) in enumerate(instructions) if name == "FROM")
    return instructions[last_from:]


# --- settings from the compose environment ---------------------------------------------------------------------


@pytest.mark.parametrize("service", APP_SERVICES)
def test_settings_of_each_service_come_from_its_compose_environment(
    compose: dict[str, Any], compose_env: ApplyEnvironment, service: str
) -> None:
    environment = service_environment(compose, service)
    settings_class = SETTINGS[service]
    unknown = {key for key in environment if key.startswith("GREENLAW_")} - known_variables(settings_class)
    assert not unknown, f"{service}: variables no setting reads (misspelt?): {sorted(unknown)}"

    compose_env(environment)
    settings = settings_class()  # exactly as `greenlaw serve` builds it: from the environment alone

    assert settings.common.environment == "production"
    assert settings.common.transport == "kafka"
    secret = settings.common.jwt_secret.get_secret_value()
    assert secret != DEV_SECRET
    assert secret == VARIABLES["GREENLAW_JWT_SECRET"]
    assert settings.database_url is not None, f"{service} would fall back to a SQLite file"
    url = make_url(settings.resolved_database_url())
    postgres = service_environment(compose, "postgres")
    assert url.drivername == "postgresql+asyncpg"
    assert (url.host, url.port or 5432) == ("postgres", 5432)
    assert url.database == service, "each service owns its database"
    assert url.username == postgres["POSTGRES_USER"]
    assert url.password == postgres["POSTGRES_PASSWORD"] == VARIABLES["GREENLAW_POSTGRES_PASSWORD"]


@pytest.mark.parametrize("service", [*APP_SERVICES, TOPICS_JOB])
def test_kafka_settings_name_the_compose_broker(
    compose: dict[str, Any], compose_env: ApplyEnvironment, service: str
) -> None:
    compose_env(service_environment(compose, service))
    common = CommonSettings()
    kafka = service_environment(compose, "kafka")
    advertised = {urlsplit(listener).netloc for listener in kafka["KAFKA_ADVERTISED_LISTENERS"].split(",")}
    for server in common.kafka_bootstrap_servers.split(","):
        assert server in advertised, f"{service}: {server} is not an advertised listener of kafka ({advertised})"
    assert common.kafka_idempotent_producer, "Apache Kafka has the idempotent producer: keep it on"
    assert common.kafka_namespace == "", "one deployment per cluster: no topic prefix"
    assert common.environment == "production"


def test_the_secrets_must_be_given_and_have_no_default_in_the_file() -> None:
    for missing in VARIABLES:
        others = {key: value for key, value in VARIABLES.items() if key != missing}
        with pytest.raises(MissingVariable, match=missing):
            load_compose(others)
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in VARIABLES:
        assert re.findall(rf"\$\{{{name}(:?[^}}]?)", text), f"{name} is not used"
        assert set(re.findall(rf"\$\{{{name}(:?.)", text)) == {":?"}, f"{name} must be required (:?), never defaulted"
    assert DEV_SECRET not in text


def test_interpolation_follows_compose_rules() -> None:
    variables = {"SET": "value", "EMPTY": ""}
    assert interpolate("a ${SET} $SET $$SET", variables) == "a value value $SET"
    assert interpolate("${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d}", variables) == "d d  d"
    assert interpolate("${SET:+alt} ${UNSET:+alt}.", variables) == "alt ."
    with pytest.raises(MissingVariable):
        interpolate("${EMPTY:?needed}", variables)
    assert interpolate("${EMPTY?needed}", variables) == ""


# --- databases -------------------------------------------------------------------------------------------------


def test_every_database_in_a_service_url_is_created_by_the_init_script(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in postgres["volumes"] if ":" in volume}
    script = next(
        (source for target, source in mounts.items() if target.startswith("/docker-entrypoint-initdb.d/")), None
    )
    assert script is not None, "no init script mounted into /docker-entrypoint-initdb.d"
    assert (ROOT / script).resolve() == INIT_DATABASES_SCRIPT.resolve()
    assert INIT_DATABASES_SCRIPT.stat().st_mode & 0o111, "executable, so the entrypoint runs it rather than sources it"

    created = set(service_environment(compose, "postgres")["GREENLAW_DATABASES"].split())
    wanted = {
        make_url(value).database or ""
        for service in compose["services"]
        for key, value in service_environment(compose, service).items()
        if key.endswith("_DATABASE_URL")
    }
    assert wanted == set(APP_SERVICES)
    assert wanted <= created, f"not created by {script}: {sorted(wanted - created)}"


def test_init_script_runs_psql_once_per_database(tmp_path: Path) -> None:
    """The script's loop, with a stand-in psql that records what it is asked to run."""
    fake = tmp_path / "bin" / "psql"
    fake.parent.mkdir()
    record = tmp_path / "calls"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {record}\ncat >> {record}\n', encoding="utf-8")
    fake.chmod(0o755)
    env = {
        "PATH": f"{fake.parent}:/usr/bin:/bin",
        "POSTGRES_USER": "greenlaw",
        "POSTGRES_DB": "greenlaw",
        "GREENLAW_DATABASES": "gateway cases",
    }
    subprocess.run(["/bin/sh", str(INIT_DATABASES_SCRIPT)], env=env, check=True, capture_output=True)
    calls = record.read_text(encoding="utf-8")
    assert calls.count("--username greenlaw --dbname greenlaw") == 2
    assert "'CREATE DATABASE %I OWNER %I', 'gateway'" in calls
    assert "'CREATE DATABASE %I OWNER %I', 'cases'" in calls

    for bad in ("Cases", "cases;drop", "1cases"):
        refused = subprocess.run(
            ["/bin/sh", str(INIT_DATABASES_SCRIPT)], env={**env, "GREENLAW_DATABASES": bad}, capture_output=True
        )
        assert refused.returncode != 0, bad
    unset = subprocess.run(
        ["/bin/sh", str(INIT_DATABASES_SCRIPT)],
        env={k: v for k, v in env.items() if k != "GREENLAW_DATABASES"},
        capture_output=True,
    )
    assert unset.returncode != 0


def find_psql() -> str | None:
    """The machine's psql, else the one pgserver ships beside its server."""
    found = shutil.which("psql")
    if found is None:
        try:
            import pgserver
        except ImportError:
            return None
        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql"
        found = str(bundled) if bundled.exists() else None
    return found


def test_init_script_creates_the_databases_on_a_real_server(postgres: PostgresServer) -> None:
    """The SQL itself, on the test PostgreSQL with psql; run twice, as it is idempotent."""
    psql = find_psql()
    if psql is None:
        message = "no psql: install the PostgreSQL client, or pgserver"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    dsn = urlsplit(postgres.dsn)
    names = [f"gl_init_{uuid.uuid4().hex[:8]}_{service}" for service in ("cases", "disclosure")]
    postgres.created.extend(names)  # dropped at the end of the session
    env = {
        "PATH": f"{Path(psql).parent}:/usr/bin:/bin",
        "PGHOST": dsn.hostname or "127.0.0.1",
        "PGPORT": str(dsn.port or 5432),
        "PGPASSWORD": dsn.password or "",
        "POSTGRES_USER": dsn.username or "postgres",
        "POSTGRES_DB": dsn.path.lstrip("/") or "postgres",
        "GREENLAW_DATABASES": " ".join(names),
    }
    for _ in range(2):
        done = subprocess.run(["/bin/sh", str(INIT_DATABASES_SCRIPT)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    listed = subprocess.run(
        [psql, "-tA", "-U", env["POSTGRES_USER"], "-d", env["POSTGRES_DB"], "-c", "SELECT datname FROM pg_database"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert set(names) <= set(listed.stdout.split())


# --- topics ----------------------------------------------------------------------------------------------------


def all_subscriptions() -> list[Subscription]:
    """Every consumer of every service, as each service's composition root builds it."""
    found: list[Subscription] = []
    for spec, settings in (
        (CASES_SPEC, CasesSettings()),
        (REFERRAL_SPEC, ReferralSettings()),
        (MONITORING_SPEC, MonitoringSettings()),
    ):
        found.extend(spec.subscriptions(settings))
    disclosure = DisclosureSettings()
    found.extend(disclosure_subscriptions(disclosure, WorkCalendar.from_file(disclosure.common.holidays_file)))
    return found


def test_kafka_topics_job_creates_every_topic(compose: dict[str, Any]) -> None:
    job = compose["services"][TOPICS_JOB]
    assert command_of(compose, TOPICS_JOB) == ["topics"]
    parse_cli(command_of(compose, TOPICS_JOB))
    assert job["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert job.get("restart", "no") == "no", "a one-shot job"

    topics = set(all_topics())
    assert set(TOPICS) <= topics, f"event topics not created: {sorted(set(TOPICS) - topics)}"
    subscriptions = all_subscriptions()
    assert subscriptions, "no consumers found"
    for subscription in subscriptions:
        assert dlq_topic(subscription.consumer) in topics, f"no dead-letter topic for {subscription.consumer}"
        assert set(subscription.topics) <= topics, f"{subscription.consumer} consumes a topic nobody creates"

    kafka = service_environment(compose, "kafka")
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "topics come from greenlaw topics only"
    for service in APP_SERVICES:
        if service != "gateway":
            condition = compose["services"][service]["depends_on"][TOPICS_JOB]["condition"]
            assert condition == "service_completed_successfully", service


def test_kafka_is_a_single_kraft_node(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    env = service_environment(compose, "kafka")
    assert kafka["image"].startswith("apache/kafka:3.")
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    voters = env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")
    assert voters == [f"{env['KAFKA_NODE_ID']}@kafka:9093"]
    listeners = dict(item.split("://", 1) for item in env["KAFKA_LISTENERS"].split(","))
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] in listeners
    protocols = dict(item.split(":", 1) for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert set(listeners) <= set(protocols)
    assert len(base64.urlsafe_b64decode(env["CLUSTER_ID"] + "==")) == 16, "CLUSTER_ID is a base64 UUID"
    for key in ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"):
        assert env[key] == "1", f"{key} must be 1 on one node"
    assert env["KAFKA_LOG_DIRS"] in {volume.split(":")[1] for volume in kafka["volumes"]}, "the log is kept"


# --- wiring between services -----------------------------------------------------------------------------------


def test_gateway_upstreams_name_compose_services_on_their_ports(
    compose: dict[str, Any], compose_env: ApplyEnvironment
) -> None:
    compose_env(service_environment(compose, "gateway"))
    upstreams = GatewaySettings().upstream_urls()
    assert set(upstreams) == set(APP_SERVICES) - {"gateway"}
    for name, url in upstreams.items():
        parts = urlsplit(url)
        assert parts.scheme == "http"
        assert parts.hostname == name, f"the {name} upstream points at {parts.hostname}"
        assert parts.hostname in compose["services"]
        assert (parts.port or 80) == listen_port(compose, name), f"{name} does not listen on {parts.port}"


def test_only_the_gateway_and_the_hj212_listener_are_published(compose: dict[str, Any]) -> None:
    published = {name: service.get("ports", []) for name, service in compose["services"].items()}
    assert [name for name, ports in published.items() if ports] == ["gateway", "monitoring"]
    targets = [int(str(port).rsplit(":", 1)[-1].split("/")[0]) for port in published["gateway"]]
    assert targets == [listen_port(compose, "gateway")]
    # Stations speak HJ 212 over plain TCP straight to monitoring; its HTTP port stays internal.
    monitoring_env = compose["services"]["monitoring"]["environment"]
    hj212 = [int(str(port).rsplit(":", 1)[-1].split("/")[0]) for port in published["monitoring"]]
    assert hj212 == [int(monitoring_env["GREENLAW_MONITORING_HJ212_PORT"])]
    assert monitoring_env["GREENLAW_MONITORING_HJ212_HOST"] == "0.0.0.0"


def test_depends_on_targets_exist_with_valid_conditions_and_no_cycle(compose: dict[str, Any]) -> None:
    services = compose["services"]
    graph: dict[str, set[str]] = {}
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {target: {"condition": "service_started"} for target in depends}
        graph[name] = set(depends)
        for target, options in depends.items():
            assert target in services, f"{name} depends on unknown service {target}"
            condition = (options or {}).get("condition", "service_started")
            assert condition in CONDITIONS, f"{name} → {target}: {condition}"
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target} to be healthy: it has no check"
            if condition == "service_completed_successfully":
                assert services[target].get("restart", "no") == "no", f"{target} is a one-shot job"

    visiting: set[str] = set()
    done: set[str] = set()

    def visit(node: str) -> None:
        assert node not in visiting, f"depends_on cycle through {node}"
        if node in done:
            return
        visiting.add(node)
        for target in graph[node]:
            visit(target)
        visiting.discard(node)
        done.add(node)

    for node in graph:
        visit(node)
    assert {"postgres", *APP_SERVICES[1:]} <= graph["gateway"]
    for service in APP_SERVICES[1:]:
        assert services[service]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_services_use_known_keys_and_healthchecks(compose: dict[str, Any]) -> None:
    assert "version" not in compose, "the compose specification has no version key"
    assert set(compose) <= {"name", "services", "volumes", "networks", "configs", "secrets"} | {
        key for key in compose if key.startswith("x-")
    }
    for name, service in compose["services"].items():
        unknown = set(service) - SERVICE_KEYS
        assert not unknown, f"{name}: unknown keys {unknown}"
        if "healthcheck" in service:
            assert set(service["healthcheck"]) <= HEALTHCHECK_KEYS, name
            assert service["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL", "NONE"}, name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which does not exist"
            else:
                assert source in (compose.get("volumes") or {}), f"{name}: undeclared volume {source}"
    for name in APP_SERVICES:
        check = compose["services"][name]["healthcheck"]["test"]
        assert f"127.0.0.1:{listen_port(compose, name)}/healthz" in " ".join(check), name
        assert compose["services"][name].get("restart") == "unless-stopped", name


# --- the image -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("service", [*APP_SERVICES, TOPICS_JOB])
def test_each_greenlaw_container_runs_a_valid_command_of_the_one_image(compose: dict[str, Any], service: str) -> None:
    definition = compose["services"][service]
    assert definition["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}
    assert definition["image"] == compose["services"]["gateway"]["image"], "one image for every service"
    assert "entrypoint" not in definition, "the image's ENTRYPOINT (greenlaw) is kept"
    command = command_of(compose, service)
    context = parse_cli(command)
    if service != TOPICS_JOB:
        assert command == ["serve", service]
        assert context.params["service"] == ServiceName(service)


def test_dockerfile_builds_one_non_root_image_whose_entrypoint_is_greenlaw() -> None:
    instructions = dockerfile_instructions()
    froms = [args.split()[0] for name, args in instructions if name == "FROM"]
    assert froms
    # trixie, for a pg_dump (17) no older than the compose file's PostgreSQL 16.
    assert all(image == "python:3.12-slim-trixie" for image in froms)
    assert re.search(r"apt-get install .*postgresql-client", " ".join(a for n, a in instructions if n == "RUN"))
    final = final_stage(instructions)
    values = dict(final)
    assert json.loads(values["ENTRYPOINT"]) == ["greenlaw"]
    default = json.loads(values["CMD"])
    assert default == ["serve", "gateway"]
    parse_cli(default)
    assert values["EXPOSE"].split() == ["8000"]
    user = values["USER"].split(":")[0]
    assert user not in {"root", "0"}
    healthcheck = values["HEALTHCHECK"]
    assert "/healthz" in healthcheck
    assert "urllib" in healthcheck
    assert "PORT=8000" in values["ENV"] or "PORT 8000" in values["ENV"]
    install = " ".join(args for name, args in instructions if name == "RUN")
    assert "pip install" in install
    assert "--no-deps ." in install, "the project itself is installed from pyproject.toml"
    # The dependency layer is built from pyproject.toml: the same list pip would read.
    assert "pyproject.toml" in install


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    patterns = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for needed in (".venv", "var", ".git", "**/__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".env"):
        assert needed in patterns, needed
    for kept in ("pyproject.toml", "shared", "services"):
        assert not {kept, f"/{kept}"} & patterns, kept


def test_compose_comments_show_commands_greenlaw_accepts() -> None:
    """The usage lines at the top of docker-compose.yml (``docker compose run --rm gateway <args>``) parse."""
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    runs = re.findall(r"docker compose run --rm gateway (.+?)(?:\s+#.*)?$", text, flags=re.MULTILINE)
    assert runs
    for line in runs:
        # The password is prompted for there; given here, so that parsing does not wait for a terminal.
        context = parse_cli([*shlex.split(line), "--password", "not-a-terminal"])
        assert context.info_name == "add"
        assert context.parent.info_name == "users"
