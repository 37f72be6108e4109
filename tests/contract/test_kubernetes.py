"""deploy/kubernetes/, checked against the code it configures (no cluster, no kubectl: the manifests are data).

Every container's environment is assembled as the kubelet would (ConfigMap and Secret ``envFrom``, ``env`` values
and key references, the JWT secret as a mounted file) and the settings classes are built from exactly that, so a
misspelt variable, a database URL for the wrong service, an upstream on a wrong port, a probe on a path that does
not exist or a consumer group with more replicas than partitions fails here.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy.engine import make_url

from services.cases.settings import CasesSettings
from services.catalogue import CATALOGUE, UPSTREAMS
from services.disclosure.settings import DisclosureSettings
from services.gateway.settings import GatewaySettings
from services.monitoring.settings import MonitoringSettings
from services.referral.settings import ReferralSettings
from shared.settings import CommonSettings, ServiceSettings
from shared.workdays import WorkCalendar
from tests.processes import APP_SERVICES, DEFAULT_PORT, ROOT, load_compose, service_environment
from tests.support.deploy import known_variables, parse_cli

pytestmark = pytest.mark.unit

MANIFESTS = ROOT / "deploy" / "kubernetes"
NAMESPACE = "greenlaw"
SETTINGS: dict[str, type[ServiceSettings]] = {entry.name: entry.settings_class() for entry in CATALOGUE}
CONSUMERS = {entry.name: entry.consumers() for entry in CATALOGUE}
API_VERSIONS = {
    "Namespace": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "Service": "v1",
    "PersistentVolumeClaim": "v1",
    "Deployment": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "PodDisruptionBudget": "policy/v1",
    "NetworkPolicy": "networking.k8s.io/v1",
}
# What an operator puts in place of the placeholders of secrets.yaml.
REAL_JWT_SECRET = "k8s-test-secret-" + "x" * 32
# bench/README.md, "Memory, under ingest": the whole system in one process peaks at 304 MiB.
MEASURED_PEAK_MIB = 304

Manifest = dict[str, Any]


def load_manifests() -> list[tuple[Path, Manifest]]:
    found = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document is not None:
                found.append((path, document))
    return found


@pytest.fixture(scope="module")
def manifests() -> list[Manifest]:
    return [document for _, document in load_manifests()]


def of_kind(manifests: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def pod_spec(workload: Manifest) -> Manifest:
    spec = workload["spec"]["jobTemplate"]["spec"] if workload["kind"] == "CronJob" else workload["spec"]
    pod: Manifest = spec["template"]["spec"]
    return pod


def containers(workload: Manifest) -> list[Manifest]:
    return list(pod_spec(workload)["containers"])


def greenlaw_args(container: Manifest) -> list[str]:
    """The arguments given to ``greenlaw``: the container's args, or the command a shell wrapper execs."""
    if "command" not in container:
        return list(container["args"])
    assert container["command"] == ["/bin/sh", "-c"], "the image's ENTRYPOINT (greenlaw) is kept, or a shell"
    words = shlex.split(container["args"][0])
    assert words[:2] == ["exec", "greenlaw"], words
    return words[2:]


def secret_data(manifests: list[Manifest], name: str) -> dict[str, str]:
    return {k: str(v) for k, v in of_kind(manifests, "Secret")[name]["stringData"].items()}


def container_environment(manifests: list[Manifest], container: Manifest) -> dict[str, str]:
    """The environment the kubelet gives ``container``: ``envFrom`` first, then ``env`` (which wins)."""
    config_maps = of_kind(manifests, "ConfigMap")
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            environment.update(config_maps[source["configMapRef"]["name"]]["data"])
        else:
            environment.update(secret_data(manifests, source["secretRef"]["name"]))
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = str(variable["value"])
            continue
        reference = variable["valueFrom"]
        if "secretKeyRef" in reference:
            ref = reference["secretKeyRef"]
            data = secret_data(manifests, ref["name"])
        else:
            ref = reference["configMapKeyRef"]
            data = config_maps[ref["name"]]["data"]
        assert ref["key"] in data or ref.get("optional"), f"{variable['name']}: no key {ref['key']} in {ref['name']}"
        if ref["key"] in data:
            environment[variable["name"]] = str(data[ref["key"]])
    return environment


