// circulant_pe: one block-circulant processing element (golden.circulant.CirculantFixed for
// the output blocks held in its weight memory).
//
// Function : for each output row r (cycling 0..ROWS-1), over input blocks j = 0..Q-1:
//              A[b] = sum_j W[r][j][b] * X_j[b]        exact complex MAC (cmul, 4 DSPs)
//              S    = sat_spec(round_RND(A))           (round_sat, SHIFT = X_FRAC+W_FRAC-SPEC_FRAC)
//              y    = IFFT_herm(S)                     (ifft_herm, unscaled)
//              out  = sat_pre(sat_pre(round_RND(y)) + bias[r])
// Input    : s_axis_tdata = one packed spectrum word {im, re} (2 x sX_WIDTH.X_FRAC) per beat,
//            in golden.circulant.pack_half_spectrum order: word 0 = {Re X[K/2], Re X[0]},
//            word c = {Im X[c], Re X[c]} (c = 1..K/2-1).  K/2 words per input block, Q blocks
//            per output row, rows in order 0..ROWS-1 (the stream replays the Q spectra for
//            each row; the counters wrap, rst re-synchronises).  Word 0 is multiplied as two
//            real pairs (cmul pair mode), the others as complex numbers.
// Weights  : wmem[(r*Q + j)*K/2 + c] = {hi, lo} lanes of pack_half_spectrum(W[r][j])
//            (sW_WIDTH.W_FRAC each; golden.circulant.pe_weight_words), loaded from
//            WEIGHT_FILE ($readmemh) and writable through cfg_w_*.
// Bias     : bmem[r] = K words sBIAS_WIDTH.PRE_FRAC (lane n = element n), BIAS_FILE / cfg_b_*.
// Output   : m_axis_tdata = K words sPRE_WIDTH.PRE_FRAC (element n at [n*PRE_WIDTH +:]),
//            m_axis_tuser = row r.
// Formats  : accumulator s(ACC_WIDTH).(X_FRAC+W_FRAC), ACC_WIDTH = X_WIDTH+W_WIDTH+1+clog2(Q)
//            (cannot overflow: |product| <= 2^(X_WIDTH+W_WIDTH-1), Q of them);
//            spec sSPEC_WIDTH.SPEC_FRAC; IFFT out s(SPEC_WIDTH+log2 K).SPEC_FRAC.
// Latency  : 7 + 4*log2(K) cycles from the last word of a row to its output block
//            (input/weight-read register 1, cmul 3, accumulate/round 1, IFFT 4*log2 K,
//            round to pre 1, + bias 1).  Throughput: one spectrum word per cycle (one complex
//            MAC per cycle); the IFFT is busy once per Q*K/2 cycles.
// Handshake: AXI-Stream.  The front (input..accumulator) runs on ce_f = IFFT s_axis_tready,
//            the back end on ce_p = m_axis_tready | ~m_axis_tvalid (frozen-pipeline stalls).
//            cfg_* writes must not overlap a computation that reads the written row.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module circulant_pe #(
    parameter integer K          = 8,
    parameter integer Q          = 2,
    parameter integer ROWS       = 2,
    parameter integer X_WIDTH    = 19,
    parameter integer X_FRAC     = 12,
    parameter integer W_WIDTH    = 16,
    parameter integer W_FRAC     = 14,
    parameter integer SPEC_WIDTH = 20,
    parameter integer SPEC_FRAC  = 12,
    parameter integer PRE_WIDTH  = 16,
    parameter integer PRE_FRAC   = 12,
    parameter integer BIAS_WIDTH = 16,
    parameter integer TW_WIDTH   = 18,
    parameter        WEIGHT_FILE = "pe_weights.hex",
    parameter        BIAS_FILE   = "pe_bias.hex"
) (
    input  wire                                                    clk,
    input  wire                                                    rst,
    input  wire [2*X_WIDTH-1:0]                                    s_axis_tdata,
    input  wire                                                    s_axis_tvalid,
    output wire                                                    s_axis_tready,
    output wire [K*PRE_WIDTH-1:0]                                  m_axis_tdata,
    output wire                                                    m_axis_tvalid,
    input  wire                                                    m_axis_tready,
    output wire [((ROWS > 1) ? $clog2(ROWS) : 1)-1:0]              m_axis_tuser,
    input  wire                                                    cfg_w_we,
    input  wire [((ROWS*Q*K/2 > 1) ? $clog2(ROWS*Q*K/2) : 1)-1:0]  cfg_w_addr,
    input  wire [2*W_WIDTH-1:0]                                    cfg_w_data,
    input  wire                                                    cfg_b_we,
    input  wire [((ROWS > 1) ? $clog2(ROWS) : 1)-1:0]              cfg_b_addr,
    input  wire [K*BIAS_WIDTH-1:0]                                 cfg_b_data
);

    localparam integer LOG2K = $clog2(K);
    localparam integer KH = K / 2;
    localparam integer RB = (ROWS > 1) ? $clog2(ROWS) : 1;
    localparam integer CB = (KH > 1) ? $clog2(KH) : 1;
    localparam integer JB = (Q > 1) ? $clog2(Q) : 1;
    localparam integer WDEPTH = ROWS * Q * KH;
    localparam integer WAB = (WDEPTH > 1) ? $clog2(WDEPTH) : 1;
    localparam integer PW = X_WIDTH + W_WIDTH + 1;
    localparam integer ACC_WIDTH = PW + ((Q > 1) ? $clog2(Q) : 0);
    localparam integer ACC_FRAC = X_FRAC + W_FRAC;
    localparam integer YW = SPEC_WIDTH + LOG2K;  // IFFT output width
    localparam integer SW = ((PRE_WIDTH > BIAS_WIDTH) ? PRE_WIDTH : BIAS_WIDTH) + 1;

    initial begin
        if (K < 2 || K > 32 || (1 << LOG2K) != K || Q < 1 || ROWS < 1
                || ACC_FRAC - SPEC_FRAC >= ACC_WIDTH || SPEC_FRAC - PRE_FRAC >= YW) begin
            $error("%m: bad parameters K=%0d Q=%0d ROWS=%0d", K, Q, ROWS);
            $finish;
        end
    end

    // ---------------- memories ----------------
    reg [2*W_WIDTH-1:0] wmem[0:WDEPTH-1];
    reg [K*BIAS_WIDTH-1:0] bmem[0:ROWS-1];
    initial begin
        $readmemh(WEIGHT_FILE, wmem);
        $readmemh(BIAS_FILE, bmem);
    end
    always @(posedge clk) begin
        if (cfg_w_we) wmem[cfg_w_addr] <= cfg_w_data;
    end
    always @(posedge clk) begin
        if (cfg_b_we) bmem[cfg_b_addr] <= cfg_b_data;
    end

    // ---------------- front: counters, operand registers ----------------
    wire ce_f;  // = IFFT s_axis_tready
    assign s_axis_tready = ce_f;
    wire s_fire = s_axis_tvalid & ce_f;

    reg [CB-1:0] c_reg;
    reg [JB-1:0] j_reg;
    reg [RB-1:0] r_reg;
    reg [WAB-1:0] waddr_reg;
    localparam integer C_LAST_I = KH - 1;
    localparam integer J_LAST_I = Q - 1;
    localparam integer R_LAST_I = ROWS - 1;
    localparam integer WA_LAST_I = WDEPTH - 1;
    localparam [CB-1:0] C_LAST = C_LAST_I[CB-1:0];
    localparam [JB-1:0] J_LAST = J_LAST_I[JB-1:0];
    localparam [RB-1:0] R_LAST = R_LAST_I[RB-1:0];
    localparam [WAB-1:0] WA_LAST = WA_LAST_I[WAB-1:0];
    wire c_end = (c_reg == C_LAST);
    wire j_end = (j_reg == J_LAST);
    wire r_end = (r_reg == R_LAST);

    always @(posedge clk) begin
        if (s_fire) begin
            c_reg <= c_end ? {CB{1'b0}} : c_reg + 1'b1;
            if (c_end) begin
                j_reg <= j_end ? {JB{1'b0}} : j_reg + 1'b1;
                if (j_end) r_reg <= r_end ? {RB{1'b0}} : r_reg + 1'b1;
            end
            waddr_reg <= (waddr_reg == WA_LAST) ? {WAB{1'b0}} : waddr_reg + 1'b1;
        end
        if (rst) begin
            c_reg <= {CB{1'b0}};
            j_reg <= {JB{1'b0}};
            r_reg <= {RB{1'b0}};
            waddr_reg <= {WAB{1'b0}};
        end
    end

    reg [2*X_WIDTH-1:0] x_reg;
    reg [2*W_WIDTH-1:0] w_reg;
    reg v1_reg;
    // meta: {row, word, first block, last block}
    localparam integer MW = RB + CB + 2;
    reg [MW-1:0] meta1_reg;
    reg pair1_reg;
    always @(posedge clk) begin
        if (ce_f) begin
            x_reg     <= s_axis_tdata;
            w_reg     <= wmem[waddr_reg];
            meta1_reg <= {r_reg, c_reg, (j_reg == 0), j_end};
            pair1_reg <= (c_reg == 0);
            v1_reg    <= s_axis_tvalid;
        end
        if (rst) v1_reg <= 1'b0;
    end

    // ---------------- complex multiply ----------------
    wire [PW-1:0] p_re, p_im;
    cmul #(
        .A_WIDTH(X_WIDTH),
        .B_WIDTH(W_WIDTH)
    ) cmul_inst (
        .clk(clk),
        .ce(ce_f),
        .a_re(x_reg[X_WIDTH-1:0]),
        .a_im(x_reg[2*X_WIDTH-1:X_WIDTH]),
        .b_re(w_reg[W_WIDTH-1:0]),
        .b_im(w_reg[2*W_WIDTH-1:W_WIDTH]),
        .pair(pair1_reg),
        .p_re(p_re),
        .p_im(p_im)
    );
    wire v4;
    wire [MW-1:0] meta4;
    pipe_reg #(.WIDTH(1), .DEPTH(3), .RESET(1)) v_pipe_inst (
        .clk(clk), .rst(rst), .ce(ce_f), .in_data(v1_reg), .out_data(v4));
    pipe_reg #(.WIDTH(MW), .DEPTH(3), .RESET(0)) meta_pipe_inst (
        .clk(clk), .rst(rst), .ce(ce_f), .in_data(meta1_reg), .out_data(meta4));
    wire [RB-1:0] r4 = meta4[MW-1:CB+2];
    wire [CB-1:0] c4 = meta4[CB+1:2];
    wire first4 = meta4[1];
    wire last4 = meta4[0];

    // ---------------- accumulate, round to spec ----------------
    reg [ACC_WIDTH-1:0] acc_re[0:KH-1];
    reg [ACC_WIDTH-1:0] acc_im[0:KH-1];
    wire [ACC_WIDTH-1:0] p_re_x = {{(ACC_WIDTH - PW) {p_re[PW-1]}}, p_re};
    wire [ACC_WIDTH-1:0] p_im_x = {{(ACC_WIDTH - PW) {p_im[PW-1]}}, p_im};
    wire [ACC_WIDTH-1:0] sum_re = first4 ? p_re_x : acc_re[c4] + p_re_x;
    wire [ACC_WIDTH-1:0] sum_im = first4 ? p_im_x : acc_im[c4] + p_im_x;
    wire [SPEC_WIDTH-1:0] s_re, s_im;
    /* verilator lint_off UNUSEDSIGNAL */
    wire ovf_s_re, ovf_s_im;  // saturation flags (not exported)
    /* verilator lint_on UNUSEDSIGNAL */
    round_sat #(.IN_WIDTH(ACC_WIDTH), .SHIFT(ACC_FRAC - SPEC_FRAC), .OUT_WIDTH(SPEC_WIDTH),
                .MODE(1), .SAT(1))
        spec_re_rnd_inst (.in_data(sum_re), .out_data(s_re), .out_ovf(ovf_s_re));
    round_sat #(.IN_WIDTH(ACC_WIDTH), .SHIFT(ACC_FRAC - SPEC_FRAC), .OUT_WIDTH(SPEC_WIDTH),
                .MODE(1), .SAT(1))
        spec_im_rnd_inst (.in_data(sum_im), .out_data(s_im), .out_ovf(ovf_s_im));

    reg [SPEC_WIDTH-1:0] spec_re[0:KH-1];
    reg [SPEC_WIDTH-1:0] spec_im[0:KH-1];
    reg fire_reg;
    reg [RB-1:0] fire_row_reg;
    always @(posedge clk) begin
        if (ce_f) begin
            if (v4) begin
                acc_re[c4] <= sum_re;
                acc_im[c4] <= sum_im;
                if (last4) begin
                    spec_re[c4] <= s_re;
                    spec_im[c4] <= s_im;
                end
            end
            fire_reg     <= v4 & last4 & (c4 == C_LAST);
            fire_row_reg <= r4;
        end
        if (rst) fire_reg <= 1'b0;
    end

    // ---------------- IFFT ----------------
    wire [(KH+1)*2*SPEC_WIDTH-1:0] ifft_in;
    genvar b;
    generate
        for (b = 0; b <= KH; b = b + 1) begin : g_bins
            if (b == 0) begin : g_dc
                assign ifft_in[0+:2*SPEC_WIDTH] = {{SPEC_WIDTH{1'b0}}, spec_re[0]};
            end else if (b == KH) begin : g_nyq
                assign ifft_in[b*2*SPEC_WIDTH+:2*SPEC_WIDTH] = {{SPEC_WIDTH{1'b0}}, spec_im[0]};
            end else begin : g_mid
                assign ifft_in[b*2*SPEC_WIDTH+:2*SPEC_WIDTH] = {spec_im[b], spec_re[b]};
            end
        end
    endgenerate

    wire ce_p = m_axis_tready | ~m_axis_tvalid;
    wire [K*YW-1:0] y_data;
    wire y_valid;
    wire [RB-1:0] y_row;
    ifft_herm #(
        .K(K),
        .IN_WIDTH(SPEC_WIDTH),
        .TW_WIDTH(TW_WIDTH),
        .USER_WIDTH(RB)
    ) ifft_inst (
        .clk(clk),
        .rst(rst),
        .s_axis_tdata(ifft_in),
        .s_axis_tvalid(fire_reg),
        .s_axis_tready(ce_f),
        .s_axis_tuser(fire_row_reg),
        .m_axis_tdata(y_data),
        .m_axis_tvalid(y_valid),
        .m_axis_tready(ce_p),
        .m_axis_tuser(y_row)
    );

    // ---------------- round to pre, + bias ----------------
    reg [K*PRE_WIDTH-1:0] y1_reg;
    reg [K*BIAS_WIDTH-1:0] b1_reg;
    reg v1p_reg, v2p_reg;
    reg [RB-1:0] row1_reg, row2_reg;
    reg [K*PRE_WIDTH-1:0] out_reg;
    wire [K*PRE_WIDTH-1:0] y_pre, y_out;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [2*K-1:0] ovf_post;  // saturation flags (not exported)
    /* verilator lint_on UNUSEDSIGNAL */
    genvar n;
    generate
        for (n = 0; n < K; n = n + 1) begin : g_post
            round_sat #(.IN_WIDTH(YW), .SHIFT(SPEC_FRAC - PRE_FRAC), .OUT_WIDTH(PRE_WIDTH),
                        .MODE(1), .SAT(1))
                pre_rnd_inst (.in_data(y_data[n*YW+:YW]), .out_data(y_pre[n*PRE_WIDTH+:PRE_WIDTH]),
                              .out_ovf(ovf_post[2*n]));
            wire [PRE_WIDTH-1:0] yv = y1_reg[n*PRE_WIDTH+:PRE_WIDTH];
            wire [BIAS_WIDTH-1:0] bv = b1_reg[n*BIAS_WIDTH+:BIAS_WIDTH];
            wire [SW-1:0] sum = {{(SW - PRE_WIDTH) {yv[PRE_WIDTH-1]}}, yv}
                              + {{(SW - BIAS_WIDTH) {bv[BIAS_WIDTH-1]}}, bv};
            round_sat #(.IN_WIDTH(SW), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(0), .SAT(1))
                bias_sat_inst (.in_data(sum), .out_data(y_out[n*PRE_WIDTH+:PRE_WIDTH]),
                               .out_ovf(ovf_post[2*n+1]));
        end
    endgenerate

    always @(posedge clk) begin
        if (ce_p) begin
            y1_reg   <= y_pre;
            b1_reg   <= bmem[y_row];
            row1_reg <= y_row;
            v1p_reg  <= y_valid;
            out_reg  <= y_out;
            row2_reg <= row1_reg;
            v2p_reg  <= v1p_reg;
        end
        if (rst) begin
            v1p_reg <= 1'b0;
            v2p_reg <= 1'b0;
        end
    end
    assign m_axis_tdata  = out_reg;
    assign m_axis_tvalid = v2p_reg;
    assign m_axis_tuser  = row2_reg;

endmodule

`resetall
