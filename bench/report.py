"""Generate the design-space report docs/results.md (and its plots) from the benchmark JSON.

    python bench/report.py                      # last step of `make bench`
    python bench/report.py --results DIR --out FILE --img DIR

Reads (bench/designspace.py describes them; a missing file gives a "not measured yet" line
saying which command writes it, a malformed one an error naming the file and field):

    bench/results/accuracy.json       python -m train explore ...
    bench/results/engine_cycles.json  make engine-bench  (bench/engine_cycles.py)
    bench/results/golden_speed.json   bench/golden_speed.py     (make bench)
    bench/results/sim_speed.json      bench/sim_speed.py        (make bench)
    bench/results/bidir_runtime.json  bench/bidir_runtime.py    (bidirectional lstmp-1024)
    fpga/calibration.json             python -m fpga calibrate  (the resource model's fit)
    docs/fpga.md                      the measured ECP5 Fmax table (quoted as text)

Nothing in the report is typed by hand except the papers' published figures (cited).
"""
from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
from pathlib import Path

from bench import designspace as ds
from bench.models import CELL_MODEL, REFERENCE
from fpga.parts import get_part
from golden.cli import run

HW_KS = (8, 16)
HW_NPES = (16, 64, 128)
EXPLORE_CMD = "python -m train explore ..."
SECTIONS = ("Accuracy", "Hardware", "Against the papers", "Tool speed", "Plots", "Chooser",
            "References")

# The papers' own figures (abstracts; citations in REFERENCES).  Quoted, never derived.
ESE = dict(part="XCKU060", clk_mhz=200, gops_sparse=282, gops_dense_equiv=2520, watts=41)
CLSTM_PERF_X, CLSTM_EE_X = 18.8, 33.5      # vs ESE
ERNN_EE_X_ESE, ERNN_EE_X_CLSTM = 37.4, 2   # vs ESE, "more than 2x" vs C-LSTM
REFERENCES = [
    "[ESE] S. Han et al., \"ESE: Efficient Speech Recognition Engine with Sparse LSTM on FPGA\", "
    "FPGA 2017 (arXiv:1612.00694).",
    "[C-LSTM] S. Wang et al., \"C-LSTM: Enabling Efficient LSTM using Structured Compression "
    "Techniques on FPGAs\", FPGA 2018 (arXiv:1803.06305).",
    "[E-RNN] Z. Li et al., \"E-RNN: Design Optimization for Efficient Recurrent Neural Networks "
    "in FPGAs\", HPCA 2019 (arXiv:1812.07106).",
]


def _show(p: Path) -> str:
    """A path as the report shows it: relative to the repository when inside it."""
    p = Path(p).resolve()
    return str(p.relative_to(ds.ROOT)) if p.is_relative_to(ds.ROOT) else str(p)


def _n(x: float, nd: int = 0) -> str:
    return f"{x:,.{nd}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            + ["| " + " | ".join(r) + " |" for r in rows])


def _not_measured(what: str, cmd: str, path: Path) -> str:
    return (f"*Not measured yet: run `{cmd}` (for `{_show(path)}`) and regenerate the "
            f"report.* ({what})")


# --- sections -----------------------------------------------------------------------------

def accuracy_section(acc: dict | None, path: Path) -> list[str]:
    L = ["## Accuracy", ""]
    if acc is None:
        return L + [_not_measured("accuracy sweep", EXPLORE_CMD, path), ""]
    cheapest = acc["cheapest"] or "none"
    L += [f"Sweep `{_show(path)}`: preset `{acc['preset']}` on corpus `{acc['corpus']}`, "
          f"{acc['epochs']} epochs per point (same budget for every mode), seed {acc['seed']}. "
          "PER is the test phone error rate: *float* is the PyTorch model, *fixed* the golden "
          "model's bit-accurate fixed point, i.e. what the RTL computes (bit-exact). "
          f"Cheapest model meeting PER <= {acc['max_per']:g} % (fewest complex MACs per frame): "
          f"**{cheapest}**.", ""]
    rows = sorted(acc["rows"], key=lambda r: (r["cell"], r["hidden"], r["k"], r["mode"] != "dense",
                                              r["mode"]))
    L += _table(["model", "cell", "hidden", "k", "training", "params", "compression",
                 "cMACs/frame", "PER float %", "PER fixed %", "dev PER %", "train s"],
                [[r["name"], r["cell"].upper(), str(r["hidden"]), str(r["k"]), r["mode"],
                  _n(r["params"]), f"{r['compression']:.1f}x", _n(r["cmacs_per_frame"]),
                  f"{r['per_float']:.2f}", "n/a" if r["per_fixed"] is None else f"{r['per_fixed']:.2f}",
                  f"{r['dev_per']:.2f}", _n(r["train_seconds"])] for r in rows])
    # ADMM vs direct at the same (cell, hidden, k).
    pairs = {}
    for r in acc["rows"]:
        pairs.setdefault((r["cell"], r["hidden"], r["k"]), {})[r["mode"]] = r
    both = [(key, m) for key, m in sorted(pairs.items()) if "admm" in m and "direct" in m]
    if both:
        def per(r):
            return r["per_fixed"] if r["per_fixed"] is not None else r["per_float"]
        L += ["", "ADMM vs direct block-circulant training (E-RNN's claim: ADMM is more accurate at "
              "the same block size); PER fixed point where measured, else float:", ""]
        L += _table(["cell", "hidden", "k", "PER ADMM %", "PER direct %", "ADMM - direct"],
                    [[c.upper(), str(h), str(k), f"{per(m['admm']):.2f}", f"{per(m['direct']):.2f}",
                      f"{per(m['admm']) - per(m['direct']):+.2f}"] for (c, h, k), m in both])
    return L + [""]


