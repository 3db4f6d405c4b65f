"""Generated RTL tables are up to date with the golden model that defines them."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_fft_twiddle_vh_up_to_date():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_twiddles.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
