"""engine_hlanes (the hand-off lanes, their bias memory, the projection result queue) vs
golden, every cycle.

The test plays the PE array's drains: groups of NPC drain cycles (lane c carrying row
ch_row + c, or in a split projection pass the partial at chain position
((pos / PS) * HLANES + c) * PS + pos % PS), of a random kind (0 / 1 gate passes, 2 the
projection pass when the model has one), layer, frame id and sequence end, with random gaps
(the array's NPC + 2 spacing), rows beyond ROWS (padding of the last group) and beyond RB.
Accumulator lanes are random at a random scale (PS partials summing to a row's total).  The
bias memory starts from a random BIAS_FILE and gets random lane writes between groups (the
engine loads only while idle).  ``rec_busy`` is random.

Reference: tb/engine_handoff's ``golden_rows`` (golden's CirculantFixed.finish, the
projection's requantize) on each row's total and bias.  Checked every cycle: ``zi_*`` of every
lane exactly LATENCY cycles after the row's drain cycle (valid for gate rows < ROWS; count,
gh flag, row, z), and ``pj_*``: with one lane LATENCY cycles after each projection row < RB,
with several lanes a model of the queue (a lane step pushed when its rows leave the lanes,
emptied one lane per cycle while ``rec_busy`` is low, rows >= RB skipped), every field.
"""
from __future__ import annotations

import random

import pytest

from tb.common.sim import ROOT, assert_mutant_fails, mutant_sim, run_cocotb, sim_cases, tag
from tb.engine_handoff.test_engine_handoff import DEFAULT, NARROW, hdl_params

TOP = "engine_hlanes"


def _p(k, hlanes, ps, cell, rows, rb, layers, fmts=DEFAULT) -> dict:
    p = hdl_params(k, ps, fmts)
    brows = rows * (1 if cell == 0 else 2)
    return dict(K=k, HLANES=hlanes, PS=ps, CELL=cell, PROJ=rb * k if cell == 0 else 0, ROWS=rows,
                RB=rb, BDEPTH=layers * brows,
                ACC_WIDTH=p["ACC_WIDTH"], **{n: v for n, v in fmts.items() if n != "WEIGHT_WIDTH"})


# (params, N_PE of the drains, layers)
SETS = [(_p(4, 1, 1, 0, 6, 2, 2), 4, 2), (_p(8, 2, 2, 0, 10, 3, 2), 8, 2),
        (_p(4, 2, 1, 1, 6, 2, 2), 4, 2), (_p(16, 4, 1, 0, 8, 5, 1, NARROW), 8, 1)]
ICARUS = [s[0] for s in SETS]
VERILATOR = [SETS[0][0], SETS[1][0]]


def _run(sim: str, params: dict, groups: int, seed: int, **kw) -> tuple[int, int]:
    n_pe, layers = next((n, ly) for p, n, ly in SETS if p == params)
    t = kw.pop("tagname", None) or tag(params)
    build = ROOT / "build" / "sim" / sim / f"{TOP}-{t}"
    build.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 77)
    bmw = params["BIAS_WIDTH"] + abs(params["PRE_FRAC"] - params["BIAS_FRAC"]) + 1
    words = [[rng.randint(-(1 << (bmw - 2)), (1 << (bmw - 2)) - 1) for _ in range(params["K"])]
             for _ in range(params["BDEPTH"])]
    mask = (1 << bmw) - 1
    (build / "bias.mem").write_text("".join(
        f"{sum((v & mask) << (i * bmw) for i, v in enumerate(w)):x}\n" for w in words))
    hdl = {**params, "BIAS_FILE": f'"{build / "bias.mem"}"'}
    return run_cocotb(TOP, "test_engine_hlanes", sim, hdl,
                      {**params, "N_PE": n_pe, "LAYERS": layers, "GROUPS": groups, "SEED": seed,
                       "BIAS_INIT": words, "BMW": bmw}, tagname=t, **kw)


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_hlanes(sim, params):
    _run(sim, params, 80, 1)


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_hlanes_slow(sim, params):
    _run(sim, params, 800, 2)


