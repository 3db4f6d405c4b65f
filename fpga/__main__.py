"""python -m fpga: synthesis (Vivado or the open fallback), ECP5 Fmax, resource model.

Examples:
  python -m fpga synth                                   # default top, tiny config, XCKU060
  python -m fpga synth --top fft_real --config small --part xc7vx690t
  python -m fpga synth --top fft_real -P K=16            # explicit parameter override
  python -m fpga activity --config tiny                  # switching activity (SAIF), Verilator
  python -m fpga synth --tool vivado --saif build/fpga/activity/tiny.saif   # power from it
  python -m fpga fmax --top fft_real --config small      # routed Fmax, ECP5 (open flow)
  python -m fpga fmax --top cmul --speed 8               # ... at ECP5 speed grade 8
  python -m fpga fmax --top engine --seeds 1,2,3         # ... median over 3 placer seeds
  python -m fpga model --write docs/resources.md         # resource model table
  python -m fpga parts | configs | tops

A wrong part, configuration, top or parameter is one `error:` line on stderr and exit status 2;
a failed tool run one `error:` line and exit status 1; ERNN_DEBUG=1 shows the traceback instead.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from golden.cli import ArgumentParser, UsageError, run
from rtlsim.filelist import available_tops

from . import configs as cfg
from . import flow, parts
from .activity import DEFAULT_FRAMES


def default_top() -> str:
    """The engine when it exists, else one engine PE, else the real FFT."""
    tops = available_tops()
    for t in ("engine", "ernn_engine", "engine_pe", "fft_real"):
        if t in tops:
            return t
    return tops[0] if tops else "round_sat"


def _params(s: list[str] | None) -> dict[str, int]:
    out = {}
    for item in s or []:
        name, _, val = item.partition("=")
        if not val:
            raise UsageError(f"-P wants NAME=VALUE, got {item!r}")
        try:
            out[name] = int(val, 0)
        except ValueError:
            raise UsageError(f"-P {item}: {val!r} is not an integer (e.g. -P K=16 or -P K=0x10)") from None
    return out


def _positive(s: str) -> float:
    v = float(s)
    if not v > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {s}")
    return v


def parse_seeds(s: str) -> list[int]:
    """``--seeds`` text: distinct integers separated by commas, e.g. ``1,2,3``."""
    items = [x.strip() for x in s.split(",")]
    if not s.strip() or "" in items:
        raise argparse.ArgumentTypeError(
            f"wants placer seeds separated by commas, e.g. 1,2,3; got {s!r}")
    seeds = []
    for x in items:
        try:
            seeds.append(int(x))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"seed {x!r} is not an integer (e.g. --seeds 1,2,3)") from None
    repeated = sorted({v for v in seeds if seeds.count(v) > 1})
    if repeated:
        raise argparse.ArgumentTypeError(f"seed {', '.join(map(str, repeated))} listed more "
                                         f"than once in {s!r}: give each seed once")
    return seeds


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--top", default="", help="top module (rtl/<top>.f) (default: engine, else "
                   "engine_pe, else fft_real)")
    p.add_argument("--config", default=cfg.DEFAULT_CONFIG,
                   help=f"named configuration ({', '.join(cfg.CONFIGS)}), or an exported "
                        f"bundle directory (python -m train export; a run directory with "
                        f"bundle/ in it): the trained model's engine images and build")
    p.add_argument("-P", "--param", action="append", metavar="NAME=VALUE",
                   help="extra Verilog parameter override (repeatable)")
    p.add_argument("--json", action="store_true", help="print the result as JSON as well")


def _bundle_params(top: str, bundle: str, extra: dict[str, int], target: str) -> tuple[dict, str]:
    """``CONFIG=<bundle>``: the engine with a trained model's exported images (its build is
    the export's: N_PE, WPAR, HLANES); other tops the parameters of that build."""
    from .engine_mem import bundle_config, prepare_bundle

    c, images = bundle_config(bundle)
    if top != "engine":
        return cfg.overrides_for(top, c, extra), c.name
    fixed = sorted(set(extra) & set(c.engine.hdl_params()))
    if fixed:
        raise ValueError(f"-P {', '.join(fixed)}: a bundle's engine parameters are those it was "
                         f"exported for (N_PE {c.n_pe}, WPAR {c.wpar}, HLANES {c.hlanes}); export "
                         f"it again with --n-pe/--wpar/--hlanes")
    params = prepare_bundle(images, flow.run_dir(top, c.name, target))
    params.update(extra)
    return params, c.name


