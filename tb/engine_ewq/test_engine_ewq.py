"""engine_ewq (step queue, z memory, state / peephole memories, the send decision) vs a model
of its contract, every cycle.

The test plays the engine around it.  The sequencer: layer steps (random layer, frame id,
first and sequence-end flags) pushed while ``ctx_full`` is low, sometimes eagerly (the queue
fills), sometimes sparsely (it empties).  The hand-off: the gate results of the steps in step
order, rows in order in groups of GROUP rows (GRU: in each group the rows of the accumulation
that does not complete a row first, then those that do), HLANES consecutive rows per cycle
(lane c: row c modulo HLANES), random idle cycles, random data; a result of a step is offered
only after the block of the previous step that holds the same row has been sent (the z memory
has one slot per row).  The element-wise unit: every block sent comes back as a state write
(random data) after a random delay.  The load port: random peephole lane writes at random
times.  ``rst`` is pulsed now and then: the steps in flight are dropped.

Checked: ``ctx_full`` every cycle; every hidden block of every step is sent once, in order, in
exactly the cycle the contract allows: max(two cycles after the block's last counting
result, SHARE cycles after the previous send, two cycles after its step became the head: the
previous step's last send or its own push into an empty queue); ``blk_*`` the cycle after:
the tag (with the block-0 and last-block flags), the G (GRU 6) z words as the model's z memory holds them at the read, the state of
(layer, h) (zero on a first step) and the peepholes of (layer, h) as the model's memories hold
them.  Coverage: a full queue, sends held by each of the three limits, resets, peephole writes.
"""
from __future__ import annotations

import random

import pytest

from tb.common.sim import ROOT, assert_mutant_fails, mutant_sim, run_cocotb, sim_cases, tag

TOP = "engine_ewq"


def _p(k, cell, layers, hb, hlanes, share, peep, pre=16, sw=16, pw=16) -> dict:
    return dict(K=k, CELL=cell, LAYERS=layers, HB=hb, HLANES=hlanes, SHARE=share,
                PRE_WIDTH=pre, S_WIDTH=sw, PEEP=peep, PEEP_WIDTH=pw)


ICARUS = [_p(4, 0, 1, 3, 1, 4, 1), _p(8, 0, 2, 4, 2, 2, 1, 12, 14, 10), _p(4, 1, 2, 2, 2, 1, 0),
          _p(2, 1, 1, 1, 1, 2, 0), _p(4, 0, 3, 5, 4, 1, 1)]
VERILATOR = [_p(4, 0, 1, 3, 1, 4, 1), _p(4, 1, 2, 2, 2, 1, 0)]


def _run(sim: str, params: dict, steps: int, seed: int, **kw) -> tuple[int, int]:
    """Write a random peephole file for the build, then run the cocotb test."""
    t = kw.pop("tagname", None) or tag(params)
    build = ROOT / "build" / "sim" / sim / f"{TOP}-{t}"
    build.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 1000)
    words = [rng.getrandbits(3 * params["K"] * params["PEEP_WIDTH"])
             for _ in range(params["LAYERS"] * params["HB"])]
    pfile = build / "peep.mem"
    pfile.write_text("".join(f"{w:x}\n" for w in words))
    hdl = {**params, "PEEP_FILE": f'"{pfile}"'}
    group = rng.choice([params["HLANES"], 2 * params["HLANES"], 4 * params["HLANES"]])
    return run_cocotb(TOP, "test_engine_ewq", sim, hdl,
                      {**params, "STEPS": steps, "SEED": seed, "GROUP": group, "PEEP_INIT": words},
                      tagname=t, **kw)


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_ewq(sim, params):
    _run(sim, params, 150, 1)


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_ewq_slow(sim, params):
    _run(sim, params, 2000, 2)


