"""The distributed deployment as the tests see it: docker-compose.yml read as data, and services as OS processes.

``docker-compose.yml`` is the one description of the distributed mode. The compose test reads it and checks it
against the settings classes; the end-to-end test takes each service's environment from it, points the hosts at
loopback (``environment_on_loopback``) and starts ``greenlaw serve <service>`` as a real process
(``ServiceProcess``), so both test the same configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx
import yaml
from sqlalchemy.engine import make_url

from services.catalogue import SERVICES
from shared.outbound import tls_context
from tests.infra import free_port

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
INIT_DATABASES_SCRIPT = ROOT / "deploy" / "postgres" / "init-databases.sh"

# The compose services that run the greenlaw image as HTTP services, and the one-shot topic job.
APP_SERVICES = SERVICES
TOPICS_JOB = "kafka-topics"
DEFAULT_PORT = 8000  # ``greenlaw serve`` without --port listens on $PORT, else 8000 (services/ops/cli.py)


# --- docker-compose.yml as data --------------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?$", re.DOTALL)


class MissingVariable(LookupError):
    """A ``${NAME:?message}`` (or ``${NAME?message}``) whose variable is not set: compose refuses to start."""


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """Substitute variables the way compose does: ``$NAME``, ``${NAME}``, ``${NAME:-default}``, ``${NAME-default}``,
    ``${NAME:?error}``, ``${NAME?error}``, ``${NAME:+alternative}``, ``${NAME+alternative}`` and ``$$``."""

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return variables.get(match["named"], "")
        braced = _BRACED.match(match["braced"])
        if braced is None:
            raise ValueError(f"invalid interpolation {match.group(0)!r}")
        name, op, arg = braced["name"], braced["op"], braced["arg"] or ""
        value = variables.get(name)
        empty = value is None or (value == "" and op is not None and op.startswith(":"))
        if op is None:
            return value or ""
        if op.endswith("-"):
            return interpolate(arg, variables) if empty else str(value)
        if op.endswith("?"):
            if empty:
                raise MissingVariable(f"{name}: {arg}")
            return str(value)
        return "" if empty else interpolate(arg, variables)  # "+": the alternative when set

    return _VARIABLE.sub(substitute, text)


def interpolated(node: Any, variables: Mapping[str, str]) -> Any:
    """A copy of a parsed YAML tree with every string interpolated."""
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, Mapping):
        return {key: interpolated(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolated(item, variables) for item in node]
    return node


def load_compose(variables: Mapping[str, str] | None = None, path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """docker-compose.yml with YAML anchors and merges resolved; interpolated when ``variables`` is given."""
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.safe_load(handle)
    return document if variables is None else interpolated(document, variables)


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def service_environment(compose: Mapping[str, Any], service: str) -> dict[str, str]:
    """The ``environment`` of one compose service (mapping or ``KEY=value`` list form), values as strings."""
    environment = compose["services"][service].get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in environment)
        return dict(pairs)
    return {key: _env_value(value) for key, value in environment.items()}


def command_of(compose: Mapping[str, Any], service: str) -> list[str]:
    """A service's command as an argument list (compose also accepts a string, split shell-like)."""
    command = compose["services"][service].get("command") or []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(part) for part in command]


def listen_port(compose: Mapping[str, Any], service: str) -> int:
    """The port ``greenlaw serve`` listens on in that container: ``--port``, else ``$PORT``, else 8000."""
    command = command_of(compose, service)
    for index, part in enumerate(command):
        if part == "--port":
            return int(command[index + 1])
        if part.startswith("--port="):
            return int(part.split("=", 1)[1])
    return int(service_environment(compose, service).get("PORT", DEFAULT_PORT))


# --- the same environment on loopback --------------------------------------------------------------------------