def hardware_points(hw: ds.HardwareModel) -> list[ds.HwPoint]:
    """The report's hardware points: each reference model at each k at the plain N_PE of
    HW_NPES (one multiplier per PE) and at every wider shape measured in RTL simulation."""
    out = []
    for base in REFERENCE:
        for k in HW_KS:
            shapes = {(n, 1, 1) for n in HW_NPES} | set(hw.measured_shapes(base, k))
            for n, w, h in sorted(shapes, key=lambda s: (s[0] * s[1], s[1], s[2])):
                out.append(hw.point(base, k, n, wpar=w, hlanes=h))
    return out


def clock_labels(hw: ds.HardwareModel) -> tuple[str, str]:
    """Column labels of the two clocks: the target (assumed) and the routed ECP5 (measured)."""
    target = f"frames/s @ {hw.clk_mhz:.0f} MHz (assumed)"
    ecp5 = (f"frames/s @ {hw.ecp5.mhz:.1f} MHz (ECP5 routed, grade {hw.ecp5.grade})" if hw.ecp5
            else "frames/s @ routed clock (none recorded)")
    return target, ecp5


def fpga_md_ecp5(path: Path) -> str:
    """The measured ECP5 Fmax rows of docs/fpga.md, as one sentence (read, not typed)."""
    if not path.is_file():
        return f"(`{path}` not found)"
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and re.search(r"ECP5[^|]*Fmax", line):
            cols = [c.strip() for c in line.strip("|").split("|")]
            fcol = next(j for j, c in enumerate(cols) if re.search(r"ECP5.*Fmax", c))
            items = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                c = [x.strip() for x in row.strip("|").split("|")]
                if len(c) == len(cols) and re.search(r"\d", c[fcol]):
                    # the current figures (bold in the table), not the history before them
                    bold = re.findall(r"\*\*([^*]+)\*\*", c[fcol])
                    items.append(f"{c[0]} {c[1]}: {' / '.join(bold) if bold else c[fcol]}")
            if items:
                return "; ".join(items)
    return f"(no ECP5 Fmax table in `{path}`)"


def calibration_sentence(hw: ds.HardwareModel) -> str:
    """The resource model's calibration in one sentence: sizes fitted, the held-out error."""
    from fpga.model import calibration_table
    rows = calibration_table(hw.model)
    fit = [r["name"] for r in rows if r["role"] == "fit"]
    checks = [r for r in rows if r["role"] == "check"]
    txt = (f"the whole-engine resource model (`fpga/model.py`; docs/resources.md), every unit "
           f"included (PE array, both FFTs, hand-off lanes with their IFFTs, element-wise unit "
           f"and activation tables, memories, control), calibrated on yosys `synth_xilinx` "
           f"synthesis of the whole engine at {len(fit)} sizes ({', '.join(fit)})")
    for r in checks:
        txt += (f"; on the held-out size `{r['name']}` (N_PE {r['config']['n_pe']} x WPAR "
                f"{r['config']['wpar']}) it is within "
                + ", ".join(f"{'BRAM36' if x == 'bram36' else x.upper()} {100 * v:+.1f} %"
                            for x, v in r["err"].items()) + " of synthesis")
    return txt