def resolve_params(top: str, config: str, extra: dict[str, int], target: str) -> tuple[dict, str]:
    """Parameter overrides of ``top`` at ``config``, and the run's name.  The engine gets its
    parameters and memory files from the golden model's layout (fpga.engine_mem); other tops
    the configuration's values for the parameters they declare."""
    if Path(config).is_dir():
        return _bundle_params(top, config, extra, target)
    c = cfg.get_config(config)
    if top == "engine":
        from .engine_mem import prepare_engine
        # K, N_PE, WPAR and HLANES change the memory layout: rebuild the configuration, not just the
        # parameter.
        shape = {"k": extra.pop("K", c.k), "n_pe": extra.pop("N_PE", c.n_pe),
                 "wpar": extra.pop("WPAR", c.wpar), "hlanes": extra.pop("HLANES", c.hlanes)}
        if (shape["k"], shape["n_pe"], shape["wpar"], shape["hlanes"]) != (c.k, c.n_pe, c.wpar,
                                                                           c.hlanes):
            name = f"{c.name}-K{shape['k']}-npe{shape['n_pe']}"
            if shape["wpar"] != 1:
                name += f"x{shape['wpar']}"
            if shape["hlanes"] != 1:
                name += f"h{shape['hlanes']}"
            c = c.rebuilt(name, **shape)
        params = prepare_engine(c, flow.run_dir(top, c.name, target))
        params.update(extra)
        return params, c.name
    return cfg.overrides_for(top, c, extra), config


# The target's multiplier primitive: MUL_WIDTH, its widest signed operand (rtl/cmul.v: DSP48E2
# multiplies 27x18, ECP5's MULT18X18D 18x18), and MUL_PIPE, whether the PEs put a register more
# on each side of it (rtl/engine.v: ECP5 yes, DSP48E2 no, its own registers do).  Tops that
# declare them get them per family.
MUL_PARAMS = {"xilinx": {"MUL_WIDTH": 27, "MUL_PIPE": 0}, "ecp5": {"MUL_WIDTH": 18, "MUL_PIPE": 1}}


def with_mul_width(top: str, params: dict, family: str) -> dict:
    """``params`` plus MUL_WIDTH / MUL_PIPE for ``family`` where ``top`` declares them and no
    -P set them."""
    declared = cfg.top_parameters(top)
    extra = {n: v for n, v in MUL_PARAMS[family].items() if n in declared and n not in params}
    return {**params, **extra}


def saif_option(a: argparse.Namespace, top: str, tool: str) -> tuple[Path | None, str]:
    """``--saif``'s file and the instance path of ``top`` in it (read_saif -strip_path),
    checked before any tool runs."""
    from .saif import root_instance
    if a.saif is None:
        if a.saif_scope:
            raise UsageError("--saif-scope names the design's instance in a SAIF file: give "
                             "the file with --saif")
        return None, ""
    saif = Path(a.saif)
    if not saif.is_file():
        raise UsageError(f"--saif {saif}: no such file; `python -m fpga activity` writes one "
                         f"(build/fpga/activity/<config>.saif)")
    if a.synth_only:
        raise UsageError("--saif with --synth-only: report_power runs on the routed design; "
                         "drop --synth-only")
    if tool != "vivado":
        raise UsageError("--saif: the activity is read by Vivado's report_power, and this run "
                         "is the open flow (yosys estimates no power); put vivado on PATH")
    if a.saif_scope:
        return saif, a.saif_scope.strip("/")
    scope = root_instance(saif)
    if scope != top:
        raise UsageError(f"--saif {saif}: its top instance is '{scope}', not {top}; give "
                         f"--saif-scope, the instance path of {top} in it (e.g. tb/dut)")
    return saif, scope


def cmd_synth(a: argparse.Namespace) -> int:
    part = parts.get_part(a.part)
    top = a.top or default_top()
    tool = a.tool
    if tool == "auto":
        tool = "vivado" if flow.find_vivado() else "yosys"
    saif, scope = saif_option(a, top, tool)
    if a.tool == "auto" and tool == "yosys":
        flow.vivado_notice_once()
    target = part.name + ("_vivado" if tool == "vivado" else "")
    params, run = resolve_params(top, a.config, _params(a.param), target)
    params = with_mul_width(top, params, "xilinx")
    if tool == "vivado":
        res = flow.synth_vivado(top, part, params, run, a.clk_mhz, not a.synth_only,
                                saif=saif, saif_scope=scope)
        record = flow.VIVADO_RESULTS if a.record is None else a.record
        if top == "engine" and record:
            path = flow.record_vivado(res, a.config.rsplit("-k", 1)[0], Path(record))
            print(f"recorded in {path} (docs/results.md shows Vivado's figures for this "
                  f"configuration after `make report`)")
    else:
        res = flow.synth_yosys(top, part, params, run)
    print(flow.format_synth(res, part))
    if a.json:
        print(json.dumps(res.to_json(), indent=2))
    return 0