# Mutants: each must fail the test, or the test proves nothing.
MUTANTS = {
    # the rate rule one cycle short: a block SHARE - 1 cycles after the previous one
    "rate-short": {"engine_ewq.v": ("e_gap <= GAP0;", "e_gap <= GAP0 - 8'd1;")},
    # the new head's state base not awaited
    "no-fresh": {"engine_ewq.v": ("&& !e_fresh && !z_slack[ZAW-1]", "&& !z_slack[ZAW-1]")},
    # a first step reads the stored state instead of zero
    "first-ignored": {"engine_ewq.v": ("e_first ? {K * S_WIDTH{1'b0}} : state_mem",
                                       "1'b0 ? {K * S_WIDTH{1'b0}} : state_mem")},
    # one result too few awaited
    "slack-off-by-one": {"engine_ewq.v": ("z_slack <= -G_Z;", "z_slack <= 1 - G_Z;")},
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_ewq_mutant_fails(mutant):
    sim = mutant_sim("icarus")
    # the set that can show it: HLANES >= G for head-held sends, one lane for a result count
    # (two lanes bring a block's last two results in one cycle)
    params = ICARUS[{"no-fresh": 4, "slack-off-by-one": 0}.get(mutant, 1)]
    n_tests, n_fail = _run(sim, params, 40, 1, tagname=f"mutant-{mutant}-{tag(params)}",
                           mutation=MUTANTS[mutant], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the element-wise queue test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

    from tb.common.stream import TimedMem as Mem, tb_cfg, uint

    @cocotb.test()
    async def ewq_random(dut):
        cfg = tb_cfg()
        k, cell, layers, hb = cfg["K"], cfg["CELL"], cfg["LAYERS"], cfg["HB"]
        hl, share, group = cfg["HLANES"], cfg["SHARE"], cfg["GROUP"]
        pre, sw, pw = cfg["PRE_WIDTH"], cfg["S_WIDTH"], cfg["PEEP_WIDTH"]
        peep = cfg["PEEP"]
        from golden.model import GATES
        g = GATES["lstm" if cell == 0 else "gru"]
        rows = g * hb
        zkw = k * pre
        rng = random.Random(cfg["SEED"])
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        for name in ("ctx_push", "ctx_layer", "ctx_fid", "ctx_first", "ctx_send", "zi_valid",
                     "zi_count", "zi_gh", "zi_row", "zi_data", "st_valid", "st_layer", "st_h",
                     "st_data", "pw_en", "pw_lanes", "pw_addr", "pw_data"):
            getattr(dut, name).value = 0
        dut.rst.value = 1
        for _ in range(3):
            await RisingEdge(dut.clk)

        zmem, smem = Mem(), Mem()
        pmem = Mem({a: w for a, w in enumerate(cfg["PEEP_INIT"])})
        # cycle c's inputs act at edge c (the edge that ends cycle c)
        steps: list[dict] = []      # steps since the last reset
        n_done = 0                  # steps whose blocks were all sent (all resets counted)
        w_step = w_pos = 0          # the hand-off: step, position in its result order
        head = 0                    # the step whose next block is due
        prev_send = None
        st_queue: list[tuple[int, int, int, int]] = []   # (cycle due, layer, h, data)
        expect_blk = None           # (block description) on blk_* this cycle
        stats = dict(full=0, by_z=0, by_rate=0, by_head=0, resets=0, pw=0, sends=0)
        p_push, p_res = 0.5, 0.8
        rst_left = 0
        cyc = 0

        def order(step):
            """A step's results in hand-off order: (kind, row, counts)."""
            ck = 1 if (cell == 1 and step["layer"] == 0) else 0   # the kind that completes a row
            out = []
            for g0 in range(0, rows, group):
                grp = range(g0, min(g0 + group, rows))
                if cell == 1:
                    out += [(1 - ck, r, False) for r in grp]
                out += [(ck, r, True) for r in grp]
            return out

        while n_done < cfg["STEPS"]:
            cyc += 1
            assert cyc < 400 * cfg["STEPS"] * (rows + 8) + 10000, \
                f"stuck: {n_done} of {cfg['STEPS']} steps after {cyc} cycles"
            await FallingEdge(dut.clk)
            if cyc % 300 == 0:
                p_push = rng.choice([0.02, 0.3, 1.0])
                p_res = rng.choice([0.2, 0.7, 1.0])
            # registered outputs: ctx_full and the block sent in the previous cycle
            n_q = sum(1 for s in steps if s["push"] < cyc and not (s.get("pop", cyc) < cyc))
            assert uint(dut.ctx_full.value) == int(n_q >= 4), \
                f"cycle {cyc}: ctx_full {uint(dut.ctx_full.value)} with {n_q} steps queued"
            stats["full"] += n_q >= 4
            valid = uint(dut.blk_valid.value)
            if expect_blk is None:
                assert valid == 0, f"cycle {cyc}: a block sent that the contract does not allow yet"
            else:
                s, h, t = expect_blk
                assert valid == 1, (f"cycle {cyc}: step {s['i']} block {h} not sent in cycle {t} "
                                    f"(the earliest the contract allows)")
                exp_tag = ((int(h == hb - 1) << 28) | (int(h == 0) << 27) | (s["send"] << 26)
                           | (s["fid"] << 24) | (s["layer"] << 16) | h)
                assert uint(dut.blk_tag.value) == exp_tag, \
                    f"cycle {cyc}: tag {uint(dut.blk_tag.value):#x}, expected {exp_tag:#x}"
                zv = uint(dut.blk_z.value)
                for zr in range(6):
                    if zr < g:
                        exp = zmem.read(t, (0, g * h + zr))
                    elif cell == 1:
                        exp = zmem.read(t, (1, g * h + zr - 3))
                    else:
                        exp = 0
                    got = (zv >> (zr * zkw)) & ((1 << zkw) - 1)
                    assert got == exp, (f"cycle {cyc}: step {s['i']} block {h} z word {zr}: "
                                        f"{got:#x}, expected {exp:#x}")
                exp_s = 0 if s["first"] else smem.read(t, (s["layer"], h))
                got_s = uint(dut.blk_s.value) if exp_s is not None else None
                assert got_s == exp_s, \
                    f"cycle {cyc}: step {s['i']} block {h} state {got_s}, expected {exp_s}"
                exp_p = pmem.read(t, s["layer"] * hb + h) if peep else 0
                assert uint(dut.blk_p.value) == exp_p, \
                    f"cycle {cyc}: block {h} peepholes {uint(dut.blk_p.value):#x}, expected {exp_p:#x}"
                st_queue.append((cyc + rng.randint(0, 40), s["layer"], h, rng.getrandbits(k * sw)))
                stats["sends"] += 1
                expect_blk = None

            # inputs of this cycle
            if rst_left == 0 and rng.random() < 0.0007:
                rst_left = rng.randint(1, 2)
                stats["resets"] += 1
            rst = rst_left > 0
            rst_left = max(0, rst_left - 1)
            push = 0
            if not rst and n_q < 4 and rng.random() < p_push and uint(dut.ctx_full.value) == 0:
                st = dict(i=len(steps), layer=rng.randrange(layers), fid=rng.randrange(4),
                          first=int(rng.random() < 0.2), send=int(rng.random() < 0.3),
                          push=cyc, counted=[], sent={})
                st["order"] = order(st)
                steps.append(st)
                push = 1
                dut.ctx_layer.value, dut.ctx_fid.value = st["layer"], st["fid"]
                dut.ctx_first.value, dut.ctx_send.value = st["first"], st["send"]
            dut.ctx_push.value = push
            # the hand-off: HLANES consecutive rows of the current kind pass (aligned)
            zv = zc = zg = 0
            zrow = zdata = 0
            if not rst and w_step < len(steps) and steps[w_step]["push"] < cyc \
                    and rng.random() < p_res:
                s = steps[w_step]
                kind, r0, counts = s["order"][w_pos]
                base = r0 - r0 % hl
                lanes = [(kind, r, c) for (kind2, r, c) in s["order"][w_pos:w_pos + hl]
                         if kind2 == kind and r - r % hl == base]
                prev = steps[w_step - 1] if w_step > 0 else None
                if all(prev is None or (r // g in prev["sent"] and prev["sent"][r // g] < cyc)
                       for (_, r, _) in lanes):
                    for (kd, r, c) in lanes:
                        lane = r % hl
                        val = rng.getrandbits(zkw)
                        zv |= 1 << lane
                        zc |= int(c) << lane
                        zg |= int(kd == 1) << lane
                        zrow |= r << (16 * lane)
                        zdata |= val << (zkw * lane)
                        zmem.write(cyc + 1, (kd, r), val)
                        if c:
                            s["counted"].append(cyc)
                    w_pos += len(lanes)
                    if w_pos == len(s["order"]):
                        w_step, w_pos = w_step + 1, 0
            dut.zi_valid.value, dut.zi_count.value, dut.zi_gh.value = zv, zc, zg
            dut.zi_row.value, dut.zi_data.value = zrow, zdata
            # the unit's state writes
            stv = 0
            if not rst and st_queue and st_queue[0][0] <= cyc:
                _, lay, h, data = st_queue.pop(0)
                dut.st_layer.value, dut.st_h.value, dut.st_data.value = lay, h, data
                smem.write(cyc + 1, (lay, h), data)
                stv = 1
            dut.st_valid.value = stv
            # the load port: a peephole lane write
            pen = int(peep == 1 and rng.random() < 0.01)
            if pen:
                a, ln, d = rng.randrange(layers * hb), rng.randrange(3 * k), rng.getrandbits(pw)
                old = pmem.latest(a)
                m = ((1 << pw) - 1) << (ln * pw)
                pmem.write(cyc, a, (old & ~m) | (d << (ln * pw)))
                dut.pw_lanes.value, dut.pw_addr.value, dut.pw_data.value = 1 << ln, a, d
                stats["pw"] += 1
            dut.pw_en.value = pen
            dut.rst.value = int(rst)

            # the contract's send cycle for the head step's next block
            if rst:
                steps, w_step, w_pos, head, prev_send, st_queue = [], 0, 0, 0, None, []
                continue
            if head < len(steps):
                s = steps[head]
                h = len(s["sent"])
                need = g * (h + 1)
                if len(s["counted"]) >= need:
                    t_z = s["counted"][need - 1] + 2
                    t_rate = prev_send + share if prev_send is not None else 0
                    pop_prev = steps[head - 1]["pop"] if head > 0 else None
                    t_head = max(s["push"] + 2, pop_prev + 2 if pop_prev is not None else 0)
                    t = max(t_z, t_rate, t_head) if h == 0 else max(t_z, t_rate)
                    if cyc == t:
                        # which limit held the send (ties count for both)
                        stats["by_z"] += t == t_z
                        stats["by_rate"] += t == t_rate
                        stats["by_head"] += h == 0 and t == t_head and t > t_z
                        s["sent"][h] = cyc
                        prev_send = cyc
                        expect_blk = (s, h, cyc)
                        if h == hb - 1:
                            s["pop"] = cyc
                            head += 1
                            n_done += 1
        # (the head change alone holds a send only when a block's G results take less than
        # two cycles, HLANES >= G; with one block per step the next step's results wait for
        # the head's last block; a rate of 1 never holds a send)
        for key in ("full", "by_z", "sends") + (("by_head",) if hl >= g and hb > 1 else ()) \
                + (("by_rate",) if share > 1 and hb > 1 else ()) + (("pw",) if peep else ()):
            assert stats[key] > 0, f"coverage: no {key} in {cyc} cycles ({stats})"
        dut._log.info("engine_ewq: %d steps in %d cycles (%s)", n_done, cyc, stats)