def hardware_section(hw: ds.HardwareModel, engine: dict | None, engine_path: Path,
                     fpga_md: Path) -> list[str]:
    part = get_part(ds.DEFAULT_PART)
    clk = hw.clk_mhz
    d = hw.drain
    bi = hw.resources("lstmp-1024", 8, 128, directions=2, wpar=4, hlanes=4)
    t_lab, e_lab = clock_labels(hw)
    L = ["## Hardware", "",
         f"Reference-size models (`bench/models.py`): **lstmp-1024** (LSTM, input 153, 1024 cells, "
         "peepholes, projection 512, 2 layers) and **gru-1024** (GRU, same sizes, no projection), "
         "random weights. The engine is **unidirectional**: every figure below is for one "
         "direction of a 2-layer stack. A bidirectional model needs two engines (twice the "
         "resources), or both directions' weights on one engine (lstmp-1024, k = 8, "
         f"N_PE = 128 x WPAR 4: {bi.bram36:,.0f} BRAM36, {100 * bi.bram36 / part.bram36:.0f} % of "
         f"the {part.device}, resource model), or the host runtime's layer-major passes with "
         "the weights reloaded between them: measured in *Bidirectional 2-layer lstmp-1024 "
         "through the host runtime* below.", "",
         "**Clocks.** Two frames/s columns: at the **target clock of the Xilinx part, "
         f"{clk:.0f} MHz, an assumption** (ESE's clock on the XCKU060; no Xilinx part was placed "
         "and routed here: Vivado is not available), and at "
         + (f"**{hw.ecp5.label}**, a measured clock of the same RTL on another FPGA family "
            "(docs/fpga.md); a larger engine on a Xilinx part has other routing, so neither is a "
            "measured XCKU060 clock." if hw.ecp5 else
            "the engine's routed ECP5 Fmax, which `bench/results/ecp5_fmax.json` does not hold "
            "yet (`make fmax TOP=engine CONFIG=small SEEDS=1,2,3`).")
         + " A user with Vivado gets the measured figures: `python -m fpga synth` writes its "
         "utilization and timing to `bench/results/vivado.json`, and this report then shows "
         "them instead of the model's (marked *Vivado*).", ""]
    if engine is None:
        L += [_not_measured("engine cycles", "make engine-bench", engine_path), ""]
    else:
        rtls = sorted({r["rtl"] for r in engine["rows"] if ds.is_reference(r)})
        sims = sorted({r.get("sim", "verilator").capitalize() for r in engine["rows"]
                       if ds.is_reference(r)}) or ["Verilator"]
        L += [f"Measured cycles/frame: `{_show(engine_path)}` ({' and '.join(sims)}, last of a few "
              "frames at full "
              "rate, every output word equal to golden; RTL commit of the reference-size points: "
              f"{', '.join(rtls) or 'none measured'}).", ""]
    L += [f"Estimated cycles/frame (points not simulated) = issue bound + passes x "
          f"{d.per_pass:.1f} cycles: the issue bound is the sequencer's (each accumulation takes "
          "its beats, two accumulation ends at least the hand-off spacing apart; "
          "golden/engine_layout.py), the per-pass drain fitted by least squares to "
          f"{d.points} measured points ({d.source})"
          + (f"; largest error of the fit on those points {100 * d.max_err:.1f} %." if d.points else ".")
          + " Shape = N_PE x WPAR (complex multipliers per PE), hN = HLANES hand-off lanes. "
          "Beats = MAC beats per frame (row groups padded to N_PE, k/2 packed words per block, "
          "WPAR per beat); packed bound = complex MACs / (N_PE x WPAR) with k/2 words per block; "
          "unpacked bound = the same with k/2+1 bins (docs/design.md, performance model). "
          "Latency and GOPS at the assumed target clock; "
          "`*` marks an estimated cycle count"
          + ("; **(stale)** a measurement of an engine whose schedule issued another number of "
             "beats per frame than today's layout (golden/engine_layout.py): re-run `make "
             "engine-bench`" if any(p.stale for p in hardware_points(hw)) else "") + ".", ""]
    rows = []
    for p in hardware_points(hw):
        meas = (_n(p.cycles) + (" (stale)" if p.stale else "")) if p.measured else "not measured"
        est = _n(hw.drain.cycles(p.issue_bound, p.passes))
        star = "" if p.measured else "*"
        src = " (Vivado)" if p.source == "Vivado" else ""
        rows.append([p.base, str(p.k), p.shape, _n(p.beats), meas, est, _n(p.packed_bound),
                     f"{p.cycles / p.packed_bound:.3f}{star}",
                     f"{_n(p.fps)}{star}", f"{_n(p.fps_ecp5)}{star}" if p.fps_ecp5 else "-",
                     f"{p.latency_us:.1f}{star}", f"{p.gops:.0f}{star}",
                     _n(p.dsp) + src, f"{p.lut / 1e3:.1f}k", f"{p.ff / 1e3:.1f}k",
                     f"{p.bram36:.0f}", "yes" if p.fits else "no (" + ", ".join(p.over()) + ")"])
    L += _table(["model", "k", "shape", "beats", "measured cycles", "estimated cycles",
                 "packed bound", "x packed", t_lab, e_lab, f"latency us @ {clk:.0f} MHz (assumed)",
                 f"dense-eq GOPS @ {clk:.0f} MHz (assumed)", "DSP", "LUT", "FF", "BRAM36",
                 f"fits {part.device}"], rows)
    L += ["",
          f"DSP/LUT/FF/BRAM36: {calibration_sentence(hw)}. These are yosys figures (Vivado "
          "packs registers into DSP48E2 and maps memories by its own rules), not a placed "
          f"design. Fits: LUT <= 85 %, DSP and BRAM36 <= 90 % of the {part.device} "
          f"({part.luts:,} LUT, {part.ffs:,} FF, {part.dsps:,} DSP, {part.bram36:,} BRAM36), "
          "headroom for routing.",
          "",
          "**Power is not measured** (no board, no Vivado here). The path for a Vivado user: "
          "`python -m fpga activity` simulates the engine (Verilator) and writes its switching "
          "activity (SAIF), `python -m fpga synth --saif FILE` reads it before `report_power`, "
          "and the figure lands in the run's `power.rpt` and `result.json` (docs/fpga.md).",
          "",
          f"Routed Fmax (ECP5 LFE5U-85F, speed grade 6, nextpnr-ecp5) of the blocks and of the "
          f"engine, step by step: docs/fpga.md "
          f"({fpga_md_ecp5(fpga_md)}).", ""]
    return L + reference_section(hw)


