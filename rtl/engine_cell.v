// engine_cell: element-wise LSTM (peepholes) or GRU (reset-after) update of one unit (one lane
// of the engine's k-lane element-wise unit), bit-exact with golden.cells (docs/numerics.md
// steps 11-15, 17-18).
//
// Function (CELL 0, LSTM; peepholes are zero codes when the model has none, which is exact):
//   zi' = sat_pre(zi + rnd(p_i*c_prev)), zf' = sat_pre(zf + rnd(p_f*c_prev))     (to pre frac)
//   i = sig(zi'), f = sig(zf'), g = tanh(zg)
//   c = sat_cell(rnd(f*c_prev) + rnd(i*g))                                       (to cell frac)
//   zo' = sat_pre(zo + rnd(p_o*c)), o = sig(zo'), tc = tanh(sat_pre(rnd(c)))
//   m = sat_data(rnd(o*tc))                                 -> out_a = m, out_b = c (cell)
// Function (CELL 1, GRU; in_z* = gx r,z,n; in_w* = gh r,z,n; in_s = h_prev):
//   r = sig(sat_pre(gx_r+gh_r)), z = sig(sat_pre(gx_z+gh_z))
//   n = tanh(sat_pre(gx_n + rnd(r*gh_n)))
//   h = sat_data(rnd((1-z)*n) + rnd(z*h_prev))             -> out_a = h, out_b = h
// Formats  : pre sPRE_WIDTH.PRE_FRAC, cell, peep, gate, data as named; all RND (half up),
//            each product rounded once to the target's fractional bits (round_sat, MODE 1).
// Latency  : 10 cycles (LSTM) / 9 cycles (GRU); in_valid/in_tag travel with the data;
//            II = 1.  Multipliers take registered operands; product, rounding, add and
//            saturation share one cycle (the element-wise unit is not the critical resource).
// Bit growth: products exact (sum of widths), one rounding, then the named saturation.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_cell #(
    parameter integer CELL         = 0,
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
    input  wire                  clk,
    input  wire                  rst,
    input  wire                  in_valid,
    input  wire [TAG_WIDTH-1:0]  in_tag,
    // LSTM: zi, zf, zg, zo / GRU: gx_r, gx_z, gx_n (in_z3 unused)
    input  wire [PRE_WIDTH-1:0]  in_z0,
    input  wire [PRE_WIDTH-1:0]  in_z1,
    input  wire [PRE_WIDTH-1:0]  in_z2,
    input  wire [PRE_WIDTH-1:0]  in_z3,
    // GRU: gh_r, gh_z, gh_n (unused by the LSTM)
    input  wire [PRE_WIDTH-1:0]  in_w0,
    input  wire [PRE_WIDTH-1:0]  in_w1,
    input  wire [PRE_WIDTH-1:0]  in_w2,
    // LSTM: p_i, p_f, p_o (unused by the GRU)
    input  wire [PEEP_WIDTH-1:0] in_p0,
    input  wire [PEEP_WIDTH-1:0] in_p1,
    input  wire [PEEP_WIDTH-1:0] in_p2,
    // state: LSTM c_prev (cell format), GRU h_prev (data format); S_WIDTH bits
    input  wire [S_WIDTH-1:0]    in_s,
    output wire                  out_valid,
    output wire [TAG_WIDTH-1:0]  out_tag,
    output wire [DATA_WIDTH-1:0] out_a,
    output wire [S_WIDTH-1:0]    out_b
);
    localparam integer LAT = (CELL == 0) ? 10 : 9;

    initial begin
        if (CELL < 0 || CELL > 1 || S_WIDTH != ((CELL == 0) ? CELL_WIDTH : DATA_WIDTH)) begin
            $error("%m: CELL=%0d must be 0 (LSTM) or 1 (GRU), S_WIDTH=%0d its state width", CELL, S_WIDTH);
            $finish;
        end
    end

    pipe_reg #(
        .WIDTH(1),
        .DEPTH(LAT),
        .RESET(1)
    ) valid_pipe_inst (
        .clk(clk),
        .rst(rst),
        .ce(1'b1),
        .in_data(in_valid),
        .out_data(out_valid)
    );
    pipe_reg #(
        .WIDTH(TAG_WIDTH),
        .DEPTH(LAT),
        .RESET(0)
    ) tag_pipe_inst (
        .clk(clk),
        .rst(rst),
        .ce(1'b1),
        .in_data(in_tag),
        .out_data(out_tag)
    );

    generate
        if (CELL == 0) begin : g_lstm
            localparam integer PCW = PEEP_WIDTH + CELL_WIDTH;  // p*c product
            localparam integer GGW = 2 * GATE_WIDTH;  // gate*gate product
            localparam integer GCW = GATE_WIDTH + CELL_WIDTH;  // gate*cell product
            localparam integer XW = 40;  // wide enough for every unsaturated rounded term
            // round_sat overflow flags: saturation is the specified behaviour (golden.cells
            // saturates silently, the register map has no overflow status), so they are dropped.
            /* verilator lint_off UNUSEDSIGNAL */
            wire [10:0] ovf;
            /* verilator lint_on UNUSEDSIGNAL */
            // ---- stage A: peepholes into zi, zf
            wire signed [PCW-1:0] pic = $signed(in_p0) * $signed(in_s);
            wire signed [PCW-1:0] pfc = $signed(in_p1) * $signed(in_s);
            wire [XW-1:0] pic_r, pfc_r;
            round_sat #(.IN_WIDTH(PCW), .SHIFT(PEEP_FRAC + CELL_FRAC - PRE_FRAC), .OUT_WIDTH(XW),
                        .MODE(1), .SAT(1)) rnd_pic_inst (.in_data(pic), .out_data(pic_r), .out_ovf(ovf[0]));
            round_sat #(.IN_WIDTH(PCW), .SHIFT(PEEP_FRAC + CELL_FRAC - PRE_FRAC), .OUT_WIDTH(XW),
                        .MODE(1), .SAT(1)) rnd_pfc_inst (.in_data(pfc), .out_data(pfc_r), .out_ovf(ovf[1]));
            wire [XW-1:0] zi_sum = {{(XW - PRE_WIDTH) {in_z0[PRE_WIDTH-1]}}, in_z0} + pic_r;
            wire [XW-1:0] zf_sum = {{(XW - PRE_WIDTH) {in_z1[PRE_WIDTH-1]}}, in_z1} + pfc_r;
            wire [PRE_WIDTH-1:0] zi_sat, zf_sat;
            round_sat #(.IN_WIDTH(XW), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_zi_inst (.in_data(zi_sum), .out_data(zi_sat), .out_ovf(ovf[2]));
            round_sat #(.IN_WIDTH(XW), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_zf_inst (.in_data(zf_sum), .out_data(zf_sat), .out_ovf(ovf[3]));
            reg [PRE_WIDTH-1:0] zi_a, zf_a, zg_a;
            always @(posedge clk) begin
                zi_a <= zi_sat;
                zf_a <= zf_sat;
                zg_a <= in_z2;
            end
            // delays of zo, p_o, c_prev to stages C/D
            wire [PRE_WIDTH-1:0] zo_d5;
            wire [PEEP_WIDTH-1:0] po_d5;
            wire [CELL_WIDTH-1:0] cp_d4;
            pipe_reg #(.WIDTH(PRE_WIDTH + PEEP_WIDTH), .DEPTH(5), .RESET(0)) zo_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data({in_z3, in_p2}),
                .out_data({zo_d5, po_d5}));
            pipe_reg #(.WIDTH(CELL_WIDTH), .DEPTH(4), .RESET(0)) cp_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(in_s), .out_data(cp_d4));
            // ---- stage B: i, f, g (3 cycles)
            wire [GATE_WIDTH-1:0] gi, gf, gg;
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(0), .TABLE_FILE(SIG_FILE))
                act_i_inst (.clk(clk), .in_data(zi_a), .out_data(gi));
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(0), .TABLE_FILE(SIG_FILE))
                act_f_inst (.clk(clk), .in_data(zf_a), .out_data(gf));
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(1), .TABLE_FILE(TANH_FILE))
                act_g_inst (.clk(clk), .in_data(zg_a), .out_data(gg));
            // ---- stage C: c = sat(rnd(f*c_prev) + rnd(i*g))
            wire signed [GCW-1:0] fc = $signed(gf) * $signed(cp_d4);
            wire signed [GGW-1:0] ig = $signed(gi) * $signed(gg);
            wire [XW-1:0] fc_r, ig_r;
            round_sat #(.IN_WIDTH(GCW), .SHIFT(GATE_FRAC + CELL_FRAC - CELL_FRAC), .OUT_WIDTH(XW),
                        .MODE(1), .SAT(1)) rnd_fc_inst (.in_data(fc), .out_data(fc_r), .out_ovf(ovf[4]));
            round_sat #(.IN_WIDTH(GGW), .SHIFT(2 * GATE_FRAC - CELL_FRAC), .OUT_WIDTH(XW),
                        .MODE(1), .SAT(1)) rnd_ig_inst (.in_data(ig), .out_data(ig_r), .out_ovf(ovf[5]));
            wire [XW-1:0] c_sum = fc_r + ig_r;
            wire [CELL_WIDTH-1:0] c_sat;
            round_sat #(.IN_WIDTH(XW), .SHIFT(0), .OUT_WIDTH(CELL_WIDTH), .MODE(1), .SAT(1))
                sat_c_inst (.in_data(c_sum), .out_data(c_sat), .out_ovf(ovf[6]));
            reg [CELL_WIDTH-1:0] c_c;
            always @(posedge clk) c_c <= c_sat;
            // ---- stage D: zo' = sat(zo + rnd(p_o*c)), tanh input sat_pre(rnd(c))
            wire signed [PCW-1:0] poc = $signed(po_d5) * $signed(c_c);
            wire [XW-1:0] poc_r;
            round_sat #(.IN_WIDTH(PCW), .SHIFT(PEEP_FRAC + CELL_FRAC - PRE_FRAC), .OUT_WIDTH(XW),
                        .MODE(1), .SAT(1)) rnd_poc_inst (.in_data(poc), .out_data(poc_r), .out_ovf(ovf[7]));
            wire [XW-1:0] zo_sum = {{(XW - PRE_WIDTH) {zo_d5[PRE_WIDTH-1]}}, zo_d5} + poc_r;
            wire [PRE_WIDTH-1:0] zo_sat, tc_in;
            round_sat #(.IN_WIDTH(XW), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_zo_inst (.in_data(zo_sum), .out_data(zo_sat), .out_ovf(ovf[8]));
            round_sat #(.IN_WIDTH(CELL_WIDTH), .SHIFT(CELL_FRAC - PRE_FRAC), .OUT_WIDTH(PRE_WIDTH),
                        .MODE(1), .SAT(1)) rnd_tc_inst (.in_data(c_c), .out_data(tc_in), .out_ovf(ovf[9]));
            reg [PRE_WIDTH-1:0] zo_d, tc_d;
            reg [CELL_WIDTH-1:0] c_d;
            always @(posedge clk) begin
                zo_d <= zo_sat;
                tc_d <= tc_in;
                c_d  <= c_c;
            end
            // ---- stage E: o, tanh(c) (3 cycles)
            wire [GATE_WIDTH-1:0] go, gtc;
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(0), .TABLE_FILE(SIG_FILE))
                act_o_inst (.clk(clk), .in_data(zo_d), .out_data(go));
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(1), .TABLE_FILE(TANH_FILE))
                act_tc_inst (.clk(clk), .in_data(tc_d), .out_data(gtc));
            wire [CELL_WIDTH-1:0] c_e;
            pipe_reg #(.WIDTH(CELL_WIDTH), .DEPTH(3), .RESET(0)) c_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(c_d), .out_data(c_e));
            // ---- stage F: m = sat_data(rnd(o*tc))
            wire signed [GGW-1:0] otc = $signed(go) * $signed(gtc);
            wire [DATA_WIDTH-1:0] m_sat;
            round_sat #(.IN_WIDTH(GGW), .SHIFT(2 * GATE_FRAC - DATA_FRAC), .OUT_WIDTH(DATA_WIDTH),
                        .MODE(1), .SAT(1)) rnd_m_inst (.in_data(otc), .out_data(m_sat), .out_ovf(ovf[10]));
            reg [DATA_WIDTH-1:0] m_f;
            reg [CELL_WIDTH-1:0] c_f;
            always @(posedge clk) begin
                m_f <= m_sat;
                c_f <= c_e;
            end
            assign out_a = m_f;
            assign out_b = c_f;
            /* verilator lint_off UNUSEDSIGNAL */
            wire [3*PRE_WIDTH-1:0] unused_w = {in_w0, in_w1, in_w2};
            /* verilator lint_on UNUSEDSIGNAL */
        end else begin : g_gru
            localparam integer XW = 40;
            localparam integer GPW = GATE_WIDTH + PRE_WIDTH;
            localparam integer GNW = GATE_WIDTH + 1 + GATE_WIDTH;
            localparam integer GDW = GATE_WIDTH + DATA_WIDTH;
            // round_sat overflow flags: saturation is the specified behaviour (golden.cells
            // saturates silently, the register map has no overflow status), so they are dropped.
            /* verilator lint_off UNUSEDSIGNAL */
            wire [6:0] ovf;
            /* verilator lint_on UNUSEDSIGNAL */
            // ---- stage A: r, z sums
            wire [PRE_WIDTH:0] ar_sum = {in_z0[PRE_WIDTH-1], in_z0} + {in_w0[PRE_WIDTH-1], in_w0};
            wire [PRE_WIDTH:0] az_sum = {in_z1[PRE_WIDTH-1], in_z1} + {in_w1[PRE_WIDTH-1], in_w1};
            wire [PRE_WIDTH-1:0] ar_sat, az_sat;
            round_sat #(.IN_WIDTH(PRE_WIDTH + 1), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_ar_inst (.in_data(ar_sum), .out_data(ar_sat), .out_ovf(ovf[0]));
            round_sat #(.IN_WIDTH(PRE_WIDTH + 1), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_az_inst (.in_data(az_sum), .out_data(az_sat), .out_ovf(ovf[1]));
            reg [PRE_WIDTH-1:0] ar_a, az_a;
            always @(posedge clk) begin
                ar_a <= ar_sat;
                az_a <= az_sat;
            end
            wire [2*PRE_WIDTH-1:0] n_d4;
            wire [DATA_WIDTH-1:0] hp_d8;
            pipe_reg #(.WIDTH(2 * PRE_WIDTH), .DEPTH(4), .RESET(0)) n_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data({in_z2, in_w2}), .out_data(n_d4));
            pipe_reg #(.WIDTH(DATA_WIDTH), .DEPTH(8), .RESET(0)) hp_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(in_s), .out_data(hp_d8));
            // ---- stage B: r, z (3 cycles)
            wire [GATE_WIDTH-1:0] gr, gz;
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(0), .TABLE_FILE(SIG_FILE))
                act_r_inst (.clk(clk), .in_data(ar_a), .out_data(gr));
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(0), .TABLE_FILE(SIG_FILE))
                act_z_inst (.clk(clk), .in_data(az_a), .out_data(gz));
            // ---- stage C: zn = sat(gx_n + rnd(r*gh_n))
            wire [PRE_WIDTH-1:0] xn_d4 = n_d4[2*PRE_WIDTH-1:PRE_WIDTH];
            wire [PRE_WIDTH-1:0] hn_d4 = n_d4[PRE_WIDTH-1:0];
            wire signed [GPW-1:0] rhn = $signed(gr) * $signed(hn_d4);
            wire [XW-1:0] rhn_r;
            round_sat #(.IN_WIDTH(GPW), .SHIFT(GATE_FRAC), .OUT_WIDTH(XW), .MODE(1), .SAT(1))
                rnd_rhn_inst (.in_data(rhn), .out_data(rhn_r), .out_ovf(ovf[2]));
            wire [XW-1:0] zn_sum = {{(XW - PRE_WIDTH) {xn_d4[PRE_WIDTH-1]}}, xn_d4} + rhn_r;
            wire [PRE_WIDTH-1:0] zn_sat;
            round_sat #(.IN_WIDTH(XW), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_zn_inst (.in_data(zn_sum), .out_data(zn_sat), .out_ovf(ovf[3]));
            reg [PRE_WIDTH-1:0] zn_c;
            always @(posedge clk) zn_c <= zn_sat;
            wire [GATE_WIDTH-1:0] gz_d4;
            pipe_reg #(.WIDTH(GATE_WIDTH), .DEPTH(4), .RESET(0)) z_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(gz), .out_data(gz_d4));
            // ---- stage D: n = tanh(zn) (3 cycles)
            wire [GATE_WIDTH-1:0] gn;
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(1), .TABLE_FILE(TANH_FILE))
                act_n_inst (.clk(clk), .in_data(zn_c), .out_data(gn));
            // ---- stage E: h = sat(rnd((1-z)*n) + rnd(z*h_prev))
            localparam [GATE_WIDTH:0] ONE = {{GATE_WIDTH{1'b0}}, 1'b1} << GATE_FRAC;  // 1.0
            wire signed [GATE_WIDTH:0] omz = ONE - {gz_d4[GATE_WIDTH-1], gz_d4};
            wire signed [GNW-1:0] zn_p = omz * $signed(gn);
            wire signed [GDW-1:0] zh_p = $signed(gz_d4) * $signed(hp_d8);
            wire [XW-1:0] zn_r, zh_r;
            round_sat #(.IN_WIDTH(GNW), .SHIFT(2 * GATE_FRAC - DATA_FRAC), .OUT_WIDTH(XW),
                        .MODE(1), .SAT(1)) rnd_zn_inst (.in_data(zn_p), .out_data(zn_r), .out_ovf(ovf[4]));
            round_sat #(.IN_WIDTH(GDW), .SHIFT(GATE_FRAC), .OUT_WIDTH(XW),
                        .MODE(1), .SAT(1)) rnd_zh_inst (.in_data(zh_p), .out_data(zh_r), .out_ovf(ovf[5]));
            wire [XW-1:0] h_sum = zn_r + zh_r;
            wire [DATA_WIDTH-1:0] h_sat;
            round_sat #(.IN_WIDTH(XW), .SHIFT(0), .OUT_WIDTH(DATA_WIDTH), .MODE(1), .SAT(1))
                sat_h_inst (.in_data(h_sum), .out_data(h_sat), .out_ovf(ovf[6]));
            reg [DATA_WIDTH-1:0] h_e;
            always @(posedge clk) h_e <= h_sat;
            assign out_a = h_e;
            assign out_b = h_e;
            /* verilator lint_off UNUSEDSIGNAL */
            wire [3*PEEP_WIDTH+PRE_WIDTH-1:0] unused_p = {in_p0, in_p1, in_p2, in_z3};
            /* verilator lint_on UNUSEDSIGNAL */
        end
    endgenerate
endmodule

`resetall
