// engine_regs: the engine's AXI4-Lite register block: CTRL, STATUS, counters, configuration.
//
// Function : register map in docs/engine.md (8-bit byte addresses, word [7:2] decoded, 32-bit
//            registers, unmapped words read 0).
//            CTRL (0x00): RUN level (`ctrl_run`); SOFT_RESET and CLEAR are one-cycle pulses
//            (`ctrl_soft_rst`, `ctrl_clr`) the cycle after the write.  Only wdata[2:0] with
//            wstrb[0] count; a write elsewhere is acknowledged and ignored.
//            STATUS (0x04): {load_error, next frame starts a sequence, sequencer idle, 0,
//            frame_error, done, busy}; busy, idle and first_step are the engine's (inputs; the
//            engine registers them, so they read one cycle late),
//            done / frame_error / load_error are sticky flags kept here.
//            Counters (32 bits, wrapping): FRAMES and SEQS count stat_frame_end (and
//            stat_seq_end with it), CYCLES stat_active, BEATS stat_beat, IN_STALL, OUT_STALL,
//            IN_WAIT their stat_* conditions; at a frame end LAST_FRAME_CYCLES takes the
//            stat_active cycles since the previous frame end, plus one for the frame-end
//            cycle itself (in the engine stat_active is high then).  rst and CLEAR
//            zero the counters and flags; SOFT_RESET keeps them (a frame end in the soft reset
//            cycle is not counted: the engine's core is being reset).
//            The configuration registers 0x20..0x44 are constants from the parameters (the
//            engine's, same names and defaults).
// Handshake: write: awready = wready = awvalid & wvalid & !bvalid (address and data in the
//            same cycle), bvalid the cycle after, until bready; read: arready = !rvalid,
//            rdata sampled at the address handshake, rvalid the cycle after, until rready.
//            bresp = rresp = OKAY.  One transaction per channel in flight.
// Latency  : registers: 1 cycle from an input event to the counter and flag.
// Reset    : rst (the engine's rst, not the soft reset) clears RUN, bvalid, rvalid, counters
//            and flags; rdata is not reset.
// Bit growth: none (counters wrap at 2^32).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_regs #(
    parameter integer K            = 4,
    parameter integer N_PE         = 2,
    parameter integer WPAR         = 1,
    parameter integer HLANES       = 1,
    parameter integer CELL         = 0,   // 0 LSTM, 1 GRU
    parameter integer LAYERS       = 1,
    parameter integer IN_SIZE      = 16,
    parameter integer HIDDEN       = 32,
    parameter integer PROJ         = 16,
    parameter integer PEEP         = 1,
    parameter integer DATA_WIDTH   = 16,
    parameter integer DATA_FRAC    = 12,
    parameter integer WEIGHT_WIDTH = 16,
    parameter integer WEIGHT_FRAC  = 14,
    parameter integer SPEC_WIDTH   = 20,
    parameter integer SPEC_FRAC    = 12,
    parameter integer PRE_WIDTH    = 16,
    parameter integer PRE_FRAC     = 12,
    parameter integer BIAS_WIDTH   = 16,
    parameter integer BIAS_FRAC    = 12,
    parameter integer PEEP_WIDTH   = 16,
    parameter integer PEEP_FRAC    = 14,
    parameter integer GATE_WIDTH   = 16,
    parameter integer GATE_FRAC    = 14,
    parameter integer CELL_WIDTH   = 16,
    parameter integer CELL_FRAC    = 12,
    parameter integer TW_WIDTH     = 18,
    parameter integer ACT_SEG_BITS = 8,
    parameter integer SRST_COPIES  = 1   // copies of SOFT_RESET, one per consumer group
) (
    input  wire        clk,
    input  wire        rst,
    // AXI4-Lite slave
    input  wire [7:0]  s_axil_awaddr,
    input  wire        s_axil_awvalid,
    output wire        s_axil_awready,
    input  wire [31:0] s_axil_wdata,
    input  wire [3:0]  s_axil_wstrb,
    input  wire        s_axil_wvalid,
    output wire        s_axil_wready,
    output wire [1:0]  s_axil_bresp,
    output reg         s_axil_bvalid,
    input  wire        s_axil_bready,
    input  wire [7:0]  s_axil_araddr,
    input  wire        s_axil_arvalid,
    output wire        s_axil_arready,
    output reg  [31:0] s_axil_rdata,
    output wire [1:0]  s_axil_rresp,
    output reg         s_axil_rvalid,
    input  wire        s_axil_rready,
    // CTRL
    output wire        ctrl_run,        // RUN (level)
    output wire        ctrl_soft_rst,   // SOFT_RESET (one-cycle pulse)
    // the same pulse from SRST_COPIES kept registers: each consumer group's reset comes from
    // its own copy, so that no one register drives the resets of the whole engine
    output wire [SRST_COPIES-1:0] ctrl_soft_rst_copy,
    output wire        ctrl_clr,        // CLEAR (one-cycle pulse; counters cleared here)
    // STATUS levels (read as they are)
    input  wire        stat_busy,
    input  wire        stat_idle,        // sequencer idle
    input  wire        stat_first_step,  // the next frame starts a sequence
    // events and conditions, counted or flagged once per cycle they are high
    input  wire        stat_active,      // CYCLES, LAST_FRAME_CYCLES
    input  wire        stat_beat,        // BEATS: a MAC beat issued
    input  wire        stat_in_stall,    // IN_STALL: s_axis_tvalid and not tready
    input  wire        stat_out_stall,   // OUT_STALL: m_axis_tvalid and not tready
    input  wire        stat_in_wait,     // IN_WAIT: idle in a sequence, no input frame loaded
    input  wire        stat_tlast_err,   // STATUS.frame_error: tlast on a beat not ending a frame
    input  wire        stat_load_err,    // STATUS.load_error: a load write out of range
    input  wire        stat_frame_end,   // FRAMES: the last output block of a frame pushed
    input  wire        stat_seq_end      // SEQS, STATUS.done: with stat_frame_end, a sequence's end
);
`include "engine_regmap.vh"
    localparam [31:0] CFG_K = K | (WPAR << 8) | (N_PE << 16);
    localparam [31:0] CFG_CELL = CELL | (PEEP << 4) | (LAYERS << 8) | (HLANES << 16);
    localparam [31:0] CFG_IN = IN_SIZE;
    localparam [31:0] CFG_HID = HIDDEN | (PROJ << 16);
    localparam [31:0] FMT_DATA = DATA_WIDTH | (DATA_FRAC << 8) | (WEIGHT_WIDTH << 16) | (WEIGHT_FRAC << 24);
    localparam [31:0] FMT_SPEC = SPEC_WIDTH | (SPEC_FRAC << 8) | (PRE_WIDTH << 16) | (PRE_FRAC << 24);
    localparam [31:0] FMT_BIAS = BIAS_WIDTH | (BIAS_FRAC << 8) | (PEEP_WIDTH << 16) | (PEEP_FRAC << 24);
    localparam [31:0] FMT_GATE = GATE_WIDTH | (GATE_FRAC << 8) | (CELL_WIDTH << 16) | (CELL_FRAC << 24);
    localparam [31:0] FMT_MISC = TW_WIDTH | (ACT_SEG_BITS << 8);

    reg run_reg, soft_rst_reg, clr_reg;
    reg done_reg, frame_err_reg, load_err_reg;
    reg [31:0] frames_cnt, seqs_cnt, cycles_cnt, beats_cnt, in_stall_cnt, out_stall_cnt;
    reg [31:0] in_wait_cnt, frame_cycles, last_frame_cycles;
    assign ctrl_run = run_reg;
    assign ctrl_soft_rst = soft_rst_reg;
    assign ctrl_clr = clr_reg;
    // CTRL and STATUS read words, each field at its bit from engine_regmap.vh (CTRL's
    // SOFT_RESET and CLEAR are pulses: they read 0)
    wire [31:0] ctrl_word = {31'd0, run_reg} << CTRL_RUN;
    wire [31:0] status_word = ({31'd0, stat_busy} << STATUS_BUSY)
                            | ({31'd0, done_reg} << STATUS_DONE)
                            | ({31'd0, frame_err_reg} << STATUS_FRAME_ERROR)
                            | ({31'd0, stat_idle} << STATUS_IDLE)
                            | ({31'd0, stat_first_step} << STATUS_SEQ_START)
                            | ({31'd0, load_err_reg} << STATUS_LOAD_ERROR);

    wire wr_fire = s_axil_awvalid && s_axil_wvalid && !s_axil_bvalid;
    // soft_rst_reg's next value (the CTRL write's SOFT_RESET bit), for the copies
    wire srst_next = !rst && wr_fire && s_axil_awaddr[7:2] == REG_CTRL && s_axil_wstrb[0]
                     && s_axil_wdata[CTRL_SOFT_RESET];
    genvar sc;
    generate
        for (sc = 0; sc < SRST_COPIES; sc = sc + 1) begin : g_srst
            (* keep *) reg copy_reg;
            always @(posedge clk) copy_reg <= srst_next;
            assign ctrl_soft_rst_copy[sc] = copy_reg;
        end
    endgenerate
    assign s_axil_awready = wr_fire;
    assign s_axil_wready = wr_fire;
    assign s_axil_bresp = 2'b00;
    assign s_axil_arready = !s_axil_rvalid;
    assign s_axil_rresp = 2'b00;
    always @(posedge clk) begin
        soft_rst_reg <= 1'b0;
        clr_reg <= 1'b0;
        if (rst) begin
            run_reg <= 1'b0;
            s_axil_bvalid <= 1'b0;
            s_axil_rvalid <= 1'b0;
        end else begin
            if (s_axil_bvalid && s_axil_bready) s_axil_bvalid <= 1'b0;
            if (wr_fire) begin
                s_axil_bvalid <= 1'b1;
                if (s_axil_awaddr[7:2] == REG_CTRL && s_axil_wstrb[0]) begin
                    run_reg <= s_axil_wdata[CTRL_RUN];
                    soft_rst_reg <= s_axil_wdata[CTRL_SOFT_RESET];
                    clr_reg <= s_axil_wdata[CTRL_CLEAR];
                end
            end
            if (s_axil_rvalid && s_axil_rready) s_axil_rvalid <= 1'b0;
            if (s_axil_arvalid && !s_axil_rvalid) begin
                s_axil_rvalid <= 1'b1;
                case (s_axil_araddr[7:2])
                    REG_CTRL: s_axil_rdata <= ctrl_word;
                    REG_STATUS: s_axil_rdata <= status_word;
                    REG_FRAMES: s_axil_rdata <= frames_cnt;
                    REG_SEQS: s_axil_rdata <= seqs_cnt;
                    REG_CYCLES: s_axil_rdata <= cycles_cnt;
                    REG_BEATS: s_axil_rdata <= beats_cnt;
                    REG_IN_STALL: s_axil_rdata <= in_stall_cnt;
                    REG_OUT_STALL: s_axil_rdata <= out_stall_cnt;
                    REG_CFG_K: s_axil_rdata <= CFG_K;
                    REG_CFG_CELL: s_axil_rdata <= CFG_CELL;
                    REG_CFG_IN: s_axil_rdata <= CFG_IN;
                    REG_CFG_HID: s_axil_rdata <= CFG_HID;
                    REG_FMT_DATA: s_axil_rdata <= FMT_DATA;
                    REG_FMT_SPEC: s_axil_rdata <= FMT_SPEC;
                    REG_FMT_BIAS: s_axil_rdata <= FMT_BIAS;
                    REG_FMT_GATE: s_axil_rdata <= FMT_GATE;
                    REG_FMT_MISC: s_axil_rdata <= FMT_MISC;
                    REG_ID: s_axil_rdata <= ENGINE_ID;
                    REG_LAST_FRAME_CYCLES: s_axil_rdata <= last_frame_cycles;
                    REG_IN_WAIT: s_axil_rdata <= in_wait_cnt;
                    default: s_axil_rdata <= 32'd0;
                endcase
            end
        end
    end

    // status and counters (soft reset keeps them; CTRL bit 2 clears them).  rst is handled
    // first, so `!soft_rst_reg` is engine.v's `!core_rst` (core_rst = rst | soft reset).
    always @(posedge clk) begin
        if (rst || clr_reg) begin
            done_reg <= 1'b0;
            frame_err_reg <= 1'b0;
            load_err_reg <= 1'b0;
            frames_cnt <= 32'd0;
            seqs_cnt <= 32'd0;
            cycles_cnt <= 32'd0;
            beats_cnt <= 32'd0;
            in_stall_cnt <= 32'd0;
            out_stall_cnt <= 32'd0;
            in_wait_cnt <= 32'd0;
            frame_cycles <= 32'd0;
            last_frame_cycles <= 32'd0;
        end else begin
            if (stat_active) cycles_cnt <= cycles_cnt + 32'd1;
            if (stat_beat) beats_cnt <= beats_cnt + 32'd1;
            if (stat_in_stall) in_stall_cnt <= in_stall_cnt + 32'd1;
            if (stat_out_stall) out_stall_cnt <= out_stall_cnt + 32'd1;
            if (stat_in_wait) in_wait_cnt <= in_wait_cnt + 32'd1;
            if (stat_tlast_err) frame_err_reg <= 1'b1;
            if (stat_load_err) load_err_reg <= 1'b1;
            if (stat_active) frame_cycles <= frame_cycles + 32'd1;
            if (stat_frame_end && !soft_rst_reg) begin
                frames_cnt <= frames_cnt + 32'd1;
                last_frame_cycles <= frame_cycles + 32'd1;
                frame_cycles <= 32'd0;
                if (stat_seq_end) begin
                    seqs_cnt <= seqs_cnt + 32'd1;
                    done_reg <= 1'b1;
                end
            end
        end
    end

    // CTRL uses wdata[2:0] of byte lane 0 only; the byte offset carries no information
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = &{1'b0, s_axil_wstrb[3:1], s_axil_awaddr[1:0], s_axil_araddr[1:0],
                    s_axil_wdata[31:3]};
    /* verilator lint_on UNUSEDSIGNAL */
endmodule

`resetall