def best_configurations(hw: ds.HardwareModel) -> list[dict]:
    """Per reference model and k: the fastest configuration that fits the XCKU060 (measured
    shapes and the chooser's), its share of the DSP ceiling, and what stops the next one."""
    out = []
    for base in REFERENCE:
        for k in HW_KS:
            shapes = set(ds.shapes(k)) | set(hw.measured_shapes(base, k))
            pts = [hw.point(base, k, n, wpar=w, hlanes=h) for n, w, h in shapes]
            fit = [p for p in pts if p.fits]
            if not fit:
                continue
            best = max(fit, key=lambda p: p.fps)
            measured = [p for p in fit if p.measured]
            # a measured point within 5 % of the fastest estimate is preferred: its cycles are
            # simulated, not projected
            if measured and not best.measured:
                m = max(measured, key=lambda p: p.fps)
                best = m if m.fps >= 0.95 * best.fps else best
            bigger = sorted((p for p in pts if p.macs_per_cycle > best.macs_per_cycle),
                            key=lambda p: (p.macs_per_cycle, -p.fits))
            limits = []
            if bigger and not bigger[0].fits:
                limits.append(f"{bigger[0].shape}: {', '.join(bigger[0].over())}")
            elif bigger:
                limits.append(f"{bigger[0].shape} fits but is no faster "
                              f"({_n(bigger[0].fps)} frames/s)")
            if best.cycles / best.packed_bound > 1.05:
                limits.append(f"hand-off/drain: {best.cycles / best.packed_bound:.2f}x the "
                              "packed bound")
            c = hw.ceiling(base, k)
            out.append({"point": best, "ceiling": c, "pct": 100 * best.fps / c["fps"],
                        "limits": limits})
    return out


def reference_section(hw: ds.HardwareModel) -> list[str]:
    part = get_part(ds.DEFAULT_PART)
    t_lab, e_lab = clock_labels(hw)
    L = ["### Best configuration per model on the XCKU060", "",
         "The fastest configuration that fits (LUT <= 85 %, DSP and BRAM36 <= 90 %, resource "
         "model) among N_PE x WPAR with measured cycles (and the chooser's shapes, `*` "
         "estimated), one direction, 2 layers; % of ceiling = frames/s / the DSP-bound ceiling "
         "(section *Against the papers*). Limits: what the next larger shape runs into.", ""]
    rows = []
    for b in best_configurations(hw):
        p = b["point"]
        star = "" if p.measured else "*"
        rows.append([p.base, str(p.k), p.shape, str(p.macs_per_cycle),
                     (_n(p.cycles) + (f" (RTL {p.rtl})" if p.measured else "")) + star,
                     f"{_n(p.fps)}{star}", f"{_n(p.fps_ecp5)}{star}" if p.fps_ecp5 else "-",
                     f"{b['pct']:.1f}{star}",
                     f"{p.util['lut']:.0f} / {p.util['ff']:.0f} / {p.util['dsp']:.0f} / "
                     f"{p.util['bram36']:.0f}",
                     "; ".join(b["limits"]) or "-"])
    L += _table(["model", "k", "shape", "complex MACs / cycle", "cycles/frame", t_lab, e_lab,
                 "% of DSP ceiling", f"LUT / FF / DSP / BRAM36 % of {part.device}", "limits"],
                rows)
    return L + [""]


def bidir_section(data: dict | None, hw: ds.HardwareModel, path: Path) -> list[str]:
    """The papers' model shape (2-layer bidirectional lstmp-1024) through the host runtime:
    measured passes and loads (bench/bidir_runtime.py), frames/s per batch size."""
    from bench.bidir_runtime import fps

    L = ["### Bidirectional 2-layer lstmp-1024 through the host runtime", ""]
    if not data or not data.get("rows"):
        return L + [_not_measured("the bidirectional runs", "python bench/bidir_runtime.py",
                                  path), ""]
    t_lab, e_lab = clock_labels(hw)
    f_e = hw.ecp5.mhz if hw.ecp5 else None
    L += ["One engine built for one layer of the widest input (1024), four layer-major passes "
          "(layer 0 forward, backward, layer 1 forward, backward; docs/runtime.md), each loading "
          "its weights through the load port and then streaming the whole batch. Measured on a "
          "random model (`python bench/bidir_runtime.py`): per pass the load's cycles and the "
          "steady-state cycles per frame (LAST_FRAME_CYCLES). *runtime*: the whole model through "
          "the host runtime in simulation, every output word and logit equal to golden's "
          "`run_fixed`; *cycles-only*: one pass's frames at full rate (outputs equal to golden), "
          "each load taken as its load-port writes + 1 cycle (the port takes one write per cycle, "
          "measured through the runtime on the CI-sized engines). Frames/s of a batch of U "
          "utterances of 300 frames = U x 300 x f / sum over passes (load + U x 300 x "
          "cycles/frame): computed from the measured cycles at the clocks of the columns. "
          "*Resident*: the same passes without their loads, every pass's weights on chip at once "
          "(not built; block RAM from the resource model).", ""]
    best = {}
    for r in data["rows"]:                     # one row per configuration: the runtime's first
        key = (r["k"], r["n_pe"], r["wpar"], r["hlanes"])
        if key not in best or r.get("method") == "runtime":
            best[key] = r
    rows = []
    for r in sorted(best.values(), key=lambda r: (r["k"], r["n_pe"], r["wpar"])):
        p = r["passes"]
        shape = (f"{r['n_pe']}x{r['wpar']}" + (f" h{r['hlanes']}" if r["hlanes"] > 1 else "")
                 + f" ({r.get('method', 'runtime')}, {r['sim']})")
        cyc = " / ".join(f"{q['last_frame_cycles']:,}" for q in p)
        load = f"{p[0]['load_cycles']:,}"
        for u, t in data["batches"]:
            a = fps(p, u, t, hw.clk_mhz, False)
            e = fps(p, u, t, f_e, False) if f_e else None
            rows.append([f"k = {r['k']}, {shape}", cyc, load, f"{u} x {t}", _n(a),
                         _n(e) if e else "-", f"{100 * a / fps(p, u, t, hw.clk_mhz, True):.0f} %"])
        m = r.get("memory", {})
        res = fps(p, 1, 300, hw.clk_mhz, True)
        res_e = fps(p, 1, 300, f_e, True) if f_e else None
        if m:
            fit = "fits" if m["resident"]["bram36_pct"] <= 90 else "does not fit"
            note = (f"resident: {m['resident']['bram36']:,.0f} BRAM36, "
                    f"{m['resident']['bram36_pct']:.0f} % ({fit}; reload: "
                    f"{m['reload']['bram36_pct']:.0f} %)")
        else:
            note = "resident"
        rows.append([f"k = {r['k']}, {shape}", cyc, "0", note, _n(res), _n(res_e) if res_e else "-",
                     "100 %"])
    L += _table(["configuration", "cycles/frame per pass (measured)", "load cycles per pass "
                 "(measured)", "batch (utterances x frames)", t_lab, e_lab, "of resident"], rows)
    L += ["", "Measured on RTL " + ", ".join(sorted({r.get("rtl_commit", "?") for r in best.values()}))
          + ". Layer 0 runs padded to the engine's input of 1024 (its own is 153): the four passes "
          "take the same cycles.", ""]
    return L


