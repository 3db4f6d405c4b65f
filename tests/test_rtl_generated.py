"""Generated RTL tables are up to date with the golden model that defines them."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_fft_twiddle_vh_up_to_date():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_twiddles.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_register_map_generated_files_up_to_date():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_regmap.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_register_map_check_catches_a_stale_file(tmp_path, monkeypatch, capsys):
    from scripts import gen_regmap
    from runtime import regs
    vh, doc = tmp_path / "engine_regmap.vh", tmp_path / "engine.md"
    vh.write_text(gen_regmap.verilog())
    doc.write_text((ROOT / "docs" / "engine.md").read_text().replace("| 0x44 | ID |", "| 0x48 | ID |"))
    monkeypatch.setattr(gen_regmap, "VH", vh)
    monkeypatch.setattr(gen_regmap, "DOC", doc)
    monkeypatch.setattr(gen_regmap, "ROOT", tmp_path)
    assert gen_regmap.main(["--check"]) == 1
    assert "engine.md is out of date" in capsys.readouterr().err
    assert gen_regmap.main([]) == 0 and gen_regmap.main(["--check"]) == 0
    # the Python constants are the table's
    for r in regs.REGISTERS:
        assert getattr(regs, r.name) == r.addr
        assert f"REG_{r.name} " in vh.read_text()
    assert regs.LOAD_ERROR == 1 << 6 and regs.CLEAR == 1 << 2
