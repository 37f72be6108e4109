"""How ``make test`` spreads the suite over its worker processes (``--dist loadgroup``, see tests/conftest.py).

A test module is one unit of work, as with xdist's ``loadfile`` (its module-scoped fixtures start once), except the
heaviest tests below: each is a unit of its own, and those go out first, longest first (see ``unit_order``), so they
start at once and the short modules fill the workers around them. xdist's ``loadfile`` orders the modules by their
number of tests instead, so a module of one test of minutes starts last and the run waits on it at the end. (xdist's
own ``loadgroup`` would do this with ``xdist_group`` marks, but it puts the group into ``item._nodeid``, which pytest
9.2 no longer reads: its groups are lost, hence the list here.)
"""

from __future__ import annotations

from collections.abc import Sequence

from xdist.scheduler import LoadScopeScheduling

# Node-id prefixes of the heaviest tests, longest first (``--durations``); every test a prefix matches is a unit of
# its own. A test that grows past a minute belongs here.
HEAVY = (
    "tests/integration/test_demo_scenario.py::test_the_bureaus_year_is_reported_by_the_apis",
    "tests/e2e/test_faults.py::",
    "tests/integration/test_api_fuzzing.py::test_service_api_holds_under_fuzzing[",
    "tests/integration/test_redaction_corpus.py::test_no_personal_span_leaks",
)


def heavy_rank(nodeid: str) -> int | None:
    return next((i for i, prefix in enumerate(HEAVY) if nodeid.startswith(prefix)), None)


def unit_of(nodeid: str) -> str:
    """A heavy test's own node id, else its module's path."""
    return nodeid if heavy_rank(nodeid) is not None else nodeid.split("::", 1)[0]


def unit_order(collection: Sequence[str], workers: int) -> list[str]:
    """The units of work in the order they go out: a heavy test for each worker (in ``HEAVY``'s order, then the
    collection's), a module for each, then the other heavy tests, then the other modules, most tests first (as
    xdist orders them).

    xdist gives each worker two units at the start and another whenever it has two tests or fewer left, and a
    worker runs a test only once it holds the next one; so behind each worker's heavy test comes a module, not a
    second heavy test that would wait minutes behind the first while another worker idles."""
    sizes: dict[str, int] = {}
    for nodeid in collection:
        unit = unit_of(nodeid)
        sizes[unit] = sizes.get(unit, 0) + 1
    position = {unit: i for i, unit in enumerate(sizes)}
    heavy = sorted((u for u in sizes if heavy_rank(u) is not None), key=lambda u: (heavy_rank(u), position[u]))
    light = sorted((u for u in sizes if heavy_rank(u) is None), key=lambda u: (-sizes[u], position[u]))
    return heavy[:workers] + light[:workers] + heavy[workers:] + light[workers:]


class HeavyFirstScheduling(LoadScopeScheduling):
    """``loadfile`` with the heavy tests as units of their own, sent out first (see the module's docstring)."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)

    def schedule(self) -> None:
        collections = list(self.registered_collections.values())
        if self.collection is None and collections and all(c == collections[0] for c in collections):
            # xdist fills its work queue in place, so the keys put here first keep this order (its own reordering by
            # test count is turned off); each worker is still sent indices into its own, unchanged, collection.
            self.config.option.loadscopereorder = False
            for unit in unit_order(collections[0], len(self.nodes)):
                self.workqueue[unit] = {}
        super().schedule()