def papers_section(hw: ds.HardwareModel) -> list[str]:
    part = get_part(ds.DEFAULT_PART)
    L = ["## Against the papers", "",
         "What the papers state (abstracts; references below), quoted, not re-derived:", "",
         f"- ESE [ESE] on the {ESE['part']} at {ESE['clk_mhz']} MHz: {ESE['gops_sparse']} GOPS on "
         f"the sparse LSTM, corresponding to {ESE['gops_dense_equiv'] / 1000:.2f} TOPS on the "
         f"uncompressed (dense) one; {ESE['watts']} W.",
         f"- C-LSTM [C-LSTM]: up to {CLSTM_PERF_X}x ESE's performance and {CLSTM_EE_X}x its "
         "energy efficiency.",
         f"- E-RNN [E-RNN]: up to {ERNN_EE_X_ESE}x ESE's energy efficiency and more than "
         f"{ERNN_EE_X_CLSTM}x C-LSTM's.", "",
         "Ours in the same units: dense-equivalent GOPS = 2 x (real MACs per frame of the same "
         "model with dense matrices: input, recurrent and projection matrices) x frames/s, at "
         f"the assumed {hw.clk_mhz:.0f} MHz, one direction, projected from RTL-simulated (or "
         "estimated, `*`) cycles, not measured on a board. **Energy efficiency is not measured** "
         "(no power figures: no board, no Vivado power analysis), so the C-LSTM and E-RNN ratios "
         "have no counterpart here.", ""]
    rows = []
    for p in hardware_points(hw):
        c = hw.ceiling(p.base, p.k)
        star = "" if p.measured else "*"
        rows.append([p.base, str(p.k), p.shape, f"{_n(p.fps)}{star}", f"{p.gops:.0f}{star}",
                     f"{p.gops / ESE['gops_dense_equiv']:.2f}{star}", _n(p.dsp),
                     f"{100 * p.fps / c['fps']:.1f}{star}", "yes" if p.fits else "no"])
    L += _table(["model", "k", "shape", f"frames/s @ {hw.clk_mhz:.0f} MHz (assumed)",
                 "dense-eq GOPS", "/ ESE's 2.52 TOPS", "DSP (model)", "% of DSP ceiling",
                 f"fits {part.device}"], rows)
    c0 = hw.ceiling("lstmp-1024", HW_KS[0])
    L += ["",
          f"DSP-bound ceiling of the {part.device}: {part.dsps:,} DSP slices / {c0['dsp_per_cmac']} "
          f"DSP per complex multiply (rtl/cmul.v, 4-multiplier form; {c0['dsp_per_cmac']} DSP48E2 "
          "in the yosys calibration, fpga/calibration.json) = "
          f"{c0['cmacs_per_cycle']} complex MACs per cycle = {c0['cmacs_per_s'] / 1e9:.1f} G complex "
          f"MAC/s at the assumed {hw.clk_mhz:.0f} MHz, if every DSP served a complex multiplier and "
          "nothing else (the FFTs, IFFTs and the element-wise unit take some). "
          "Ceiling frames/s = that / complex MACs per frame (k/2 packed words per block, as the "
          "engine computes):", ""]
    crow = []
    for base in REFERENCE:
        for k in HW_KS:
            c = hw.ceiling(base, k)
            crow.append([base, str(k), _n(c["cmacs_per_frame"]), _n(c["fps"]), _n(c["gops"]),
                         f"{c['gops'] / ESE['gops_dense_equiv']:.1f}"])
    L += _table(["model", "k", "complex MACs/frame",
                 f"ceiling frames/s @ {hw.clk_mhz:.0f} MHz (assumed)", "ceiling dense-eq GOPS",
                 "/ ESE's 2.52 TOPS"], crow)
    return L + [""]