def cmd_fmax(a: argparse.Namespace) -> int:
    top = a.top or default_top()
    target = flow.ecp5_target(a.speed)
    params, run = resolve_params(top, a.config, _params(a.param), target)
    params = with_mul_width(top, params, "ecp5")
    if a.seeds is None:
        res = flow.fmax_ecp5(top, params, run, a.freq, a.seed, speed=a.speed)
        print(flow.format_fmax(res))
        if a.json:
            print(json.dumps(res.to_json(), indent=2))
        return 0
    print(f"{top} [{run}]: yosys synth_ecp5 once, then nextpnr-ecp5 with placer seeds "
          f"{', '.join(map(str, a.seeds))} ({flow.ECP5_PART}, speed grade {a.speed})",
          flush=True)
    results = flow.fmax_ecp5_seeds(
        top, params, run, a.freq, a.seeds, speed=a.speed,
        on_synth=lambda sec: print(f"  synthesized in {sec:.0f} s", flush=True),
        on_route=lambda i, n, res: print(flow.format_seed_progress(i, n, res), flush=True))
    print(flow.format_fmax_seeds(results))
    if a.json:
        print(json.dumps(flow.seeds_json(results), indent=2))
    return 0


def _progress(msg: str) -> None:
    print(msg, flush=True)


def cmd_activity(a: argparse.Namespace) -> int:
    from . import activity
    step = _progress
    if a.bundle is not None:
        src = activity.bundle_source(a.bundle, a.utts, a.frames, step)
    else:
        src = activity.random_source(a.config, a.utts, a.frames)
    out = activity.saif_path(a.out, src.name)
    hdl = with_mul_width(activity.TOP, {}, "xilinx")
    step(f"model: {src.what}; engine N_PE={src.n_pe}, WPAR={src.wpar}, HLANES={src.hlanes}, "
         + ", ".join(f"{k}={v}" for k, v in hdl.items()) + " (as synth builds it)")
    step(f"input: {src.inputs}")
    rec = activity.run(src, out, hdl, a.clk_mhz, step)
    print(activity.format_summary(rec))
    if a.json:
        print(json.dumps(rec, indent=2))
    return 0


def _count(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"wants a whole number, got {s!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {s}")
    return v


def cmd_model(a: argparse.Namespace) -> int:
    from . import model
    if a.calibration and not os.path.isfile(a.calibration):
        raise UsageError(f"--calibration {a.calibration}: no such file; give a JSON of whole-engine "
                         f"synthesis results (`python -m fpga calibrate --engines` writes "
                         f"fpga/engine_calibration.json)")
    text = model.render(a.calibration)
    if a.write:
        with open(a.write, "w") as fh:
            fh.write(text)
        print(f"wrote {a.write}")
    else:
        print(text)
    return 0


def cmd_calibrate(a: argparse.Namespace) -> int:
    if a.engines is not None:
        from . import engine_cal
        engine_cal.measure_engines(a.engines or None)
        print(f"wrote {engine_cal.ENGINE_CALIBRATION}")
        return 0
    from . import calibrate
    calibrate.measure(a.block or None)
    print(f"wrote {calibrate.CALIBRATION}")
    return 0


def cmd_parts(_: argparse.Namespace) -> int:
    print(f"{'part':<24} {'device':<10} {'LUT':>9} {'FF':>9} {'DSP':>6} {'BRAM36':>7}  used by")
    for p in parts.PARTS.values():
        print(f"{p.name:<24} {p.device:<10} {p.luts:>9,} {p.ffs:>9,} {p.dsps:>6,} "
              f"{p.bram36:>7,}  {p.board}")
    return 0


def cmd_configs(_: argparse.Namespace) -> int:
    for c in cfg.CONFIGS.values():
        print(f"{c.name:<16} {c.description}")
    return 0


def cmd_tops(_: argparse.Namespace) -> int:
    for t in available_tops():
        print(f"{t:<16} params: {', '.join(cfg.top_parameters(t))}")
    return 0