MUTANTS = {
    # the lanes' split-row positions ignore the lane
    "pos-no-lane": {"engine_hlanes.v": ("((ch_pos / PS) * HLANES + hc) * PS + ch_pos % PS",
                                        "((ch_pos / PS) * HLANES) * PS + ch_pos % PS")},
    # the GRU's completing accumulation on every layer is gh
    "zkind-layer": {"engine_hlanes.v": ("(CELL == 0 || res_layer != 0) ? 2'd0 : 2'd1",
                                        "(CELL == 0) ? 2'd0 : 2'd1")},
    # the last-row flag one row early
    "last-early": {"engine_hlanes.v": ("last = ({16'd0, row_c} == RB - 1)",
                                       "last = ({16'd0, row_c} == RB - 2)")},
    # the queue does not wait for the recurrence path
    "queue-ignores-busy": {"engine_hlanes.v": ("wire pq_go = pq_any && !rec_busy;",
                                               "wire pq_go = pq_any;")},
}
MUTANT_SET = {"zkind-layer": 2}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_hlanes_mutant_fails(mutant):
    sim = mutant_sim("icarus")
    params = ICARUS[MUTANT_SET.get(mutant, 1)]
    n_tests, n_fail = _run(sim, params, 30, 1, tagname=f"mutant-{mutant}-{tag(params)}",
                           mutation=MUTANTS[mutant], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the hand-off lanes test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    import numpy as np
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

    from tb.common.stream import pack, tb_cfg, uint, unpack
    from tb.engine_handoff.test_engine_handoff import _formats, golden_rows
    from tb.ifft_herm.test_ifft_herm import dit_latency

    @cocotb.test()
    async def hlanes_random(dut):
        cfg = tb_cfg()
        F = _formats({**cfg, "WEIGHT_WIDTH": 16})
        k, hl, ps, cell = cfg["K"], cfg["HLANES"], cfg["PS"], cfg["CELL"]
        rows, rb, layers, n_pe = cfg["ROWS"], cfg["RB"], cfg["LAYERS"], cfg["N_PE"]
        aw, bmw, pw, dw = cfg["ACC_WIDTH"], cfg["BMW"], cfg["PRE_WIDTH"], cfg["DATA_WIDTH"]
        brows = rows * (1 if cell == 0 else 2)
        npc = n_pe // hl
        lat = dit_latency(k) + 4
        rng = random.Random(cfg["SEED"])
        bias = {a: list(w) for a, w in enumerate(cfg["BIAS_INIT"])}
        lim = 1 << (aw - 4)
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        for name in ("ch_acc", "ch_shift", "ch_row", "ch_pos", "ch_bbase", "ch_kind", "ch_layer",
                     "ch_fid", "ch_send", "rec_busy", "bw_en", "bw_lanes", "bw_addr", "bw_data"):
            getattr(dut, name).value = 0
        dut.rst.value = 1
        for _ in range(3):
            await RisingEdge(dut.clk)
        dut.rst.value = 0

        # build the whole drive schedule and the expected outputs first
        drive: dict[int, dict] = {}        # cycle -> drain inputs
        bwrites: dict[int, tuple] = {}     # cycle -> (addr, lane, value)
        zi_exp: dict[int, list] = {}       # cycle -> per lane (count, gh, row, z) or None
        pj_rows: dict[int, list] = {}      # cycle the lane step leaves the lanes -> lane rows
        stats = dict(gate=0, pad=0, proj=0, split=0, gh=0, bw=0, busy_hold=0, pj=0)
        cyc = 5
        for gi in range(cfg["GROUPS"]):
            kinds = [0] + ([1] if cell == 1 else []) + ([2] if cfg["PROJ"] > 0 else [])
            kind = rng.choice(kinds)
            layer, fid, send = rng.randrange(layers), rng.randrange(4), rng.randrange(2)
            split = kind == 2 and ps > 1
            base = 0 if split else rng.randrange(0, max(1, (rows if kind != 2 else rb) + 2), hl) // hl * hl
            bbase = layer * brows + (rows if kind == 1 else 0)
            totals: dict[tuple[int, int], np.ndarray] = {}
            for j in range(npc):
                c0 = cyc + j
                lanes = []
                for c in range(hl):
                    if split:
                        row = (j // ps) * hl + c
                        part = j % ps
                        acc = np.array([rng.randint(-lim, lim - 1) for _ in range(k)], dtype=np.int64)
                        totals[(row, c)] = totals.get((row, c), 0) + acc
                        done = part == ps - 1
                    else:
                        row = base + j * hl + c
                        acc = np.array([rng.randint(-lim, lim - 1) for _ in range(k)], dtype=np.int64)
                        totals[(row, c)] = acc
                        done = True
                    lanes.append((row, acc, done))
                drive[c0] = dict(acc=sum(pack(a, aw) << (c * k * aw) for c, (_, a, _) in enumerate(lanes)),
                                 row=base + j * hl, pos=j, bbase=bbase, kind=kind, layer=layer,
                                 fid=fid, send=send)
                # the expected results LATENCY cycles after a row's last block
                out = []
                step = []
                for c, (row, _, done) in enumerate(lanes):
                    if not done:
                        out.append(None)
                        continue
                    tot = totals[(row, c)]
                    if kind != 2 and row < rows:
                        b = np.array(bias[bbase + row], dtype=np.int64)
                        _, _, z, _ = golden_rows(F, k, tot[None], b[None])
                        zc = 1 if (cell == 1 and layer == 0) else 0
                        out.append((int(kind == zc), int(kind == 1), row, pack(z[0], pw)))
                        stats["gate"] += 1
                        stats["gh"] += kind == 1
                    else:
                        out.append(None)
                        stats["pad"] += kind != 2
                    if kind == 2:
                        _, _, _, data = golden_rows(F, k, tot[None], np.zeros((1, k), np.int64))
                        step.append((row, pack(data[0], dw), int(row == 0), int(row == rb - 1))
                                    if row < rb else None)
                        stats["proj"] += row < rb
                        stats["split"] += split
                zi_exp[c0 + lat] = out
                if kind == 2 and any(step):
                    pj_rows[c0 + lat] = [dict(layer=layer, fid=fid, send=send, row=s[0], data=s[1],
                                              blk0=s[2], last=s[3]) if s else None for s in step]
            cyc += npc + rng.choice([2, 2, 3, 7])
            if rng.random() < 0.3:
                # a bias lane write while nothing is in flight
                cyc += lat + 2
                a, ln = rng.randrange(cfg["BDEPTH"]), rng.randrange(k)
                v = rng.randint(-(1 << (bmw - 2)), (1 << (bmw - 2)) - 1)
                bwrites[cyc] = (a, ln, v)
                bias[a][ln] = v
                stats["bw"] += 1
                cyc += 2
        end = cyc + lat + 3 * (rb + hl) + 50

        # run
        queue: list[list] = []     # lane steps pushed (visible), each HLANES rows or None
        lane = 0
        for c in range(end):
            await FallingEdge(dut.clk)
            d = drive.get(c)
            dut.ch_shift.value = int(d is not None)
            if d is not None:
                for f in ("acc", "row", "pos", "bbase", "kind", "layer", "fid", "send"):
                    getattr(dut, f"ch_{f}").value = d[f]
            else:
                dut.ch_acc.value = rng.getrandbits(hl * k * aw)
            w = bwrites.get(c)
            dut.bw_en.value = int(w is not None)
            if w is not None:
                dut.bw_addr.value, dut.bw_lanes.value = w[0], 1 << w[1]
                dut.bw_data.value = w[2] & ((1 << bmw) - 1)
            busy = int(rng.random() < 0.3)
            dut.rec_busy.value = busy
            await ReadOnly()
            # gate results
            exp = zi_exp.get(c)
            v = uint(dut.zi_valid.value)
            exp_v = sum(1 << i for i, e in enumerate(exp or []) if e is not None)
            assert v == exp_v, f"cycle {c}: zi_valid {v:#x}, expected {exp_v:#x}"
            for i, e in enumerate(exp or []):
                if e is None:
                    continue
                got = ((uint(dut.zi_count.value) >> i) & 1, (uint(dut.zi_gh.value) >> i) & 1,
                       (uint(dut.zi_row.value) >> (16 * i)) & 0xFFFF,
                       (uint(dut.zi_data.value) >> (i * k * pw)) & ((1 << (k * pw)) - 1))
                assert got[:3] == e[:3], f"cycle {c}: lane {i} (count, gh, row) {got[:3]}, expected {e[:3]}"
                assert got[3] == e[3], (f"cycle {c}: lane {i} row {e[2]} z {unpack(got[3], pw, k)}, "
                                        f"expected {unpack(e[3], pw, k)}")
            # projection results
            if hl == 1:
                step = pj_rows.get(c)
                e = step[0] if step else None
            else:
                e = None
                go = bool(queue) and not busy
                if go:
                    e = queue[0][lane]
                    lane += 1
                    if lane == hl:
                        queue.pop(0)
                        lane = 0
                elif queue:
                    stats["busy_hold"] += 1
            pv = uint(dut.pj_valid.value)
            assert pv == int(e is not None), f"cycle {c}: pj_valid {pv}, expected {int(e is not None)}"
            if e is not None:
                got = (uint(dut.pj_layer.value), uint(dut.pj_fid.value), uint(dut.pj_send.value),
                       uint(dut.pj_row.value), uint(dut.pj_blk0.value), uint(dut.pj_last.value),
                       uint(dut.pj_data.value))
                want = (e["layer"], e["fid"], e["send"], e["row"], e["blk0"], e["last"], e["data"])
                assert got == want, \
                    f"cycle {c}: pj (layer, fid, send, row, blk0, last, data) {got}, expected {want}"
                stats["pj"] += 1
            # the edge: a lane step leaving the lanes this cycle is queued (visible next cycle)
            if hl > 1 and c in pj_rows:
                queue.append(pj_rows[c])
        need = ["gate", "pad", "bw"] + (["gh"] if cell else []) + (["proj", "pj"] if cell == 0 else []) \
            + (["split"] if ps > 1 else []) + (["busy_hold"] if hl > 1 and cell == 0 else [])
        for key in need:
            assert stats[key] > 0, f"coverage: no {key} ({stats})"
        dut._log.info("engine_hlanes: %s", stats)
