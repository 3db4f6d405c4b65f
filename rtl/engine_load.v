// engine_load: the engine's run-time memory load port (docs/engine.md "Loading a model at run
// time"): handshake, range check and the registered write stage that drives the weight, bias
// and peephole memories (which stay in engine.v).
//
// Function : ld_ready is a register: 1 in the cycle after one with !rst, !run and idle (the
//            caller's "sequencer idle and no frame in flight").  A write is accepted when
//            ld_valid && ld_ready (ld_fire).  It is out of range (ld_bad) when
//              ld_sel 0 (weights)   : ld_addr >= WDEPTH or ld_lane >= WLANES
//              ld_sel 1 (bias)      : ld_addr >= BDEPTH or ld_lane >= K
//              ld_sel 2 (peepholes) : PEEP == 0 or ld_addr >= PDEPTH or ld_lane >= 3*K
//              ld_sel 3             : always
//            An accepted write in range raises exactly one of lw_w / lw_b / lw_p (by ld_sel)
//            for one cycle, one cycle later, with lw_lane_oh the one-hot decode of ld_lane
//            (bit n = (ld_lane == n), NLW bits; all zero for a lane >= NLW), lw_addr = ld_addr
//            and lw_data = ld_data; the caller writes lane n of word lw_addr of the selected
//            memory from lw_data where lw_? && lw_lane_oh[n].  An accepted write out of range
//            writes nothing and pulses load_err (combinational, in the acceptance cycle: the
//            caller's STATUS.LOAD_ERR, sticky in engine_regs).  lw_lane_oh / lw_addr / lw_data
//            are loaded every cycle (meaningful only with a strobe).
// Ports    : clk, rst (core reset: clears ld_ready and the strobes on the next edge), run (the
//            RUN register), idle (sequencer idle and nothing in flight); ld_valid, ld_ready,
//            ld_sel, ld_lane, ld_addr, ld_data (the engine's ld_* port); lw_w, lw_b, lw_p,
//            lw_lane_oh, lw_addr, lw_data (registered write stage); load_err.
// Latency  : ld_ready 1 cycle after run / idle / rst change; a write reaches lw_* 1 cycle after
//            acceptance (and its memory on the edge after that).  One write per cycle.
// Timing   : the range check is address / lane comparisons against constants feeding the
//            strobe registers; the lane decode is NLW constant comparisons into registers, so
//            each memory sees one write port with per-lane enables (constant part-selects).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_load #(
    parameter integer WDEPTH = 64,  // weight memory words
    parameter integer BDEPTH = 16,  // bias memory words
    parameter integer PDEPTH = 8,   // peephole memory words
    parameter integer WLANES = 2,   // weight lanes (N_PE * WPAR)
    parameter integer K      = 4,   // bias lanes; peephole lanes 3*K
    parameter integer PEEP   = 1,   // peepholes present (0: ld_sel 2 is out of range)
    parameter integer NLW    = 12   // one-hot lane enables: max(WLANES, 3*K)
) (
    input  wire           clk,
    input  wire           rst,
    input  wire           run,
    input  wire           idle,
    // load port
    input  wire           ld_valid,
    output wire           ld_ready,
    input  wire [1:0]     ld_sel,     // 0 weights, 1 bias, 2 peepholes
    input  wire [15:0]    ld_lane,    // weights: PE bank; bias/peep: lane in word
    input  wire [31:0]    ld_addr,
    input  wire [31:0]    ld_data,
    // registered write stage
    output reg            lw_w,       // write weights
    output reg            lw_b,       // write bias
    output reg            lw_p,       // write peepholes
    output reg  [NLW-1:0] lw_lane_oh,
    output reg  [31:0]    lw_addr,
    output reg  [31:0]    lw_data,
    // accepted write out of range (one cycle per write)
    output wire           load_err
);
    localparam integer PLANES = 3 * K;
    localparam integer NLW_MIN = (WLANES > PLANES) ? WLANES : PLANES;

    initial begin
        if (WDEPTH < 1 || BDEPTH < 1 || PDEPTH < 1) begin
            $error("%m: memory depths WDEPTH=%0d, BDEPTH=%0d, PDEPTH=%0d must be >= 1",
                   WDEPTH, BDEPTH, PDEPTH);
            $finish;
        end
        if (WLANES < 1 || WLANES > 65536 || K < 1 || PLANES > 65536) begin
            $error("%m: lanes WLANES=%0d, K=%0d out of range (1..65536 lanes, ld_lane is 16 bits)",
                   WLANES, K);
            $finish;
        end
        if (NLW < NLW_MIN || NLW > 65536) begin
            $error("%m: NLW=%0d must cover the widest lane count %0d (and be <= 65536)", NLW,
                   NLW_MIN);
            $finish;
        end
        if (PEEP != 0 && PEEP != 1) begin
            $error("%m: PEEP=%0d must be 0 or 1", PEEP);
            $finish;
        end
    end

    reg ld_ready_reg;
    assign ld_ready = ld_ready_reg;
    wire ld_fire = ld_valid && ld_ready;
    wire [31:0] lane = {16'd0, ld_lane};
    wire ld_bad = (ld_sel == 2'd0) ? (ld_addr >= WDEPTH || lane >= WLANES)
                : (ld_sel == 2'd1) ? (ld_addr >= BDEPTH || lane >= K)
                : (ld_sel == 2'd2) ? (PEEP == 0 || ld_addr >= PDEPTH || lane >= PLANES)
                : 1'b1;
    assign load_err = ld_fire && ld_bad;

    integer ln;
    always @(posedge clk) begin
        ld_ready_reg <= !rst && !run && idle;
        lw_w <= ld_fire && !ld_bad && !rst && ld_sel == 2'd0;
        lw_b <= ld_fire && !ld_bad && !rst && ld_sel == 2'd1;
        lw_p <= ld_fire && !ld_bad && !rst && ld_sel == 2'd2;
        for (ln = 0; ln < NLW; ln = ln + 1) lw_lane_oh[ln] <= (lane == ln);
        lw_addr <= ld_addr;
        lw_data <= ld_data;
    end
endmodule

`resetall
