// engine_hlanes: the engine's hand-off stage: HLANES engine_handoff lanes that turn the
// blocks draining from the PE chains into gate results (z) and projection results (r_t),
// their bias memory, and the queue that hands the projection results to the recurrence path.
//
// Function : in each drain cycle (in_shift) lane c takes chain c's block (in_acc lane c):
//            row in_row + c of the pass, or in the projection pass the partial sum at chain
//            position ((in_pos / PS) * HLANES + c) * PS + in_pos % PS of a split row (PS
//            partials per row, added exactly by the lane).  Each lane reads the bias word of
//            its row (in_bbase + row) from the bias memory (BIAS_FILE, lane-written by the load
//            port bw_*).  All lanes run in lock-step, LATENCY cycles (engine_handoff's) after
//            the block that completes a row:
//            - gate rows (kind 0 / 1, row < ROWS) leave on zi_* (lane c: row c modulo HLANES)
//              with zi_count set for the accumulation that completes a row (LSTM: kind 0;
//              GRU: kind 1 = gh on layer 0, kind 0 = gx on the others, whose recurrent blocks
//              run first) and zi_gh for GRU gh rows;
//            - projection rows (kind 2, row < RB) leave on pj_*: with one lane directly (the
//              engine never has them meet an element-wise output), with HLANES lanes through
//              a queue of lane steps emptied one row per cycle in row order in the cycles
//              rec_busy is low (the element-wise output has the recurrence path then).
// Formats  : engine_handoff's (accumulators ACC_WIDTH exact; z K x pre; r_t K x data; bias
//            words K x BMW at pre's fractional bits).
// Latency  : zi_* and (HLANES = 1) pj_* engine_handoff LATENCY cycles after the row's last
//            block; with HLANES > 1 pj_* at the earliest one cycle after the lane step is queued.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_hlanes #(
    parameter integer K           = 4,
    parameter integer HLANES      = 1,
    parameter integer PS          = 1,
    parameter integer CELL        = 0,
    parameter integer PROJ        = 0,    // > 0: the model has a projection (kind 2 passes)
    parameter integer ROWS        = 8,    // gate rows (with a bias)
    parameter integer RB          = 2,    // projection rows (r_t blocks)
    parameter integer BDEPTH      = 8,    // bias memory words
    parameter integer ACC_WIDTH   = 40,
    parameter integer DATA_WIDTH  = 16,
    parameter integer DATA_FRAC   = 12,
    parameter integer WEIGHT_FRAC = 14,
    parameter integer SPEC_WIDTH  = 20,
    parameter integer SPEC_FRAC   = 12,
    parameter integer PRE_WIDTH   = 16,
    parameter integer PRE_FRAC    = 12,
    parameter integer BIAS_WIDTH  = 16,
    parameter integer BIAS_FRAC   = 12,
    parameter integer TW_WIDTH    = 18,
    parameter        BIAS_FILE   = "bias.mem",
    // bias word lane: the bias re-aligned to pre's fractional bits (offline)
    parameter integer BMW         = BIAS_WIDTH + ((PRE_FRAC > BIAS_FRAC) ? PRE_FRAC - BIAS_FRAC
                                                                         : BIAS_FRAC - PRE_FRAC) + 1
) (
    input  wire                           clk,
    input  wire                           rst,
    // the drain (engine_array)
    input  wire [HLANES*K*ACC_WIDTH-1:0]  ch_acc,
    input  wire                           ch_shift,
    input  wire [31:0]                    ch_row,
    input  wire [31:0]                    ch_pos,
    input  wire [31:0]                    ch_bbase,
    input  wire [1:0]                     ch_kind,
    input  wire [7:0]                     ch_layer,
    input  wire [1:0]                     ch_fid,
    input  wire                           ch_send,
    // gate results (engine_ewq)
    output wire [HLANES-1:0]              zi_valid,
    output wire [HLANES-1:0]              zi_count,
    output wire [HLANES-1:0]              zi_gh,
    output wire [HLANES*16-1:0]           zi_row,
    output wire [HLANES*K*PRE_WIDTH-1:0]  zi_data,
    // projection results (engine_rec)
    input  wire                           rec_busy,
    output wire                           pj_valid,
    output wire [7:0]                     pj_layer,
    output wire [1:0]                     pj_fid,
    output wire                           pj_send,
    output wire [15:0]                    pj_row,
    output wire                           pj_blk0,   // pj_row == 0
    output wire                           pj_last,   // pj_row == RB - 1
    output wire [K*DATA_WIDTH-1:0]        pj_data,
    // bias load (one-hot lanes)
    input  wire                           bw_en,
    input  wire [K-1:0]                   bw_lanes,
    input  wire [31:0]                    bw_addr,
    input  wire [BMW-1:0]                 bw_data
);
    localparam integer BWORD = K * BMW;
    localparam integer BAW = (BDEPTH > 1) ? $clog2(BDEPTH) : 1;  // bias memory address

    initial begin
        if (K < 2 || HLANES < 1 || (HLANES & (HLANES - 1)) != 0 || PS < 1 || ROWS < 1
                || ROWS > 65535 || RB < 1 || BDEPTH < 1 || CELL < 0 || CELL > 1) begin
            $error("%m: K=%0d HLANES=%0d PS=%0d ROWS=%0d RB=%0d BDEPTH=%0d CELL=%0d out of range",
                   K, HLANES, PS, ROWS, RB, BDEPTH, CELL);
            $finish;
        end
    end

    reg [BWORD-1:0] bias_mem[0:BDEPTH-1];
    initial $readmemh(BIAS_FILE, bias_mem);
    integer ln;
    always @(posedge clk) begin
        for (ln = 0; ln < K; ln = ln + 1)
            if (bw_en && bw_lanes[ln]) bias_mem[bw_addr[BAW-1:0]][ln*BMW+:BMW] <= bw_data;
    end

    // (engine_handoff, one per lane) the block leaving the chain (a split projection row: the
    // sum of its PS partial accumulations) -> RND/SAT to spec -> ifft_herm -> RND/SAT to pre ->
    // + bias (SAT) = z, and pre -> RND/SAT to data (projection rows' r_t); all lanes run in
    // lock-step, results LATENCY cycles later.  Lane c's rows are c modulo HLANES: row
    // ch_row + c, or for a split projection row (ch_pos / PS) * HLANES + c, passed to the lane
    // as the chain position ((ch_pos / PS) * HLANES + c) * PS + ch_pos % PS.
    // hand-off tag fields: {sequence end, frame id, layer, kind}
    // the row-range flags are computed from the drain registers at the lane's input and ride
    // in the tag, so that nothing compares a row after the lanes (their outputs go far across
    // the die to the element-wise queue and the recurrence path)
    localparam integer HT_KIND = 0, HT_LAYER = 2, HT_FID = 10, HT_SEND = 12;
    localparam integer HT_GOK = 13, HT_POK = 14, HT_BLK0 = 15, HT_LAST = 16, HTW = 17;
    localparam integer HLW = (HLANES > 1) ? $clog2(HLANES) : 1;
    wire [HLANES-1:0] res_proj_l, res_blk0_l, res_last_l;
    // (lanes run in lock-step: lane 0's tag and row stand for a lane step's projection rows)
    /* verilator lint_off UNUSEDSIGNAL */
    wire [HLANES*HTW-1:0] res_tag_l;
    wire [HLANES*16-1:0] res_row_l;
    /* verilator lint_on UNUSEDSIGNAL */
    wire [HLANES*K*DATA_WIDTH-1:0] res_r_l;
    genvar hc;
    generate
        for (hc = 0; hc < HLANES; hc = hc + 1) begin : g_handoff
            /* verilator lint_off UNUSEDSIGNAL */
            wire [31:0] pos32 = ((ch_pos / PS) * HLANES + hc) * PS + ch_pos % PS;
            /* verilator lint_on UNUSEDSIGNAL */
            wire [15:0] pos_c = pos32[15:0];
            // the row the lane will report: in_row, or pos / PS for a split projection row
            /* verilator lint_off UNUSEDSIGNAL */
            wire [31:0] row32 = (ch_kind == 2'd2 && PS > 1) ? pos32 / PS : ch_row + hc;
            /* verilator lint_on UNUSEDSIGNAL */
            wire [15:0] row_c = row32[15:0];
            wire gok = ({16'd0, row_c} < ROWS), pok = ({16'd0, row_c} < RB);
            wire blk0 = (row_c == 16'd0), last = ({16'd0, row_c} == RB - 1);
            /* verilator lint_off UNUSEDSIGNAL */
            wire [31:0] bias_addr;  // layer * BROWS + (gh rows ? ROWS : 0) + row
            /* verilator lint_on UNUSEDSIGNAL */
            reg [BWORD-1:0] bias_rd;  // the bias word, one cycle after its address
            always @(posedge clk) bias_rd <= bias_mem[bias_addr[BAW-1:0]];
            wire res_valid;
            wire [HTW-1:0] res_tag;
            wire [15:0] res_row;
            wire [K*PRE_WIDTH-1:0] res_z;
            engine_handoff #(
                .K(K),
                .ACC_WIDTH(ACC_WIDTH),
                .DATA_WIDTH(DATA_WIDTH),
                .DATA_FRAC(DATA_FRAC),
                .WEIGHT_FRAC(WEIGHT_FRAC),
                .SPEC_WIDTH(SPEC_WIDTH),
                .SPEC_FRAC(SPEC_FRAC),
                .PRE_WIDTH(PRE_WIDTH),
                .PRE_FRAC(PRE_FRAC),
                .BIAS_WIDTH(BIAS_WIDTH),
                .BIAS_FRAC(BIAS_FRAC),
                .TW_WIDTH(TW_WIDTH),
                .PS(PS),
                .ROWS(ROWS),
                .ROW_WIDTH(16),
                .BADDR_WIDTH(32),
                .TAG_WIDTH(HTW)
            ) handoff_inst (
                .clk(clk),
                .rst(rst),
                .in_valid(ch_shift),
                .in_acc(ch_acc[hc*K*ACC_WIDTH+:K*ACC_WIDTH]),
                .in_proj(ch_kind == 2'd2),
                .in_pos(pos_c),
                .in_row(ch_row[15:0] + hc),
                .in_bbase(ch_bbase),
                .in_tag({last, blk0, pok, gok, ch_send, ch_fid, ch_layer, ch_kind}),
                .bias_addr(bias_addr),
                .bias_word(bias_rd),
                .out_valid(res_valid),
                .out_tag(res_tag),
                .out_row(res_row),
                .out_z(res_z),
                .out_data(res_r_l[hc*K*DATA_WIDTH+:K*DATA_WIDTH])
            );
            wire [1:0] res_kind = res_tag[HT_KIND+:2];
            wire [7:0] res_layer = res_tag[HT_LAYER+:8];
            // a row is complete with its last accumulation: LSTM the one (kind 0); GRU gh
            // (kind 1) on layer 0, gx (kind 0) on the others (recurrent blocks first)
            wire [1:0] z_kind = (CELL == 0 || res_layer != 0) ? 2'd0 : 2'd1;
            wire res_gate = res_valid && res_kind != 2'd2 && res_tag[HT_GOK];
            assign res_proj_l[hc] = (PROJ > 0) && res_valid && res_kind == 2'd2 && res_tag[HT_POK];
            assign res_blk0_l[hc] = res_tag[HT_BLK0];
            assign res_last_l[hc] = res_tag[HT_LAST];
            assign res_tag_l[hc*HTW+:HTW] = res_tag;
            assign res_row_l[hc*16+:16] = res_row;
            assign zi_valid[hc] = res_gate;
            assign zi_count[hc] = (res_kind == z_kind);
            assign zi_gh[hc] = (res_kind == 2'd1);
            assign zi_row[hc*16+:16] = res_row;
            assign zi_data[hc*K*PRE_WIDTH+:K*PRE_WIDTH] = res_z;
        end
    endgenerate
    // projection results r_t: with one lane straight to the recurrence FFT (they never meet
    // an element-wise output there); with HLANES lanes a queue of lane steps, emptied one row
    // per cycle in row order, after the element-wise outputs (which take precedence)
    wire [HTW-1:0] pj_tag;
    generate
        if (HLANES == 1) begin : g_pj_direct
            assign pj_valid = res_proj_l[0];
            assign pj_blk0 = res_blk0_l[0];
            assign pj_last = res_last_l[0];
            assign pj_tag = res_tag_l;
            assign pj_row = res_row_l;
            assign pj_data = res_r_l;
        end else begin : g_pj_queue
            localparam integer PQD = 1 << $clog2((RB + HLANES - 1) / HLANES + 2);
            localparam integer PQW = $clog2(PQD);
            // entry {lanes' block-0 and last flags, lanes with a row < RB, lane 0's tag and
            // row, the lanes' data}
            localparam integer PEW = 3 * HLANES + HTW + 16 + HLANES * K * DATA_WIDTH;
            reg [PEW-1:0] pq_mem[0:PQD-1];
            reg [PQW:0] pq_wr, pq_rd;
            reg [HLW-1:0] pq_lane;
            wire pq_push = |res_proj_l;
            wire pq_any = (pq_wr != pq_rd);
            wire [PEW-1:0] pq_head = pq_mem[pq_rd[PQW-1:0]];
            wire [HLANES-1:0] pq_mask = pq_head[PEW-1-2*HLANES-:HLANES];
            localparam [31:0] HL_M1 = HLANES - 1;
            wire pq_lane_last = (pq_lane == HL_M1[HLW-1:0]);
            wire pq_go = pq_any && !rec_busy;  // a cycle the recurrence FFT is free
            always @(posedge clk) begin
                if (pq_push)
                    pq_mem[pq_wr[PQW-1:0]] <= {res_blk0_l, res_last_l, res_proj_l,
                                               res_tag_l[0+:HTW], res_row_l[0+:16],
                                               res_r_l};
                if (rst) begin
                    pq_wr <= 0;
                    pq_rd <= 0;
                    pq_lane <= 0;
                end else begin
                    if (pq_push) pq_wr <= pq_wr + 1'b1;
                    if (pq_go) begin
                        pq_lane <= pq_lane_last ? {HLW{1'b0}} : pq_lane + 1'b1;
                        if (pq_lane_last) pq_rd <= pq_rd + 1'b1;
                    end
                end
            end
            wire [HLANES-1:0] pq_last = pq_head[PEW-1-HLANES-:HLANES];
            wire [HLANES-1:0] pq_blk0 = pq_head[PEW-1-:HLANES];
            assign pj_valid = pq_go && pq_mask[pq_lane];
            assign pj_blk0 = pq_blk0[pq_lane];
            assign pj_last = pq_last[pq_lane];
            assign pj_tag = pq_head[HLANES*K*DATA_WIDTH+16+:HTW];
            assign pj_row = pq_head[HLANES*K*DATA_WIDTH+:16] + {{(16 - HLW) {1'b0}}, pq_lane};
            assign pj_data = pq_head[pq_lane*K*DATA_WIDTH+:K*DATA_WIDTH];
        end
    endgenerate
    assign pj_layer = pj_tag[HT_LAYER+:8];
    assign pj_fid = pj_tag[HT_FID+:2];
    assign pj_send = pj_tag[HT_SEND];

    // the bias and load addresses are 32-bit words of which the memory depth's bits matter;
    // chain rows and positions fit the lanes' 16 bits; rec_busy matters only with HLANES > 1
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = &{1'b0, bw_addr, ch_row[31:16], ch_pos[31:16], rec_busy};
    /* verilator lint_on UNUSEDSIGNAL */
endmodule

`resetall