def mounted_files(manifests: list[Manifest], workload: Manifest, container: Manifest) -> dict[str, str]:
    """Path → content of every file a Secret or ConfigMap volume puts into ``container``."""
    volumes = {v["name"]: v for v in pod_spec(workload).get("volumes", [])}
    files: dict[str, str] = {}
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        if "secret" in volume:
            data = secret_data(manifests, volume["secret"]["secretName"])
            items = volume["secret"].get("items")
        elif "configMap" in volume:
            data = of_kind(manifests, "ConfigMap")[volume["configMap"]["name"]]["data"]
            items = volume["configMap"].get("items")
        else:
            continue
        chosen = items or [{"key": key, "path": key} for key in data]
        for item in chosen:
            files[f"{mount['mountPath'].rstrip('/')}/{item['path']}"] = str(data[item["key"]])
    return files


@pytest.fixture
def settings_of(
    manifests: list[Manifest], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[[Manifest, Manifest, type[ServiceSettings]], ServiceSettings]:
    """Build a settings class from exactly the environment and files of one container (secrets filled in)."""

    def build(workload: Manifest, container: Manifest, settings_class: type[ServiceSettings]) -> ServiceSettings:
        environment = container_environment(manifests, container)
        files = mounted_files(manifests, workload, container)
        for key in list(os.environ):
            if key.upper().startswith("GREENLAW_"):
                monkeypatch.delenv(key)
        for key, value in environment.items():
            if key.endswith("_FILE"):
                assert value in files, f"{key}={value} is not a file the container mounts"
                local = tmp_path / key
                content = REAL_JWT_SECRET if key == "GREENLAW_JWT_SECRET_FILE" else files[value]
                local.write_text(content, encoding="utf-8")
                value = str(local)
            monkeypatch.setenv(key, value)
        return settings_class()

    return build


def memory_mib(quantity: str) -> float:
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(Mi|Gi)", quantity).groups()  # type: ignore[union-attr]
    return float(number) * (1024 if unit == "Gi" else 1)


def cpu_cores(quantity: str | int) -> float:
    text = str(quantity)
    return int(text[:-1]) / 1000 if text.endswith("m") else float(text)


def workloads(manifests: list[Manifest]) -> Iterator[tuple[str, Manifest]]:
    for kind in ("Deployment", "Job", "CronJob"):
        yield from of_kind(manifests, kind).items()


# --- the files -------------------------------------------------------------------------------------------------


def test_every_manifest_is_a_known_kind_in_the_namespace_and_listed_in_the_kustomization() -> None:
    loaded = load_manifests()
    assert loaded
    seen: set[tuple[str, str]] = set()
    for path, manifest in loaded:
        kind = manifest["kind"]
        assert manifest["apiVersion"] == API_VERSIONS[kind], f"{path.name}: {kind}"
        name = manifest["metadata"]["name"]
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name), name
        assert (kind, name) not in seen, f"{kind}/{name} twice"
        seen.add((kind, name))
        if kind != "Namespace":
            assert manifest["metadata"]["namespace"] == NAMESPACE, f"{kind}/{name}"
        assert manifest["metadata"]["labels"]["app.kubernetes.io/part-of"] == "greenlaw", f"{kind}/{name}"
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text(encoding="utf-8"))
    assert kustomization["namespace"] == NAMESPACE
    files = {path.name for path in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    assert [image["name"] for image in kustomization["images"]] == ["greenlaw"]
    assert ("Namespace", NAMESPACE) in seen


def test_one_deployment_and_service_per_service_with_matching_labels(manifests: list[Manifest]) -> None:
    deployments, services = of_kind(manifests, "Deployment"), of_kind(manifests, "Service")
    assert set(deployments) == set(APP_SERVICES)
    for name, deployment in deployments.items():
        selector = deployment["spec"]["selector"]["matchLabels"]
        template_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= template_labels.items(), name
        assert selector["app.kubernetes.io/component"] == name
        service = services[name]
        assert service["spec"]["selector"] == selector, f"Service {name} selects other pods"
    for name, service in services.items():
        matching = [
            d
            for d in deployments.values()
            if service["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(matching) == 1, f"Service {name} selects {len(matching)} Deployments"
        ports = {p["name"]: p["containerPort"] for c in containers(matching[0]) for p in c["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, f"Service {name}: no container port {port['targetPort']}"
    for name, budget in of_kind(manifests, "PodDisruptionBudget").items():
        selector = budget["spec"]["selector"]["matchLabels"]
        assert selector == deployments[name]["spec"]["selector"]["matchLabels"], name


def test_each_container_runs_a_greenlaw_command_of_the_one_image(manifests: list[Manifest]) -> None:
    for name, workload in workloads(manifests):
        for container in containers(workload):
            assert container["image"].split(":")[0] == "greenlaw", f"{name}: kustomization's images rename it"
            context = parse_cli(greenlaw_args(container))
            if workload["kind"] == "Deployment":
                assert container["args"] == ["serve", name]
                assert context.params["service"].value == name
    jobs = {name: containers(job)[0]["args"] for name, job in of_kind(manifests, "Job").items()}
    assert jobs == {"greenlaw-migrate": ["migrate"], "greenlaw-topics": ["topics"]}


def test_probes_ports_resources_and_security(manifests: list[Manifest]) -> None:
    for name, deployment in of_kind(manifests, "Deployment").items():
        container = containers(deployment)[0]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["http"] == DEFAULT_PORT, f"{name}: greenlaw serve listens on $PORT (8000 in the image)"
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}, name
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}, name
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz", name
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/path"] == "/metrics"
        assert int(annotations["prometheus.io/port"]) == ports["http"]
    for name, workload in workloads(manifests):
        pod = pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001, "the image's numeric user (deploy/Dockerfile)"
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        claims = of_kind(manifests, "PersistentVolumeClaim")
        for container in pod["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            resources = container["resources"]
            assert memory_mib(resources["requests"]["memory"]) <= memory_mib(resources["limits"]["memory"]), name
            assert cpu_cores(resources["requests"]["cpu"]) <= cpu_cores(resources["limits"]["cpu"]), name
            if workload["kind"] == "Deployment":
                assert memory_mib(resources["requests"]["memory"]) >= 128, f"{name}: the idle process alone"
            for mount in container.get("volumeMounts", []):
                volume = volumes[mount["name"]]
                if "persistentVolumeClaim" in volume:
                    assert volume["persistentVolumeClaim"]["claimName"] in claims, name
    monitoring = containers(of_kind(manifests, "Deployment")["monitoring"])[0]
    assert memory_mib(monitoring["resources"]["limits"]["memory"]) >= 2 * MEASURED_PEAK_MIB, "ingest headroom"


# --- settings from the manifests -------------------------------------------------------------------------------


@pytest.mark.parametrize("service", APP_SERVICES)
def test_settings_of_each_service_come_from_its_manifest(
    manifests: list[Manifest],
    settings_of: Callable[[Manifest, Manifest, type[ServiceSettings]], ServiceSettings],
    service: str,
) -> None:
    deployment = of_kind(manifests, "Deployment")[service]
    container = containers(deployment)[0]
    environment = container_environment(manifests, container)
    unknown = {key for key in environment if key.startswith("GREENLAW_")} - known_variables(SETTINGS[service])
    assert not unknown, f"{service}: variables no setting reads (misspelt?): {sorted(unknown)}"
    assert "GREENLAW_JWT_SECRET" not in environment, "the signing secret comes as a file, not in the environment"
    settings = settings_of(deployment, container, SETTINGS[service])
    if isinstance(settings, GatewaySettings):
        # Behind an ingress every public caller would otherwise count as the proxy's one address; trusting every
        # address would let each caller choose its own.
        assert settings.trusted_proxies, "the ingress controller's network"
        assert all(network.prefixlen > 0 and not network.is_loopback for network in settings.trusted_proxies)
        assert "FORWARDED_ALLOW_IPS" not in environment, "uvicorn's own rule is off (greenlaw serve)"
    if isinstance(settings, DisclosureSettings):
        assert settings.public_base_url is not None
        assert settings.public_base_url.startswith("https://"), "the public site is served over TLS"
    assert settings.common.environment == "production"
    assert settings.common.transport == "kafka"
    assert settings.common.jwt_secret.get_secret_value() == REAL_JWT_SECRET
    assert settings.database_url is not None, f"{service} would fall back to a SQLite file"
    url = make_url(settings.resolved_database_url())
    assert url.drivername == "postgresql+asyncpg"
    assert url.database == service, "each service owns its database"
    calendar = WorkCalendar.from_file(settings.common.holidays_file)  # the shipped override file parses
    assert calendar.has_data(2026)

    # Whatever compose gives the container, the manifest gives too (the JWT secret as a file instead).
    compose = load_compose({"GREENLAW_JWT_SECRET": "x" * 40, "GREENLAW_POSTGRES_PASSWORD": "p"})
    expected = set(service_environment(compose, service)) - {"GREENLAW_JWT_SECRET"}
    assert expected <= set(environment), f"{service}: compose sets {sorted(expected - set(environment))} too"


def test_upstream_urls_name_services_on_their_ports(
    manifests: list[Manifest], settings_of: Callable[[Manifest, Manifest, type[ServiceSettings]], ServiceSettings]
) -> None:
    deployments, services = of_kind(manifests, "Deployment"), of_kind(manifests, "Service")
    gateway = settings_of(deployments["gateway"], containers(deployments["gateway"])[0], GatewaySettings)
    assert isinstance(gateway, GatewaySettings)
    disclosure = settings_of(deployments["disclosure"], containers(deployments["disclosure"])[0], DisclosureSettings)
    assert isinstance(disclosure, DisclosureSettings)
    urls = {
        **gateway.upstream_urls(),
        "disclosure → cases": disclosure.cases_url,
        "disclosure → referral": disclosure.referral_url,
    }
    for name, url in urls.items():
        parts = urlsplit(url)
        target = name.split(" → ")[-1]
        assert parts.hostname == target, f"{name} points at {parts.hostname}"
        service_ports = {p["port"]: p["targetPort"] for p in services[target]["spec"]["ports"]}
        assert service_ports.get(parts.port) == "http", f"{name}: Service {target} has no port {parts.port}"


def test_the_hj212_listener_is_exposed_on_its_port(
    manifests: list[Manifest], settings_of: Callable[[Manifest, Manifest, type[ServiceSettings]], ServiceSettings]
) -> None:
    deployment = of_kind(manifests, "Deployment")["monitoring"]
    container = containers(deployment)[0]
    settings = settings_of(deployment, container, MonitoringSettings)
    assert isinstance(settings, MonitoringSettings)
    assert settings.hj212_enabled
    assert settings.hj212_host == "0.0.0.0"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["hj212"] == settings.hj212_port
    listener = of_kind(manifests, "Service")["monitoring-hj212"]
    assert listener["spec"]["type"] == "LoadBalancer"
    assert [(p["port"], p["targetPort"]) for p in listener["spec"]["ports"]] == [(settings.hj212_port, "hj212")]
    exposed = [s for s in of_kind(manifests, "Service").values() if s["spec"]["type"] != "ClusterIP"]
    assert exposed == [listener], "only the HJ 212 listener leaves the cluster directly; HTTP goes through the gateway"


def test_jobs_reach_every_database_and_the_broker(
    manifests: list[Manifest], settings_of: Callable[[Manifest, Manifest, type[ServiceSettings]], ServiceSettings]
) -> None:
    jobs = of_kind(manifests, "Job")
    migrate = jobs["greenlaw-migrate"]
    for service, settings_class in SETTINGS.items():
        settings = settings_of(migrate, containers(migrate)[0], settings_class)
        assert make_url(settings.resolved_database_url()).database == service
    topics = jobs["greenlaw-topics"]
    common = settings_of(topics, containers(topics)[0], GatewaySettings).common
    assert common.kafka_bootstrap_servers
    assert common.kafka_replication_factor >= 1
    for job in [*jobs.values(), *of_kind(manifests, "CronJob").values()]:
        assert pod_spec(job)["restartPolicy"] in {"OnFailure", "Never"}


def test_the_nightly_backup_reaches_every_database_and_both_stores(
    manifests: list[Manifest], settings_of: Callable[[Manifest, Manifest, type[ServiceSettings]], ServiceSettings]
) -> None:
    backup = of_kind(manifests, "CronJob")["greenlaw-backup"]
    assert backup["spec"]["concurrencyPolicy"] == "Forbid"
    container = containers(backup)[0]
    assert greenlaw_args(container)[:2] == ["backup", "create"]
    for service, settings_class in SETTINGS.items():
        settings = settings_of(backup, container, settings_class)
        assert make_url(settings.resolved_database_url()).database == service
    cases = settings_of(backup, container, CasesSettings)
    referral = settings_of(backup, container, ReferralSettings)
    assert isinstance(cases, CasesSettings)
    assert isinstance(referral, ReferralSettings)
    deployments = of_kind(manifests, "Deployment")

    def claim_at(workload: Manifest, path: Path) -> str:
        volumes = {v["name"]: v for v in pod_spec(workload)["volumes"]}
        for mount in containers(workload)[0]["volumeMounts"]:
            if Path(mount["mountPath"]) == path and "persistentVolumeClaim" in volumes[mount["name"]]:
                return str(volumes[mount["name"]]["persistentVolumeClaim"]["claimName"])
        raise AssertionError(f"{workload['metadata']['name']} mounts no volume claim at {path}")

    for service, store in (
        ("cases", cases.resolved_evidence_dir()),
        ("referral", referral.resolved_documents_dir()),
    ):
        deployment = deployments[service]
        own = settings_of(deployment, containers(deployment)[0], SETTINGS[service])
        if isinstance(own, CasesSettings):
            own_store = own.resolved_evidence_dir()
        else:
            assert isinstance(own, ReferralSettings)
            own_store = own.resolved_documents_dir()
        assert claim_at(backup, store) == claim_at(deployment, own_store), f"the backup copies another {service} store"


def test_the_placeholder_secret_is_refused_in_production(manifests: list[Manifest]) -> None:
    placeholder = secret_data(manifests, "greenlaw-jwt")["jwt-secret"]
    with pytest.raises(ValueError, match="GREENLAW_JWT_SECRET"):
        CommonSettings(environment="production", jwt_secret=placeholder)  # type: ignore[arg-type]


# --- scaling ---------------------------------------------------------------------------------------------------


def test_autoscalers_target_deployments_and_consumers_stay_within_the_partitions(manifests: list[Manifest]) -> None:
    deployments = of_kind(manifests, "Deployment")
    autoscalers = of_kind(manifests, "HorizontalPodAutoscaler")
    partitions = int(of_kind(manifests, "ConfigMap")["greenlaw-common"]["data"]["GREENLAW_KAFKA_TOPIC_PARTITIONS"])
    assert {"gateway", "disclosure"} <= set(autoscalers), "the stateless HTTP services scale"
    maxima: dict[str, int] = {}
    for name, autoscaler in autoscalers.items():
        target = autoscaler["spec"]["scaleTargetRef"]
        assert (target["apiVersion"], target["kind"]) == ("apps/v1", "Deployment")
        assert target["name"] in deployments, f"HPA {name} scales a Deployment that does not exist"
        spec = autoscaler["spec"]
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"]
        assert "replicas" not in deployments[target["name"]]["spec"], "the HPA owns the count; apply would reset it"
        for metric in spec["metrics"]:
            if metric["type"] == "Resource":
                name_ = metric["resource"]["name"]
                assert containers(deployments[target["name"]])[0]["resources"]["requests"][name_], "needs a request"
        maxima[target["name"]] = spec["maxReplicas"]
    for name, deployment in deployments.items():
        maxima.setdefault(name, deployment["spec"].get("replicas", 1))
    for service, consumers in CONSUMERS.items():
        if consumers:
            assert maxima[service] <= partitions, (
                f"{service} consumes ({', '.join(consumers)}): replicas beyond {partitions} partitions would idle"
            )
    assert maxima["gateway"] > partitions or not CONSUMERS["gateway"]


def test_only_the_gateway_and_known_callers_reach_a_services_http_port(manifests: list[Manifest]) -> None:
    """Services re-verify a token but not its account: the gateway (which refuses revoked tokens) must be the way in.

    Each service's HTTP port admits the gateway, the services that call it (disclosure reads cases) and
    Prometheus; the HJ 212 port stays open to stations.
    """
    callers = {name: {"gateway"} for name in UPSTREAMS}
    callers["cases"].add("disclosure")
    policies = of_kind(manifests, "NetworkPolicy")
    for service, expected in callers.items():
        policy = policies[f"{service}-ingress"]["spec"]
        assert policy["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == service
        assert policy["policyTypes"] == ["Ingress"]
        http = [rule for rule in policy["ingress"] if rule["ports"] == [{"port": "http"}]]
        assert len(http) == 1, service
        peers = http[0]["from"]
        components = {p["podSelector"]["matchLabels"].get("app.kubernetes.io/component") for p in peers}
        assert components - {None} == expected, service
        assert all("ipBlock" not in p for p in peers), service
        others = [rule for rule in policy["ingress"] if rule is not http[0]]
        assert others == ([{"ports": [{"port": "hj212"}]}] if service == "monitoring" else []), service
