"""What `make test` (pytest -n 2) prints beyond xdist's dots (conftest.py): the number of
deselected slow tests on the last line, and a line per RTL bench (tb/) with its outcome."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_deselected_count_and_a_line_per_rtl_bench(tmp_path):
    shutil.copy(REPO / "conftest.py", tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.pytest.ini_options]\naddopts = \"-m 'not slow'\"\nmarkers = [\"slow: long\"]\n")
    for folder, body in (("tests", "def test_fast():\n    pass\n"),
                         ("tb", "import pytest\n\ndef test_bench():\n    pass\n\n"
                                "def test_failing_bench():\n    assert False\n\n"
                                "@pytest.mark.slow\ndef test_sweep():\n    pass\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"test_{folder}.py").write_text(body)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "-p", "no:cacheprovider"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    lines = proc.stdout.splitlines()
    for outcome, test in (("PASSED", "test_bench"), ("FAILED", "test_failing_bench")):
        pattern = rf"\[ *\d+%\] {outcome} tb/test_tb.py::{test} \(\d+\.\d s\)"
        assert any(re.fullmatch(pattern, line) for line in lines), proc.stdout
    assert "1 failed, 2 passed, 1 deselected" in lines[-1], proc.stdout