def build_parser() -> ArgumentParser:
    ap = ArgumentParser(prog="python -m fpga", description=__doc__)
    ap.add_argument("-v", "--verbose", action="store_true")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("synth", help="synthesize (Vivado if on PATH, else yosys synth_xilinx)")
    _common(p)
    p.add_argument("--part", default=parts.DEFAULT_PART,
                   help=f"Xilinx part or alias ({', '.join(parts.PARTS)}; "
                        f"aliases {', '.join(parts.ALIASES)})")
    p.add_argument("--tool", choices=("auto", "vivado", "yosys"), default="auto")
    p.add_argument("--clk-mhz", type=float, default=200.0, help="clock constraint (Vivado)")
    p.add_argument("--synth-only", action="store_true", help="Vivado: stop after synth_design")
    p.add_argument("--record", default=None, metavar="JSON",
                   help="Vivado runs of the engine: add the utilization and timing to this JSON, "
                        "which the report shows instead of the resource model's figures "
                        "(default: bench/results/vivado.json; '' to skip)")
    p.add_argument("--saif", metavar="FILE", help="Vivado: switching activity read before "
                   "report_power (python -m fpga activity writes it) instead of vectorless "
                   "estimates")
    p.add_argument("--saif-scope", metavar="PATH", help="the top's instance path in the SAIF "
                   "file (read_saif -strip_path; default: its top instance, which must be the top)")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("activity", help="switching activity (SAIF) of the engine running frames "
                       "in Verilator, for synth --saif")
    p.add_argument("--bundle", metavar="RUN_OR_BUNDLE_DIR",
                   help="a trained model: its test utterances through the engine build it was "
                        "exported for (without it: the random model of --config on random frames)")
    p.add_argument("--config", default=cfg.DEFAULT_CONFIG,
                   help=f"named configuration of the random model ({', '.join(cfg.CONFIGS)})")
    p.add_argument("--utts", type=_count, default=2, help="utterances (or random sequences)")
    p.add_argument("--frames", type=_count, default=None,
                   help=f"frames per utterance: a random sequence's length ({DEFAULT_FRAMES} "
                        f"when not given), or the most taken of each test utterance (all when "
                        f"not given)")
    p.add_argument("--clk-mhz", type=_positive, default=200.0,
                   help="simulated clock; give synth the same (Vivado rates toggles per second)")
    p.add_argument("--out", metavar="PATH", help="the SAIF file to write (.saif appended; "
                   "default build/fpga/activity/<config or run>.saif, with a .json beside it)")
    p.add_argument("--json", action="store_true", help="print the record as JSON as well")
    p.set_defaults(func=cmd_activity)

    p = sub.add_parser("fmax", help="routed Fmax on ECP5 (yosys synth_ecp5 + nextpnr-ecp5)")
    _common(p)
    p.add_argument("--speed", type=int, choices=flow.ECP5_SPEEDS, default=flow.ECP5_DEFAULT_SPEED,
                   help=f"ECP5 speed grade for nextpnr-ecp5 --speed ({min(flow.ECP5_SPEEDS)} is "
                        f"the slowest, {max(flow.ECP5_SPEEDS)} the fastest)")
    p.add_argument("--freq", type=_positive, default=200.0,
                   help="target clock for nextpnr (MHz)")
    seed = p.add_mutually_exclusive_group()
    seed.add_argument("--seed", type=int, default=1, help="nextpnr placer seed")
    seed.add_argument("--seeds", type=parse_seeds, default=None, metavar="S1,S2,...",
                      help="route these placer seeds one after another on one synthesized "
                           "netlist and report the median Fmax (with min and max)")
    p.set_defaults(func=cmd_fmax)

    p = sub.add_parser("model", help="whole-engine resource model: calibration check and XCKU060 tables (docs/resources.md)")
    p.add_argument("--calibration", default=None,
                   help="JSON of whole-engine synthesis results (default: "
                        "fpga/engine_calibration.json)")
    p.add_argument("--write", metavar="FILE", help="write the markdown table to FILE")
    p.set_defaults(func=cmd_model)

    p = sub.add_parser("calibrate", help="measure the model's blocks with yosys at several k "
                       "(writes fpga/calibration.json)")
    p.add_argument("block", nargs="*", help="only these blocks (default: all that exist)")
    p.add_argument("--engines", nargs="*", metavar="SIZE", default=None,
                   help="instead: synthesize the whole engine at the calibration sizes "
                        "(fpga/engine_cal.py; all, or the SIZEs named), flattened and "
                        "hierarchically, into fpga/engine_calibration.json (~2-60 min each)")
    p.set_defaults(func=cmd_calibrate)

    for name, fn, hlp in (("parts", cmd_parts, "list the parts and their capacities"),
                          ("configs", cmd_configs, "list the named configurations"),
                          ("tops", cmd_tops, "list the tops that have a file list")):
        sub.add_parser(name, help=hlp).set_defaults(func=fn)
    return ap


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if a.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    # unknown parts, configurations, tops and parameters raise KeyError, ValueError and
    # FileNotFoundError naming what is known; FlowError is a tool run that failed
    return run(a.func, a, errors=(KeyError, ValueError, FileNotFoundError), failures=(flow.FlowError,))


if __name__ == "__main__":
    sys.exit(main())