def tool_section(golden: dict | None, sim: dict | None, acc: dict | None,
                 paths: dict[str, Path]) -> list[str]:
    L = ["## Tool speed", "", "Wall-clock figures from a shared 2-core machine; other jobs may "
         "have been running, so they are lower bounds of what a quiet machine does.", "",
         "### Golden model", ""]
    if golden is None:
        L += [_not_measured("golden speed", "make bench", paths["golden"])]
    else:
        L += [f"`{golden['model']}`; {golden['machine']}. Frames/s, median of the repeats:", ""]
        L += _table(["path", "batch", "worker threads", "frames/s"],
                    [[r["path"], str(r["batch"]), str(r["workers"]), _n(r["frames_per_s"])]
                     for r in golden["rows"]])
    L += ["", "### RTL simulators on the engine", ""]
    if sim is None:
        L += [_not_measured("simulator speed", "make bench", paths["sim"])]
    else:
        load = (f" 1-minute load average {sim['load_avg']:.1f} at the start on {sim['cores']} cores."
                if "load_avg" in sim and "cores" in sim else "")
        rtl = sorted({r["rtl"] for r in sim["rows"] if "rtl" in r})
        load += f" RTL {', '.join(rtl)}." if rtl else ""
        L += [f"Engine `{sim['model']}` (k = {sim['k']}, N_PE = {sim['n_pe']}), {sim['frames']} "
              "frames at full rate through cocotb (bench/sim_speed.py); cycles/s of the streaming "
              f"part, cocotb's Python driver and monitor included.{load}", ""]
        L += _table(["simulator", "simulated cycles", "wall s", "cycles/s", "cycles/frame",
                     "build + run s"],
                    [[r["sim"], _n(r["sim_cycles"]), f"{r['wall_s']:.2f}", _n(r["cycles_per_s"]),
                      _n(r["frame_cycles"]), _n(r["build_and_run_s"])] for r in sim["rows"]])
        by = {r["sim"]: r["cycles_per_s"] for r in sim["rows"]}
        if "verilator" in by and "icarus" in by and by["icarus"] > 0:
            L += ["", f"Verilator simulates {by['verilator'] / by['icarus']:.1f}x as many cycles "
                  "per second as Icarus here."]
    L += ["", "### Training", ""]
    if acc is None:
        L += [_not_measured("training times", EXPLORE_CMD, paths["accuracy"])]
    else:
        ts = [r["train_seconds"] for r in acc["rows"]]
        L += [f"The accuracy sweep trained {len(ts)} models ({acc['preset']} preset, "
              f"{acc['epochs']} epochs each) in {_n(sum(ts))} s in total "
              f"({_n(min(ts))} to {_n(max(ts))} s per model; per-model times in the accuracy table)."]
    return L + [""]


def _pareto(points: list[tuple[float, float]]) -> list[int]:
    """Indices of points not dominated (higher x better, lower y better)."""
    out = []
    for i, (x, y) in enumerate(points):
        if not any((x2 >= x and y2 <= y) and (x2 > x or y2 < y) for x2, y2 in points):
            out.append(i)
    return out


def pareto_points(acc: dict, hw: ds.HardwareModel, npes=HW_NPES) -> list[tuple[dict, ds.HwPoint]]:
    """(best accuracy row of each (cell, k > 1), hardware point at each N_PE x WPAR the chooser
    tries with N_PE in ``npes``), fitting the part."""
    rows, _ = ds.best_accuracy_rows(acc, float("inf"), None)
    out = []
    for r in rows:
        for n, w, h in ds.shapes(r["k"], npes):
            p = hw.point(CELL_MODEL[r["cell"]], r["k"], n, wpar=w, hlanes=h)
            if p.fits:
                out.append((r, p))
    return out


