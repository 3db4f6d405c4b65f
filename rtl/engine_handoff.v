// engine_handoff: one hand-off lane of the engine: a row block of exact frequency-domain
// accumulations in, its gate pre-activations (or projection data) out
// (golden.circulant.CirculantFixed.finish, docs/numerics.md steps 7-10 and 16).
//
// Function : each valid input is one block leaving the PE chain: K accumulator lanes in
//            pack_half_spectrum order (lane 0 = Re A[0], lane 1 = Re A[K/2], lanes 2w, 2w+1 =
//            Re, Im A[w]).  A split projection row (PS > 1 and in_proj) arrives as PS partial
//            sums on chain positions in_pos = i*PS .. i*PS+PS-1 (valid inputs in that order,
//            gaps allowed); the reduction register adds them exactly (first: pos % PS == 0,
//            last: pos % PS == PS-1; a row whose last partial never comes is dropped, the
//            next first partial restarts the sum).  Other inputs are whole rows.  A row then:
//              S = RND/SAT(A, spec)                    (round_sat, shift DATA_FRAC+WEIGHT_FRAC-SPEC_FRAC)
//              y = ifft_herm(S)                        (unscaled, K real words)
//              pre = RND/SAT(y, pre)                   (round_sat)
//              out_z    = SAT(pre + bias, pre)         (round_sat, shift 0)
//              out_data = RND/SAT(pre, data)           (round_sat: projection rows' r_t)
//            bias = the caller's bias word for bias_addr, or 0 for projection rows and for
//            rows >= ROWS (padding of the last PE group).  Both outputs are produced for every
//            row; the caller keeps the one it needs.
//            Row: in_row, or for a split projection row in_pos / PS.  bias_addr = in_bbase + row.
//            in_tag travels with the row, opaque (the caller names its fields); a split row
//            carries the tag and in_bbase of its last partial.  The module has no state
//            besides its pipeline: several lanes may run side by side.
// Formats  : in_acc K x sACC_WIDTH.(DATA_FRAC+WEIGHT_FRAC), exact (the caller sizes ACC_WIDTH
//            so that a row's sum fits; the reduction adds modulo 2^ACC_WIDTH);
//            bias_word K x sBMW.PRE_FRAC, BMW = BIAS_WIDTH + |PRE_FRAC - BIAS_FRAC| + 1 (the
//            bias re-aligned to pre's fractional bits offline, golden engine_layout);
//            spec sSPEC_WIDTH.SPEC_FRAC; IFFT output s(SPEC_WIDTH+log2 K).SPEC_FRAC;
//            out_z K x sPRE_WIDTH.PRE_FRAC; out_data K x sDATA_WIDTH.DATA_FRAC.
// Latency  : LATENCY = IFFT_LATENCY + 4 cycles from the input that completes a row (its last
//            partial) to out_valid: reduction register 1, spec rounding register 1, ifft_herm
//            (K=2: 2, K >= 4: 6*log2(K) - 9), pre rounding register 1, bias add / data rounding
//            register 1 (K=4: 7, K=8: 13, K=16: 19).  II = 1 (one block per cycle, no enable,
//            no back-pressure).
// Timing   : bias_addr is a register, valid 1 cycle after the row's last input; the caller
//            presents its bias word on bias_word 1 cycle later (2 cycles after that input):
//            the registered output of a synchronous-read memory addressed by bias_addr
//            (read latency 1).  Each stage holds one adder (reduction; rounding add of
//            round_sat; bias add + saturation), the IFFT stages are fft_dit's.
// Bit growth: reduction none (exact in ACC_WIDTH); IFFT +log2 K, saturating per stage; every
//            rounding point is a round_sat (RND, SAT).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_handoff #(
    parameter integer K           = 4,
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
    parameter integer PS          = 1,    // partial sums per split projection row (power of 2)
    parameter integer ROWS        = 16,   // rows with a bias (gate rows); rows >= ROWS: padding
    parameter integer ROW_WIDTH   = 16,   // in_row, in_pos, out_row
    parameter integer BADDR_WIDTH = 32,   // in_bbase, bias_addr
    parameter integer TAG_WIDTH   = 1     // in_tag, out_tag (opaque)
) (
    input  wire                                clk,
    input  wire                                rst,
    // one block leaving the chain per valid cycle
    input  wire                                in_valid,
    input  wire [K*ACC_WIDTH-1:0]              in_acc,
    input  wire                                in_proj,   // projection row: no bias, split by PS
    input  wire [ROW_WIDTH-1:0]                in_pos,    // chain position (split rows)
    input  wire [ROW_WIDTH-1:0]                in_row,
    input  wire [BADDR_WIDTH-1:0]              in_bbase,  // bias address of the pass's row 0
    input  wire [TAG_WIDTH-1:0]                in_tag,
    // bias read: word for bias_addr, one cycle after bias_addr (synchronous read)
    output wire [BADDR_WIDTH-1:0]              bias_addr,
    input  wire [K*(BIAS_WIDTH+((PRE_FRAC > BIAS_FRAC) ? PRE_FRAC - BIAS_FRAC
                                                         : BIAS_FRAC - PRE_FRAC)+1)-1:0] bias_word,
    // one row result per valid cycle
    output wire                                out_valid,
    output wire [TAG_WIDTH-1:0]                out_tag,
    output wire [ROW_WIDTH-1:0]                out_row,
    output wire [K*PRE_WIDTH-1:0]              out_z,
    output wire [K*DATA_WIDTH-1:0]             out_data
);
    localparam integer K2 = K / 2;
    localparam integer LOG2K = $clog2(K);
    localparam integer SPEC_SHIFT = DATA_FRAC + WEIGHT_FRAC - SPEC_FRAC;
    localparam integer IOW = SPEC_WIDTH + LOG2K;  // IFFT output width
    localparam integer BSH = (PRE_FRAC > BIAS_FRAC) ? PRE_FRAC - BIAS_FRAC : BIAS_FRAC - PRE_FRAC;
    localparam integer BMW = BIAS_WIDTH + BSH + 1;  // bias re-aligned to pre's frac (offline)
    localparam integer BWORD = K * BMW;
    localparam [ROW_WIDTH-1:0] PS_R = PS[ROW_WIDTH-1:0];
    localparam [ROW_WIDTH-1:0] ROWS_R = ROWS[ROW_WIDTH-1:0];

    initial begin
        if (K < 2 || K > 32 || (1 << LOG2K) != K) begin
            $error("%m: K=%0d must be a power of two in 2..32", K);
            $finish;
        end
        if (PS < 1 || (PS & (PS - 1)) != 0 || ROW_WIDTH < 1 || ROW_WIDTH > 31 || PS >= (1 << ROW_WIDTH)
                || ROWS < 1 || ROWS >= (1 << ROW_WIDTH) || BADDR_WIDTH < ROW_WIDTH || TAG_WIDTH < 1) begin
            $error("%m: bad PS=%0d (a power of two), ROWS=%0d, ROW_WIDTH=%0d, BADDR_WIDTH=%0d, TAG_WIDTH=%0d",
                   PS, ROWS, ROW_WIDTH, BADDR_WIDTH, TAG_WIDTH);
            $finish;
        end
        if (SPEC_SHIFT >= ACC_WIDTH || SPEC_WIDTH < 2 || PRE_WIDTH < 2 || DATA_WIDTH < 2
                || BIAS_WIDTH < 2) begin
            $error("%m: formats out of range (ACC_WIDTH %0d, spec shift %0d, spec %0d, pre %0d, data %0d)",
                   ACC_WIDTH, SPEC_SHIFT, SPEC_WIDTH, PRE_WIDTH, DATA_WIDTH);
            $finish;
        end
    end

    // ------------------------------------------------------------------ reduction register
    // the block entering, or for a split projection row the sum of its PS partial sums
    // (consecutive chain positions)
    wire split = (PS > 1) && in_proj;
    wire [ROW_WIDTH-1:0] part = in_pos % PS_R;  // partial sum index within the row
    wire red_first = !split || (part == {ROW_WIDTH{1'b0}});
    wire red_last = !split || (part == PS_R - 1'b1);
    wire [ROW_WIDTH-1:0] row = split ? in_pos / PS_R : in_row;
    reg [K*ACC_WIDTH-1:0] red;
    reg x_valid, x_use_bias;
    reg [TAG_WIDTH-1:0] x_tag;
    reg [ROW_WIDTH-1:0] x_row;
    reg [BADDR_WIDTH-1:0] x_baddr;
    genvar rl;
    generate
        for (rl = 0; rl < K; rl = rl + 1) begin : g_red
            always @(posedge clk) begin
                if (in_valid)
                    red[rl*ACC_WIDTH+:ACC_WIDTH] <= red_first ? in_acc[rl*ACC_WIDTH+:ACC_WIDTH]
                        : red[rl*ACC_WIDTH+:ACC_WIDTH] + in_acc[rl*ACC_WIDTH+:ACC_WIDTH];
            end
        end
    endgenerate
    always @(posedge clk) begin
        x_valid <= in_valid && red_last && !rst;
        x_use_bias <= !in_proj && (row < ROWS_R);
        x_tag <= in_tag;
        x_row <= row;
        x_baddr <= in_bbase + {{(BADDR_WIDTH - ROW_WIDTH) {1'b0}}, row};
    end
    assign bias_addr = x_baddr;

    // ------------------------------------------------------------------ accumulators -> spec
    // RND, SAT; unpacked to bins 0..K/2 ({im, re}; bins 0 and K/2 real)
    wire [(K2+1)*2*SPEC_WIDTH-1:0] spec_bins;
    genvar w;
    generate
        for (w = 0; w < K2; w = w + 1) begin : g_round
            wire [SPEC_WIDTH-1:0] sre, sim;
            // round_sat overflow flags: saturation to spec is the specified behaviour (golden
            // saturates silently, the register map has no overflow status), so they are dropped
            /* verilator lint_off UNUSEDSIGNAL */
            wire [1:0] ovf;
            /* verilator lint_on UNUSEDSIGNAL */
            round_sat #(.IN_WIDTH(ACC_WIDTH), .SHIFT(SPEC_SHIFT), .OUT_WIDTH(SPEC_WIDTH), .MODE(1), .SAT(1))
                rnd_re_inst (.in_data(red[(2*w)*ACC_WIDTH+:ACC_WIDTH]), .out_data(sre), .out_ovf(ovf[0]));
            round_sat #(.IN_WIDTH(ACC_WIDTH), .SHIFT(SPEC_SHIFT), .OUT_WIDTH(SPEC_WIDTH), .MODE(1), .SAT(1))
                rnd_im_inst (.in_data(red[(2*w+1)*ACC_WIDTH+:ACC_WIDTH]), .out_data(sim), .out_ovf(ovf[1]));
            if (w == 0) begin : g_pair
                assign spec_bins[0+:2*SPEC_WIDTH] = {{SPEC_WIDTH{1'b0}}, sre};
                assign spec_bins[K2*2*SPEC_WIDTH+:2*SPEC_WIDTH] = {{SPEC_WIDTH{1'b0}}, sim};
            end else begin : g_bin
                assign spec_bins[w*2*SPEC_WIDTH+:2*SPEC_WIDTH] = {sim, sre};
            end
        end
    endgenerate
    reg rs_valid, rs_use_bias;
    reg [(K2+1)*2*SPEC_WIDTH-1:0] rs_bins;
    reg [TAG_WIDTH-1:0] rs_tag;
    reg [ROW_WIDTH-1:0] rs_row;
    always @(posedge clk) begin
        rs_valid <= x_valid && !rst;
        rs_use_bias <= x_use_bias;
        rs_bins <= spec_bins;
        rs_tag <= x_tag;
        rs_row <= x_row;
    end
    // the bias word arrives now (one cycle after bias_addr) and rides the IFFT's tuser
    wire [BWORD-1:0] rs_bias = rs_use_bias ? bias_word : {BWORD{1'b0}};

    // ------------------------------------------------------------------ IFFT
    // tuser fields: {tag, row, bias word}
    localparam integer IU_BIAS = 0, IU_ROW = BWORD, IU_TAG = BWORD + ROW_WIDTH;
    localparam integer IUW = BWORD + ROW_WIDTH + TAG_WIDTH;
    wire [K*IOW-1:0] if_out;
    wire if_valid;
    wire [IUW-1:0] if_user;
    // ifft_herm's s_axis_tready: its m_axis_tready is tied high, so it never stalls
    /* verilator lint_off UNUSEDSIGNAL */
    wire if_tready;
    /* verilator lint_on UNUSEDSIGNAL */
    ifft_herm #(
        .K(K),
        .IN_WIDTH(SPEC_WIDTH),
        .TW_WIDTH(TW_WIDTH),
        .USER_WIDTH(IUW)
    ) ifft_inst (
        .clk(clk),
        .rst(rst),
        .s_axis_tdata(rs_bins),
        .s_axis_tvalid(rs_valid),
        .s_axis_tready(if_tready),
        .s_axis_tuser({rs_tag, rs_row, rs_bias}),
        .m_axis_tdata(if_out),
        .m_axis_tvalid(if_valid),
        .m_axis_tready(1'b1),
        .m_axis_tuser(if_user)
    );

    // ------------------------------------------------------------------ pre, bias, data
    // IFFT output -> pre (RND, SAT), registered; then + bias (SAT to pre) -> z, and pre -> data
    // (RND, SAT): one rounding add per stage
    reg p_valid;
    reg [TAG_WIDTH-1:0] p_tag;
    reg [ROW_WIDTH-1:0] p_row;
    reg [K*PRE_WIDTH-1:0] p_pre;
    reg [BWORD-1:0] p_bias;
    wire [K*PRE_WIDTH-1:0] y_pre_word;
    wire [K*PRE_WIDTH-1:0] z_word;
    wire [K*DATA_WIDTH-1:0] d_word;
    genvar e;
    generate
        for (e = 0; e < K; e = e + 1) begin : g_post
            wire [PRE_WIDTH-1:0] y_pre = p_pre[e*PRE_WIDTH+:PRE_WIDTH];
            // round_sat overflow flags: saturation is the specified behaviour (golden saturates
            // silently, the register map has no overflow status), so they are dropped
            /* verilator lint_off UNUSEDSIGNAL */
            wire [2:0] ovf;
            /* verilator lint_on UNUSEDSIGNAL */
            round_sat #(.IN_WIDTH(IOW), .SHIFT(SPEC_FRAC - PRE_FRAC), .OUT_WIDTH(PRE_WIDTH),
                        .MODE(1), .SAT(1))
                rnd_pre_inst (.in_data(if_out[e*IOW+:IOW]), .out_data(y_pre_word[e*PRE_WIDTH+:PRE_WIDTH]),
                              .out_ovf(ovf[0]));
            wire [BMW-1:0] bias = p_bias[e*BMW+:BMW];
            wire [BMW+PRE_WIDTH-1:0] zsum = {{BMW{y_pre[PRE_WIDTH-1]}}, y_pre}
                                            + {{PRE_WIDTH{bias[BMW-1]}}, bias};
            round_sat #(.IN_WIDTH(BMW + PRE_WIDTH), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH),
                        .MODE(1), .SAT(1))
                sat_z_inst (.in_data(zsum), .out_data(z_word[e*PRE_WIDTH+:PRE_WIDTH]), .out_ovf(ovf[1]));
            round_sat #(.IN_WIDTH(PRE_WIDTH), .SHIFT(PRE_FRAC - DATA_FRAC), .OUT_WIDTH(DATA_WIDTH),
                        .MODE(1), .SAT(1))
                rnd_d_inst (.in_data(y_pre), .out_data(d_word[e*DATA_WIDTH+:DATA_WIDTH]), .out_ovf(ovf[2]));
        end
    endgenerate
    always @(posedge clk) begin
        p_valid <= if_valid && !rst;
        p_tag <= if_user[IU_TAG+:TAG_WIDTH];
        p_row <= if_user[IU_ROW+:ROW_WIDTH];
        p_pre <= y_pre_word;
        p_bias <= if_user[IU_BIAS+:BWORD];
    end
    reg res_valid;
    reg [TAG_WIDTH-1:0] res_tag;
    reg [ROW_WIDTH-1:0] res_row;
    reg [K*PRE_WIDTH-1:0] res_z;
    reg [K*DATA_WIDTH-1:0] res_d;
    always @(posedge clk) begin
        res_valid <= p_valid && !rst;
        res_tag <= p_tag;
        res_row <= p_row;
        res_z <= z_word;
        res_d <= d_word;
    end
    assign out_valid = res_valid;
    assign out_tag = res_tag;
    assign out_row = res_row;
    assign out_z = res_z;
    assign out_data = res_d;
endmodule

`resetall
