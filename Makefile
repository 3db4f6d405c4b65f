# E-RNN block-circulant LSTM/GRU accelerator flow.  `make help` lists the targets.
SHELL  := /bin/bash
VENV   := .venv
PY     := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
STAMP  := $(VENV)/.req-hash
PYTEST := $(PY) -m pytest -n 2 --durations=15

.DEFAULT_GOAL := help
.PHONY: help setup run demo test test-slow bench report engine-bench clean synth fmax resources calibrate sim lint pe-resources

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

setup: ## create .venv, link Verilator, install Icarus if missing (idempotent, fast when done)
	@bash scripts/bootstrap.sh

run: setup ## main job: train small model, export, PER float/fixed, RTL engine through the host runtime vs golden (27 min measured from a fresh clone on a quiet machine: README)
	@$(PY) scripts/main_job.py $(RUN_ARGS)

demo: setup ## golden model only: random LSTMP/GRU, float vs bit-accurate report (seconds)
	@$(PY) -m golden.demo

test: setup ## run the test suite (pytest -n 2, slow sweeps in reduced form; a line per RTL bench, the 15 slowest tests)
	@$(PYTEST)

test-slow: setup ## run the full slow sweeps as well
	@$(PYTEST) -m "slow or not slow"

bench: setup ## golden speed, Verilator vs Icarus speed (short), then the report docs/results.md
	@$(PY) bench/golden_speed.py | tee bench/golden_speed.txt
	@$(PY) bench/sim_speed.py
	@$(PY) bench/report.py

report: setup ## regenerate docs/results.md (+ docs/img/report_*.png) from bench/results/*.json
	@$(PY) bench/report.py

engine-bench: setup ## engine cycles/frame vs bounds, lstmp-1024 + gru-1024, Verilator (~30 min)
	@$(PY) bench/engine_cycles.py --out bench/engine_cycles.txt

# RTL simulation and lint (rtl/, tb/): M = one module (tb/<M>), SIM = icarus|verilator (default both).
M     ?=
SIM   ?=
WAVES ?=
RTL_LISTS := $(wildcard rtl/*.f)

sim: setup ## cocotb tests of rtl/ [M=<module>] [SIM=icarus|verilator] [WAVES=1]
	@SIM=$(SIM) $(if $(WAVES),WAVES=$(WAVES)) $(PY) -m pytest -n 2 $(if $(M),tb/$(M),tb)

lint: setup ## verilator --lint-only -Wall and verible-verilog-lint on every rtl/*.f
	@bad=""; for f in $(RTL_LISTS); do top=$$(basename $$f .f); echo "lint $$top"; \
	  verilator --lint-only -Wall --quiet-stats -f $$f --top-module $$top || bad="$$bad $$top"; \
	  verible-verilog-lint --rules_config rtl/.rules.verible_lint $$(grep -v '^[+-]' $$f) \
	    || bad="$$bad $$top(verible)"; done; \
	  if [ -n "$$bad" ]; then echo "lint FAILED:$$bad"; exit 1; fi; echo "lint clean"

pe-resources: setup ## yosys synth_xilinx LUT/FF/DSP of one engine PE (rtl/engine_pe.v) [PE_ARGS="--k 8 --q 128"]
	@$(PY) scripts/pe_resources.py $(PE_ARGS)

# FPGA flow (fpga/): TOP defaults to the engine (rtl/engine.f), else engine_pe, else fft_real.
TOP    ?=
PART   ?= xcku060-ffva1156-2-e
CONFIG ?= tiny
FPGA_ARGS = $(if $(TOP),--top $(TOP)) --config $(CONFIG)

synth: setup ## synthesize [TOP=] [PART=] [CONFIG=name|bundle dir] [CLK_MHZ=]: Vivado if on PATH, else yosys synth_xilinx
	@$(PY) -m fpga synth $(FPGA_ARGS) --part $(PART) $(if $(CLK_MHZ),--clk-mhz $(CLK_MHZ))

# SEEDS: nextpnr placer seeds, e.g. SEEDS=1,2,3: synthesize once, route each seed, report the
# median Fmax (with min and max). Empty (the default): one route with seed 1, as before.
SPEED  ?= 6
SEEDS  ?=
fmax: setup ## routed Fmax and critical path of [TOP=] at [CONFIG=] on ECP5 LFE5U-85F, speed grade [SPEED=6|7|8] (an ECP5 figure); [SEEDS=1,2,3]: median over placer seeds (default: seed 1 only)
	@$(PY) -m fpga fmax $(FPGA_ARGS) --speed $(SPEED)$(if $(SEEDS), --seeds $(SEEDS))

resources: setup ## regenerate docs/resources.md (whole-engine resource model: calibration, held-out check, XCKU060 fit)
	@$(PY) -m fpga model --write docs/resources.md

calibrate: setup ## whole-engine yosys synthesis at the model's calibration sizes -> fpga/engine_calibration.json (~2 h: measured 1 h 53 min on a loaded 2-core machine), then make resources
	@$(PY) -m fpga calibrate --engines

clean: ## remove build outputs (keeps .venv)
	rm -rf build sim_build tb/**/sim_build .pytest_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
