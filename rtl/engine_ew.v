// engine_ew: the engine's element-wise unit: the LSTM (peepholes) or GRU (reset-after) update
// of one hidden block of K units, on L = K / SHARE engine_cell lanes that each take SHARE
// units of the block on SHARE consecutive cycles; bit-exact with golden.cells (engine_cell).
//
// Function : unit u (0..K-1) of a block = engine_cell on word u of every input bus.  The
//            inputs are registered as they arrive (an input register without enable: the
//            producer's memory outputs meet a plain register, nothing else, and need only be
//            valid in the in_valid cycle t0).  The block's SHARE slices j = 0..SHARE-1 (units
//            j*L .. j*L+L-1) go through the L lanes on the cycles t0 + 1 + j, lane l taking unit
//            j*L + l.  Slice 0 comes from the input register, slices 1..SHARE-1 from a block
//            register loaded from it in cycle t0 + 1; a counter (the slice in the lanes, 0 when
//            idle) picks the slice.  The slice number rides with lane 0's tag to
//            the output collector, which registers slices 0..SHARE-2 and presents the whole
//            block, its last slice straight from the lanes, in the cycle that slice leaves them.
//            SHARE = 1: K lanes in lock-step, no block register, counter or collector.
// Formats  : as engine_cell (its header: pre, peep, cell, gate, data; S_WIDTH = cell for the
//            LSTM, data for the GRU).  Buses put unit u at [u*W +: W]:
//            in_z0..in_z5 K x pre: LSTM zi zf zg zo (in_z4, in_z5 unused), GRU gx r z n
//            (in_z0..2) and gh r z n (in_z3..5); in_p 3K x peep: p_i of unit u at
//            [u*PEEP_WIDTH], p_f at [(K+u)*PEEP_WIDTH], p_o at [(2K+u)*PEEP_WIDTH] (unused by the
//            GRU); in_s K x state (c_prev / h_prev); out_a K x data (m / h), out_b K x state
//            (c / h).
// Latency  : out_valid, out_tag (= in_tag), out_a, out_b: LAT + SHARE cycles after in_valid,
//            LAT = engine_cell's latency (30 LSTM, 25 GRU), for that one cycle (the collector is
//            rewritten by the next block's slices).
// Timing   : the unit takes a block every SHARE cycles at most.  in_ready_next high in cycle t:
//            in_valid may be high in cycle t + 1.  It depends on in_valid, the input register's
//            valid and the slice counter only (the counter's next value: low while a block is in
//            the lanes or in the input register, except in its last slice); constantly 1 when
//            SHARE = 1.  So a block presented in cycle t0
//            allows the next one at t0 + SHARE; an in_valid against that rule is ignored (the
//            block is lost).  A producer that registers its block one cycle after deciding to
//            send it (the engine: e_issue, then the e1_* registers) gates the decision with
//            in_ready_next.
// Sharing  : multipliers and activation tables are those of L lanes (engine_cell: 11 and 5 per
//            LSTM lane, 6 and 3 per GRU lane); the cost is the block register ((SHARE-1)/SHARE of
//            the inputs), the SHARE:1 slice multiplexers, the collector ((SHARE-1)/SHARE of the
//            outputs) and SHARE-1 cycles of latency (plus the input register, 1 cycle).
// Bit growth: none here (engine_cell's).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_ew #(
    parameter integer CELL         = 0,   // 0 LSTM, 1 GRU
    parameter integer K            = 8,   // units per block
    parameter integer SHARE        = 1,   // units per lane and block (a power of two dividing K)
    parameter integer DATA_WIDTH   = 16,
    parameter integer DATA_FRAC    = 12,
    parameter integer PRE_WIDTH    = 16,
    parameter integer PRE_FRAC     = 12,
    parameter integer PEEP_WIDTH   = 16,
    parameter integer PEEP_FRAC    = 14,
    parameter integer GATE_WIDTH   = 16,
    parameter integer GATE_FRAC    = 14,
    parameter integer CELL_WIDTH   = 16,
    parameter integer CELL_FRAC    = 12,
    parameter integer ACT_SEG_BITS = 8,
    parameter integer TAG_WIDTH    = 8,
    parameter        SIG_FILE     = "sigmoid.mem",
    parameter        TANH_FILE    = "tanh.mem",
    // state width: c (cell) for the LSTM, h_prev (data) for the GRU
    parameter integer S_WIDTH      = (CELL == 0) ? CELL_WIDTH : DATA_WIDTH
) (
    input  wire                      clk,
    input  wire                      rst,
    input  wire                      in_valid,
    output wire                      in_ready_next,
    input  wire [TAG_WIDTH-1:0]      in_tag,
    input  wire [K*PRE_WIDTH-1:0]    in_z0,
    input  wire [K*PRE_WIDTH-1:0]    in_z1,
    input  wire [K*PRE_WIDTH-1:0]    in_z2,
    input  wire [K*PRE_WIDTH-1:0]    in_z3,
    input  wire [K*PRE_WIDTH-1:0]    in_z4,
    input  wire [K*PRE_WIDTH-1:0]    in_z5,
    input  wire [3*K*PEEP_WIDTH-1:0] in_p,
    input  wire [K*S_WIDTH-1:0]      in_s,
    output wire                      out_valid,
    output wire [TAG_WIDTH-1:0]      out_tag,
    output wire [K*DATA_WIDTH-1:0]   out_a,
    output wire [K*S_WIDTH-1:0]      out_b
);
    localparam integer L = K / SHARE;  // lanes
    localparam integer CB = $clog2(SHARE);  // slice counter bits (0 when SHARE = 1)
    // one unit's inputs {z0, z1, z2, z3, z4, z5, p_i, p_f, p_o, s}: field offsets
    localparam integer O_S = 0;
    localparam integer O_P = O_S + S_WIDTH;  // p_o, p_f, p_i upwards
    localparam integer O_Z = O_P + 3 * PEEP_WIDTH;  // z5 .. z0 upwards
    localparam integer UW = O_Z + 6 * PRE_WIDTH;
    localparam integer SLW = L * UW;  // one slice's inputs
    localparam integer LTW = TAG_WIDTH + CB;  // lane tag: {tag, slice}
    localparam integer ADW = L * DATA_WIDTH;  // one slice of out_a
    localparam integer BDW = L * S_WIDTH;  // one slice of out_b

    initial begin
        if (K < 1 || SHARE < 1 || (1 << CB) != SHARE || K % SHARE != 0 || TAG_WIDTH < 1
                || CELL < 0 || CELL > 1 || S_WIDTH != ((CELL == 0) ? CELL_WIDTH : DATA_WIDTH)) begin
            $error("%m: K=%0d SHARE=%0d TAG_WIDTH=%0d CELL=%0d S_WIDTH=%0d: %s", K, SHARE,
                   TAG_WIDTH, CELL, S_WIDTH,
                   "SHARE must be a power of two dividing K, CELL 0 or 1, S_WIDTH its state width");
            $finish;
        end
    end

    // the block as K unit words, then the input register (blk, in_valid_q, in_tag_q)
    wire [K*UW-1:0] blk_in;
    reg [K*UW-1:0] blk;
    reg in_valid_q;
    reg [TAG_WIDTH-1:0] in_tag_q;
    always @(posedge clk) begin
        in_valid_q <= in_valid && !rst;
        in_tag_q <= in_tag;
        blk <= blk_in;
    end
    genvar u;
    generate
        for (u = 0; u < K; u = u + 1) begin : g_unit
            assign blk_in[u*UW+:UW] = {in_z0[u*PRE_WIDTH+:PRE_WIDTH], in_z1[u*PRE_WIDTH+:PRE_WIDTH],
                                    in_z2[u*PRE_WIDTH+:PRE_WIDTH], in_z3[u*PRE_WIDTH+:PRE_WIDTH],
                                    in_z4[u*PRE_WIDTH+:PRE_WIDTH], in_z5[u*PRE_WIDTH+:PRE_WIDTH],
                                    in_p[u*PEEP_WIDTH+:PEEP_WIDTH], in_p[(K+u)*PEEP_WIDTH+:PEEP_WIDTH],
                                    in_p[(2*K+u)*PEEP_WIDTH+:PEEP_WIDTH], in_s[u*S_WIDTH+:S_WIDTH]};
        end
    endgenerate

    // the slice in the lanes this cycle, and the lanes' outputs
    wire [SLW-1:0] cur;
    wire cur_valid;
    wire [LTW-1:0] cur_tag;
    wire [L-1:0] lane_valid;
    wire [L*LTW-1:0] lane_tag;
    wire [ADW-1:0] lane_a;
    wire [BDW-1:0] lane_b;

    generate
        if (SHARE == 1) begin : g_direct
            assign cur = blk;
            assign cur_valid = in_valid_q;
            assign cur_tag = in_tag_q;
            assign in_ready_next = 1'b1;
            assign out_valid = lane_valid[0];
            assign out_tag = lane_tag[0+:TAG_WIDTH];
            assign out_a = lane_a;
            assign out_b = lane_b;
        end else begin : g_shared
            localparam [31:0] SHARE_M1 = SHARE - 1;
            localparam [CB-1:0] LAST = SHARE_M1[CB-1:0];
            // ---- input side: slice counter (0: idle, or slice 0 from the inputs), block register
            reg [CB-1:0] cnt;
            reg [TAG_WIDTH-1:0] hold_tag;
            wire idle = (cnt == {CB{1'b0}});
            // wraps to 0 after the last slice
            wire [CB-1:0] cnt_next = (!idle || in_valid_q) ? cnt + 1'b1 : cnt;
            always @(posedge clk) begin
                if (rst) cnt <= {CB{1'b0}};
                else cnt <= cnt_next;
                if (idle) hold_tag <= in_tag_q;
            end
            // Each lane selects its own unit of the slice with its own copy of the counter and
            // holds its own units of slices 1..SHARE-1: one counter would drive every lane's
            // multiplexers and hold enables across the die (the lanes spread over it with
            // their multipliers and tables).
            genvar sl;
            for (sl = 0; sl < L; sl = sl + 1) begin : g_sel
                (* keep *) reg [CB-1:0] cnt_l;
                reg [(SHARE-1)*UW-1:0] hold_l;  // this lane's units of slices 1..SHARE-1
                wire idle_l = (cnt_l == {CB{1'b0}});
                integer j;
                always @(posedge clk) begin
                    if (rst) cnt_l <= {CB{1'b0}};
                    else if (!idle_l || in_valid_q) cnt_l <= cnt_l + 1'b1;
                    if (idle_l)
                        for (j = 1; j < SHARE; j = j + 1)
                            hold_l[(j-1)*UW+:UW] <= blk[j*SLW+sl*UW+:UW];
                end
                wire [SHARE*UW-1:0] slices_l = {hold_l, blk[sl*UW+:UW]};
                assign cur[sl*UW+:UW] = slices_l[{{(32 - CB) {1'b0}}, cnt_l}*UW+:UW];
            end
            assign cur_valid = in_valid_q || !idle;
            assign cur_tag = {idle ? in_tag_q : hold_tag, cnt};
            // the input register's rule one cycle ahead: the next cycle's counter, and in_valid
            // (the next cycle's in_valid_q)
            assign in_ready_next = !rst && ((cnt_next == LAST)
                                            || (cnt_next == {CB{1'b0}} && !in_valid));

            // ---- output side: lane 0's tag carries the slice; slices 0..SHARE-2 are collected
            wire [CB-1:0] o_slice = lane_tag[0+:CB];
            reg [(SHARE-1)*ADW-1:0] col_a;
            reg [(SHARE-1)*BDW-1:0] col_b;
            integer c;
            always @(posedge clk) begin
                for (c = 0; c < SHARE - 1; c = c + 1)
                    if (lane_valid[0] && {{(32 - CB) {1'b0}}, o_slice} == c) begin
                        col_a[c*ADW+:ADW] <= lane_a;
                        col_b[c*BDW+:BDW] <= lane_b;
                    end
            end
            assign out_valid = lane_valid[0] && (o_slice == LAST);
            assign out_tag = lane_tag[CB+:TAG_WIDTH];
            assign out_a = {lane_a, col_a};
            assign out_b = {lane_b, col_b};
        end
    endgenerate

    // ---- the lanes
    genvar l;
    generate
        for (l = 0; l < L; l = l + 1) begin : g_lane
            wire [UW-1:0] w = cur[l*UW+:UW];
            engine_cell #(
                .CELL(CELL),
                .DATA_WIDTH(DATA_WIDTH),
                .DATA_FRAC(DATA_FRAC),
                .PRE_WIDTH(PRE_WIDTH),
                .PRE_FRAC(PRE_FRAC),
                .PEEP_WIDTH(PEEP_WIDTH),
                .PEEP_FRAC(PEEP_FRAC),
                .GATE_WIDTH(GATE_WIDTH),
                .GATE_FRAC(GATE_FRAC),
                .CELL_WIDTH(CELL_WIDTH),
                .CELL_FRAC(CELL_FRAC),
                .ACT_SEG_BITS(ACT_SEG_BITS),
                .TAG_WIDTH(LTW),
                .SIG_FILE(SIG_FILE),
                .TANH_FILE(TANH_FILE),
                .S_WIDTH(S_WIDTH)
            ) cell_inst (
                .clk(clk),
                .rst(rst),
                .in_valid(cur_valid),
                .in_tag(cur_tag),
                .in_z0(w[O_Z+5*PRE_WIDTH+:PRE_WIDTH]),
                .in_z1(w[O_Z+4*PRE_WIDTH+:PRE_WIDTH]),
                .in_z2(w[O_Z+3*PRE_WIDTH+:PRE_WIDTH]),
                .in_z3(w[O_Z+2*PRE_WIDTH+:PRE_WIDTH]),  // LSTM zo (the GRU ignores in_z3)
                .in_w0(w[O_Z+2*PRE_WIDTH+:PRE_WIDTH]),  // GRU gh r z n (the LSTM ignores in_w*)
                .in_w1(w[O_Z+PRE_WIDTH+:PRE_WIDTH]),
                .in_w2(w[O_Z+:PRE_WIDTH]),
                .in_p0(w[O_P+2*PEEP_WIDTH+:PEEP_WIDTH]),
                .in_p1(w[O_P+PEEP_WIDTH+:PEEP_WIDTH]),
                .in_p2(w[O_P+:PEEP_WIDTH]),
                .in_s(w[O_S+:S_WIDTH]),
                .out_valid(lane_valid[l]),
                .out_tag(lane_tag[l*LTW+:LTW]),
                .out_a(lane_a[l*DATA_WIDTH+:DATA_WIDTH]),
                .out_b(lane_b[l*S_WIDTH+:S_WIDTH])
            );
        end
        // the lanes run in lock-step: lane 0's valid and tag stand for all of them
        if (L > 1) begin : g_unused
            /* verilator lint_off UNUSEDSIGNAL */
            wire [(L-1)*(LTW+1)-1:0] unused_lanes = {lane_valid[L-1:1], lane_tag[L*LTW-1:LTW]};
            /* verilator lint_on UNUSEDSIGNAL */
        end
    endgenerate
endmodule

`resetall