def plots(acc: dict | None, hw: ds.HardwareModel, img: Path) -> dict[str, Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    img.mkdir(parents=True, exist_ok=True)
    made = {}
    # Frames/s vs DSP of the hardware points (always available: resource model + cycles).
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for base, mk in zip(REFERENCE, "os"):
        for k in HW_KS:
            pts = [hw.point(base, k, n, wpar=w, hlanes=h) for n, w, h in ds.shapes(k)]
            pts = sorted(pts, key=lambda p: p.dsp)
            ax.plot([p.dsp for p in pts], [p.fps for p in pts], mk, alpha=0.7,
                    label=f"{base} k={k}")
            for p in pts:
                if p.wpar == 1 or p.macs_per_cycle >= 256:
                    ax.annotate(p.shape.split()[0] + ("" if p.fits else " (no fit)"),
                                (p.dsp, p.fps), fontsize=5, xytext=(3, -8),
                                textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("DSP48E2 slices (resource model, yosys-calibrated)")
    ax.set_ylabel(f"projected frames/s at {hw.clk_mhz:.0f} MHz (assumed clock)")
    ax.set_title("Throughput vs DSPs (labels: N_PE x WPAR)", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    made["fps_vs_dsp"] = img / "report_fps_vs_dsp.png"
    fig.savefig(made["fps_vs_dsp"], dpi=110)
    plt.close(fig)
    if acc is None:
        return made

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, cell in zip(axes, ("lstm", "gru")):
        rows = [r for r in acc["rows"] if r["cell"] == cell]
        dense = [r for r in rows if r["mode"] == "dense"]
        for mode, color in (("admm", "C0"), ("direct", "C1")):
            rs = sorted(dense + [r for r in rows if r["mode"] == mode], key=lambda r: r["compression"])
            if len(rs) <= len(dense):
                continue
            x = [r["compression"] for r in rs]
            ax.plot(x, [r["per_float"] for r in rs], "o-", color=color, label=f"{mode} float")
            fx = [(r["compression"], r["per_fixed"]) for r in rs if r["per_fixed"] is not None]
            if fx:
                ax.plot(*zip(*fx), "s--", color=color, alpha=0.7, label=f"{mode} fixed")
            for r in rs:
                ax.annotate(f"k={r['k']}", (r["compression"], r["per_float"]), fontsize=7,
                            xytext=(3, 3), textcoords="offset points")
        ax.set_xscale("log", base=2)
        ax.set_title(f"{cell.upper()} ({acc['preset']} preset, {acc['corpus']} corpus)", fontsize=9)
        ax.set_xlabel("compression (dense-equivalent / stored parameters)")
        ax.grid(True, alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=7)
    axes[0].set_ylabel("test PER (%)")
    fig.tight_layout()
    made["per_vs_compression"] = img / "report_per_vs_compression.png"
    fig.savefig(made["per_vs_compression"], dpi=110)
    plt.close(fig)

    pts = pareto_points(acc, hw)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    if pts:
        front = set(_pareto([(p.fps, r["per_fixed"]) for r, p in pts]))
        for i, (r, p) in enumerate(pts):
            ax.plot(p.fps, r["per_fixed"], "o" if r["cell"] == "lstm" else "s",
                    color="C0" if r["cell"] == "lstm" else "C1", mfc="none" if i not in front else None)
            ax.annotate(f"k{p.k}/{p.shape.split()[0]}", (p.fps, r["per_fixed"]), fontsize=6,
                        xytext=(3, 3), textcoords="offset points")
        fr = sorted((pts[i][1].fps, pts[i][0]["per_fixed"]) for i in front)
        ax.step(*zip(*fr), where="post", color="gray", alpha=0.5, label="Pareto front")
        ax.plot([], [], "o", color="C0", label="LSTM (lstmp-1024)")
        ax.plot([], [], "s", color="C1", label="GRU (gru-1024)")
        ax.legend(fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel(f"projected frames/s, reference-size model, {hw.clk_mhz:.0f} MHz (assumed clock)")
    ax.set_ylabel(f"test PER fixed (%), {acc['preset']} preset")
    ax.set_title("PER (sweep model) vs throughput (reference-size model, same k); labels k/N_PExWPAR",
                 fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    made["pareto"] = img / "report_pareto.png"
    fig.savefig(made["pareto"], dpi=110)
    plt.close(fig)
    return made


def plots_section(made: dict[str, Path], acc: dict | None, hw: ds.HardwareModel, out: Path,
                  acc_path: Path) -> list[str]:
    rel = {k: os.path.relpath(v, out.parent) for k, v in made.items()}
    L = ["## Plots", ""]
    if "per_vs_compression" in rel:
        L += ["PER against compression, per RNN type (float solid, bit-accurate fixed point "
              "dashed; the dense model is compression 1):", "",
              f"![PER vs compression]({rel['per_vs_compression']})", "",
              "Pareto chart: fixed-point PER against projected frames/s over (cell, k, N_PE), "
              "configurations that fit the XCKU060 only; filled markers are on the front. "
              f"**The two axes come from different models**: PER from the `{acc['preset']}` "
              "preset of the sweep, throughput from the reference-size model (lstmp-1024 or "
              "gru-1024) at the same k, as E-RNN's phase II assumes the accuracy ranking carries "
              "over.", "", f"![Pareto]({rel['pareto']})", ""]
        pts = pareto_points(acc, hw)
        front = _pareto([(p.fps, r["per_fixed"]) for r, p in pts])
        if front:
            L += ["Pareto front:", ""]
            L += _table(["cell", "k", "shape", "training", "PER fixed %",
                         f"frames/s @ {hw.clk_mhz:.0f} MHz (assumed)", "DSP"],
                        [[pts[i][0]["cell"].upper(), str(pts[i][1].k), pts[i][1].shape,
                          pts[i][0]["mode"], f"{pts[i][0]['per_fixed']:.2f}",
                          _n(pts[i][1].fps) + ("" if pts[i][1].measured else "*")
                          + (" (stale)" if pts[i][1].stale else ""),
                          _n(pts[i][1].dsp)]
                         for i in sorted(front, key=lambda i: pts[i][1].fps)])
            L += [""]
    else:
        L += [_not_measured("PER plots", EXPLORE_CMD, acc_path), ""]
    L += ["Throughput (at the assumed target clock) against DSPs of the reference-size models at "
          f"N_PE {', '.join(map(str, ds.CHOOSER_NPES))} x WPAR "
          f"{', '.join(map(str, ds.CHOOSER_WPARS))} (cycles measured where simulated, else "
          "estimated):", "", f"![frames/s vs DSP]({rel['fps_vs_dsp']})", ""]
    return L


def chooser_budgets(acc: dict) -> list[tuple[float, float, str | None]]:
    """Example budgets: the sweep's own PER requirement at two DSP budgets, then GRU only at it
    and at 1.5 times it."""
    m = acc["max_per"]
    return [(m, 300, None), (m, 1000, None), (m, 1000, "gru"), (round(1.5 * m, 1), 1000, "gru")]


def chooser_section(acc: dict | None, hw: ds.HardwareModel, acc_path: Path) -> list[str]:
    L = ["## Chooser", "",
         "`python -m bench.choose --max-per X --max-dsp N [--part xcku060] [--cell lstm|gru]` "
         "picks the configuration with the most projected frames/s whose fixed-point PER (from "
         "the sweep) is <= X and whose reference-size engine (resource model) needs <= N DSPs "
         f"and fits the part, over N_PE in {', '.join(map(str, ds.CHOOSER_NPES))} x WPAR in "
         f"{', '.join(map(str, ds.CHOOSER_WPARS))}; it prints the commands that build it. Cycles "
         "are measured where engine_cycles.json has the point, else estimated (it says which); "
         f"frames/s at the assumed {hw.clk_mhz:.0f} MHz target clock and at the engine's routed "
         "ECP5 Fmax.", ""]
    if acc is None:
        return L + [_not_measured("chooser (needs the accuracy sweep)", EXPLORE_CMD, acc_path), ""]
    for max_per, max_dsp, cell in chooser_budgets(acc):
        cmd = (f"python -m bench.choose --max-per {max_per:g} --max-dsp {max_dsp:g}"
               + (f" --cell {cell}" if cell else ""))
        try:
            text = ds.describe(ds.choose(acc, hw, max_per, max_dsp, cell=cell), max_per, max_dsp,
                               acc["corpus"])
        except ds.NothingFits as e:
            text = f"nothing fits: {e}"
        L += ["```", f"$ {cmd}", text, "```", ""]
    return L


def render(results: Path, out: Path, img: Path, clk_mhz: float, fpga_md: Path,
           accuracy: Path | None = None, calibration: Path | None = None) -> str:
    paths = {"accuracy": accuracy or results / "accuracy.json",
             "engine": results / "engine_cycles.json",
             "golden": results / "golden_speed.json", "sim": results / "sim_speed.json",
             "bidir": results / "bidir_runtime.json"}
    acc = ds.load_accuracy(paths["accuracy"])
    engine = ds.load_engine(paths["engine"])
    golden = ds.load_golden(paths["golden"])
    sim = ds.load_sim(paths["sim"])
    hw = ds.HardwareModel(engine, clk_mhz, calibration,
                          ecp5=ds.load_engine_clock(results / "ecp5_fmax.json"),
                          vivado=ds.load_vivado(results / "vivado.json"))
    made = plots(acc, hw, img)

    def status(key):
        return "present" if paths[key].is_file() else "**absent**"
    L = ["# Design-space report: accuracy, hardware cost and speed",
         "",
         f"Generated by `bench/report.py` (`make bench`) on {datetime.date.today().isoformat()} "
         "from the JSON the benchmarks write; do not edit by hand. Inputs: "
         + ", ".join(f"`{_show(p)}` ({status(k)})" for k, p in paths.items())
         + ", the routed engine clock `bench/results/ecp5_fmax.json`, Vivado results "
         "`bench/results/vivado.json` where present, the resource model's calibration "
         "`fpga/engine_calibration.json` and `fpga/calibration.json`. "
         "Regenerate: `python -m train explore ...` (accuracy, hours), `make engine-bench` "
         "(cycles, ~30 min), then `make bench` (golden and simulator speed, this report).",
         ""]
    L += accuracy_section(acc, paths["accuracy"])
    L += hardware_section(hw, engine, paths["engine"], fpga_md)
    bidir = ds.load_json(paths["bidir"], {"rows": list, "batches": list},
                         {"k": int, "n_pe": int, "wpar": int, "hlanes": int, "passes": list})
    L += bidir_section(bidir, hw, paths["bidir"])
    L += papers_section(hw)
    L += tool_section(golden, sim, acc, paths)
    L += plots_section(made, acc, hw, out, paths["accuracy"])
    L += chooser_section(acc, hw, paths["accuracy"])
    L += ["## References", ""] + [f"- {r}" for r in REFERENCES] + [""]
    return "\n".join(L)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", default=str(ds.RESULTS), help="directory of the JSON inputs")
    ap.add_argument("--accuracy", help="accuracy sweep JSON (default: RESULTS/accuracy.json; "
                    "or the results.json of a `python -m train explore --out DIR` run)")
    ap.add_argument("--out", default=str(ds.ROOT / "docs" / "results.md"))
    ap.add_argument("--img", default=str(ds.ROOT / "docs" / "img"), help="directory for the PNGs")
    ap.add_argument("--clock-mhz", type=float, default=ds.F_CLK_MHZ,
                    help="target clock of the Xilinx part, an assumption (default: %(default)s)")
    ap.add_argument("--fpga-md", default=str(ds.ROOT / "docs" / "fpga.md"),
                    help="markdown with the measured ECP5 Fmax table")
    return run(write_report, ap.parse_args(argv), errors=(ds.InputError,))


def write_report(args: argparse.Namespace) -> int:
    out = Path(args.out)
    text = render(Path(args.results), out, Path(args.img), args.clock_mhz, Path(args.fpga_md),
                  Path(args.accuracy) if args.accuracy else None)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