def environment_on_loopback(
    environment: Mapping[str, str],
    *,
    compose_services: Mapping[str, Any],
    database_urls: Mapping[str, str],
    kafka_bootstrap: str,
    service_urls: Mapping[str, str],
) -> dict[str, str]:
    """A compose environment with its compose host names replaced by what runs on this machine.

    ``database_urls`` maps a compose database name (``cases``) to a real URL; ``service_urls`` a compose service
    (``cases``) to its loopback base URL. Anything else naming a compose host is an error, so nothing is left
    pointing at a name that only Docker's DNS knows.
    """
    result: dict[str, str] = {}
    for key, value in environment.items():
        if key.endswith("_DATABASE_URL"):
            database = make_url(value).database or ""
            if database not in database_urls:
                raise AssertionError(f"{key}: no test database stands in for {database!r}")
            result[key] = database_urls[database]
        elif key == "GREENLAW_KAFKA_BOOTSTRAP_SERVERS":
            result[key] = kafka_bootstrap
        elif value.startswith(("http://", "https://")) and urlsplit(value).hostname in service_urls:
            result[key] = service_urls[urlsplit(value).hostname or ""]
        else:
            result[key] = value
    hosts = "|".join(re.escape(name) for name in compose_services)
    leftover = re.compile(rf"(?:^|[/@,])(?:{hosts}):\d+")
    stray = {key: value for key, value in result.items() if leftover.search(value)}
    if stray:
        raise AssertionError(f"compose host names left in the loopback environment: {stray}")
    return result


