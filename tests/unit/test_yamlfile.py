"""The YAML data files read with libyaml's C parser give what PyYAML's pure-Python safe loader gives, and stay safe."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.yamlfile import SAFE_LOADER, load_yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DATA_FILES = sorted(p for top in ("services", "shared") for p in (ROOT / top).rglob("*.yaml"))


def test_the_c_parser_is_used_where_pyyaml_has_it() -> None:
    assert yaml.__with_libyaml__
    assert SAFE_LOADER is yaml.CSafeLoader


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_data_file_reads_as_the_pure_python_safe_loader_reads_it(path: Path) -> None:
    assert load_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_data_files_are_found() -> None:
    names = {p.name for p in DATA_FILES}
    assert {"decision-kinds.yaml", "enterprise_permits.yaml", "hj212-codes.yaml"} <= names


def test_no_python_object_is_built_and_bad_input_raises(tmp_path: Path) -> None:
    unsafe = tmp_path / "unsafe.yaml"
    unsafe.write_text("x: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(yaml.constructor.ConstructorError):
        load_yaml(unsafe)
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(yaml.YAMLError):
        load_yaml(broken)
    impossible = tmp_path / "date.yaml"
    impossible.write_text("day: 2027-02-30\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_yaml(impossible)
