"""Repository-wide pytest configuration: says more than pytest-xdist's dots in `make test`
(below).  The packages are importable without patching sys.path: `make setup` puts the
repository on the virtualenv's import path (scripts/bootstrap.sh, ernn-flow.pth)."""
from types import SimpleNamespace

import pytest

# --- what `make test` (pytest -n 2) shows beyond pytest-xdist's dots --------------------------
# Under xdist the workers collect and deselect, so the controller's last line would not say how
# many tests `-m 'not slow'` left out, and its dots name no test.  The workers send their
# deselected test ids to the controller; the RTL benches (tb/, seconds to minutes each) get a
# line each, with the progress, outcome and duration, instead of a dot.
RTL_BENCHES = "tb/"
COLLECTED = pytest.StashKey[int]()


def pytest_deselected(items):
    config = items[0].config if items else None
    if config is not None and hasattr(config, "workeroutput"):           # an xdist worker
        config.workeroutput.setdefault("deselected", []).extend(item.nodeid for item in items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    node.config.stash[COLLECTED] = len(ids)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller: every worker deselected the same tests; count one's."""
    reporter = node.config.pluginmanager.get_plugin("terminalreporter")
    deselected = getattr(node, "workeroutput", {}).get("deselected", [])
    if reporter is not None and not reporter.stats.get("deselected"):    # counted like items
        reporter.stats["deselected"] = [SimpleNamespace(nodeid=i) for i in deselected]


def _rtl_bench(report) -> bool:
    """A report of an RTL bench from an xdist worker (on the controller)."""
    return report.nodeid.startswith(RTL_BENCHES) and hasattr(report, "node")


@pytest.hookimpl(wrapper=True)
def pytest_report_teststatus(report, config):
    category, letter, word = yield
    return category, ("" if _rtl_bench(report) else letter), word


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report):
    """An RTL bench's outcome under xdist: one line, ``[ 78%] PASSED tb/... (12.3 s)``."""
    if not _rtl_bench(report) or (report.when != "call" and report.passed):
        return
    config = report.node.config
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    _, _, word = config.hook.pytest_report_teststatus(report=report, config=config)
    word, markup = word if isinstance(word, tuple) else (word, {})
    if reporter is None or not word or reporter.verbosity > 0:       # -v prints its own lines
        return
    done = reporter.reported_progress * 100 // max(config.stash.get(COLLECTED, 0), 1)
    if reporter._tw.width_of_current_line:          # after the other tests' dots
        reporter.line("")
    reporter.write(f"[{done:3d}%] ")
    reporter.write(word, **markup)
    reporter.write_line(f" {report.nodeid} ({report.duration:.1f} s)")