def process_environment(overrides: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any GREENLAW_* (e.g. the test suite's own), plus ``overrides``. The
    account hashes' cost and the Kafka session timeout are kept (tests/conftest.py lowers them): they change no
    behaviour under test."""
    kept = ("GREENLAW_GATEWAY_PASSWORD_", "GREENLAW_KAFKA_SESSION_TIMEOUT_MS")
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith("GREENLAW_") or key.upper().startswith(kept)
    }
    return {**base, **overrides}


def greenlaw_executable() -> str:
    """The ``greenlaw`` console script of this environment: the image's ENTRYPOINT."""
    beside = Path(sys.executable).with_name("greenlaw")
    if beside.exists():
        return str(beside)
    found = shutil.which("greenlaw")
    if found is None:
        raise RuntimeError("the greenlaw console script is not installed (pip install -e .)")
    return found


async def run_greenlaw(*args: str, env: Mapping[str, str], cwd: Path, timeout: float = 60.0) -> str:
    """Run a one-shot ``greenlaw`` command (like a compose job); its output, or an error that shows it."""
    process = await asyncio.create_subprocess_exec(
        greenlaw_executable(),
        *args,
        env=process_environment(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"greenlaw {' '.join(args)} did not finish within {timeout}s") from None
    text = output.decode(errors="replace")
    if process.returncode != 0:
        raise AssertionError(f"greenlaw {' '.join(args)} exited with {process.returncode}:\n{text}")
    return text


# --- one service, one process ----------------------------------------------------------------------------------


class ServiceProcess:
    """``greenlaw serve <service>`` as a child process on a loopback port, its output in a log file."""

    def __init__(self, service: str, *, port: int, env: Mapping[str, str], workdir: Path) -> None:
        self.service = service
        self.port = port
        self.env = dict(env)
        self.workdir = workdir
        self.log_path = workdir / f"{service}.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._terminated = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def exit_code(self) -> int | None:
        """None while it runs (or before it started); negative for a signal, as with ``Popen``."""
        return None if self._process is None else self._process.poll()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        """Start (or start again after ``kill``, on the same port); a restart's output is appended to the log."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self._log is not None:
            self._log.close()
        self._log = self.log_path.open("ab")
        self._terminated = False
        self._process = subprocess.Popen(
            [greenlaw_executable(), "serve", self.service, "--host", "127.0.0.1", "--port", str(self.port)],
            env=process_environment(self.env),
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a Ctrl-C of pytest does not hit it half-way
        )

    async def wait_ready(self, *, timeout: float = 60.0, path: str = "/readyz") -> dict[str, Any]:
        """Poll ``path`` until it answers 200; fails early, with the log, if the process exits."""
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2.0, verify=tls_context()) as client:
            while True:
                if self.exit_code is not None:
                    raise AssertionError(f"{self.service} exited with {self.exit_code}:\n{self.logs()}")
                try:
                    response = await client.get(path)
                    if response.status_code == 200:
                        body: dict[str, Any] = response.json()
                        return body
                    last = f"{response.status_code} {response.text[:500]}"
                except httpx.TransportError as exc:
                    last = repr(exc)
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"{self.service} {path} not 200 within {timeout}s (last: {last}):\n{self.logs()}"
                    )
                await asyncio.sleep(0.1)

    def terminate(self) -> None:
        """SIGTERM, once: uvicorn shuts down gracefully (a second signal would make it skip that)."""
        if self._process is not None and self._process.poll() is None and not self._terminated:
            self._process.send_signal(signal.SIGTERM)
            self._terminated = True

    def kill(self) -> int | None:
        """SIGKILL (``kill -9``): no shutdown runs, whatever was in flight is cut off; returns the exit code."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        return self.exit_code

    def stop(self, timeout: float = 10.0) -> int | None:
        """Terminate, wait up to ``timeout``, then SIGKILL; returns the exit code."""
        if self._process is not None:
            self.terminate()
            try:
                self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.exit_code

    def logs(self, limit: int = 20_000) -> str:
        if self._log is not None:
            with contextlib.suppress(ValueError):
                self._log.flush()
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return text if len(text) <= limit else "…" + text[-limit:]


# --- the five processes together -------------------------------------------------------------------------------


class Deployment:
    """The gateway and the four services of docker-compose.yml as ``greenlaw serve`` processes on loopback.

    ``database_urls`` maps each compose database (``cases``…) to a real URL; ``extra_env`` adds settings per
    service (e.g. a Credit China endpoint). Each gets the compose environment with its host names on loopback, the
    test broker, a topic namespace of its own and a data directory under ``workdir``.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        database_urls: Mapping[str, str],
        kafka_bootstrap: str,
        kafka_idempotent: bool,
        jwt_secret: str,
        extra_env: Mapping[str, Mapping[str, str]] | None = None,
        namespace: str | None = None,
    ) -> None:
        self.workdir = workdir
        self.namespace = namespace or f"e2e{os.urandom(4).hex()}."
        self.compose = load_compose({"GREENLAW_JWT_SECRET": jwt_secret, "GREENLAW_POSTGRES_PASSWORD": "unused"})
        self.ports = {service: free_port() for service in APP_SERVICES}
        urls = {service: f"http://127.0.0.1:{port}" for service, port in self.ports.items()}
        self.env: dict[str, dict[str, str]] = {}
        for service in (*APP_SERVICES, TOPICS_JOB):
            env = environment_on_loopback(
                service_environment(self.compose, service),
                compose_services=self.compose["services"],
                database_urls=database_urls,
                kafka_bootstrap=kafka_bootstrap,
                service_urls=urls,
            )
            env["GREENLAW_KAFKA_IDEMPOTENT_PRODUCER"] = "true" if kafka_idempotent else "false"
            env["GREENLAW_KAFKA_NAMESPACE"] = self.namespace
            env["GREENLAW_DATA_DIR"] = str(workdir / service)
            if "GREENLAW_MONITORING_HJ212_PORT" in env:  # a container's fixed port; on a shared host, any free one
                env["GREENLAW_MONITORING_HJ212_HOST"], env["GREENLAW_MONITORING_HJ212_PORT"] = "127.0.0.1", "0"
            env.update((extra_env or {}).get(service, {}))
            self.env[service] = env
        self.processes = {
            service: ServiceProcess(service, port=self.ports[service], env=self.env[service], workdir=workdir / service)
            for service in APP_SERVICES
        }

    def url(self, service: str) -> str:
        return self.processes[service].base_url

    def start(self) -> None:
        for process in self.processes.values():
            process.start()

    async def wait_ready(self, timeout: float = 60.0) -> dict[str, dict[str, Any]]:
        ready = await asyncio.gather(*(process.wait_ready(timeout=timeout) for process in self.processes.values()))
        return dict(zip(self.processes, ready, strict=True))

    async def kill_and_restart(self, service: str, *, timeout: float = 60.0) -> int | None:
        """``kill -9`` one process, start it again on the same port and wait until it is ready; the exit code."""
        process = self.processes[service]
        code = process.kill()
        process.start()
        await process.wait_ready(timeout=timeout)
        return code

    def stop(self) -> dict[str, int | None]:
        """SIGTERM to all at once, then wait for each (SIGKILL after a grace period)."""
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            process.stop()
        return {name: process.exit_code for name, process in self.processes.items()}

    def print_logs(self, limit: int = 20_000) -> None:
        for name, process in self.processes.items():
            print(f"\n===== {name} (exit {process.exit_code}) {process.log_path} =====\n{process.logs(limit)}")
