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
//            each product rounded once to the target's fractional bits (round_sat MODE 1),
//            every sum saturated to its target (round_sat SHIFT 0, SAT).
// Bit growth (every internal width is derived from the formats by these three rules):
//   product  sA * sB -> s(A+B), exact;
//   rounding sP >> S (RND) -> s(P+1-S) for S > 0 (one bit for the rounding carry), s(P-S) for
//            S <= 0 (exact left shift): round_sat's RW, so the rounding never saturates;
//   sum      sX + sY -> s(max(X,Y)+1), exact, then saturated to the target format.
//   Default formats (data/pre/cell s16.12, peep/gate s16.14): p*c s32 -> rnd >> 14 s19,
//   + z -> s20 -> sat s16; f*c s32 -> s19, i*g s32 >> 16 -> s17, c sum s20 -> sat s16;
//   GRU r*gh s32 >> 14 -> s19, (1-z) s17 * n -> s33 >> 16 -> s18, z*h s32 >> 14 -> s19.
// Pipeline : at most one multiply or one add (carry chain, then a saturation mux) between
//            registers; multiplier operands are registers and every product is registered
//            (mul_reg: DSP48E2 registers, or on ECP5 the MULT18X18D's own; p_i*c and p_f*c
//            register their operands in the multiplier, the others take them from the
//            activations', c's and delay lines' registers).  Each "x + rnd(a*b)" takes three
//            stages: multiply, round, add and saturate.  ACT_LAT = 9 is engine_act's latency.
//   LSTM: 1 operand registers; 2 p_i*c, p_f*c; 3 round; 4 zi', zf' (sat); 5-13 i, f, g;
//         14 f*c, i*g; 15 round; 16 c (sat); 17 p_o*c, tanh input (round, sat); 18 round;
//         19 zo' (sat); 20-28 o, tanh(c); 29 o*tc; 30 m (round, sat).
//   GRU : 1 r, z sums (sat); 2-10 r, z; 11 r*gh_n, z*h_prev, 1-z; 12 round; 13 zn (sat);
//         14-22 n; 23 (1-z)*n; 24 round; 25 h (sat).
// Latency  : 12 + 2*ACT_LAT = 30 cycles (LSTM) / 7 + 2*ACT_LAT = 25 cycles (GRU); II = 1;
//            in_valid/in_tag travel with the data (out_valid/out_tag).
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
    localparam integer ACT_LAT = 9;  // engine_act's latency (its header, LATENCY)
    localparam integer LAT = (CELL == 0) ? 12 + 2 * ACT_LAT : 7 + 2 * ACT_LAT;

    // Width of an sW code rounded right by S bits (round_sat's RW; S <= 0: exact left shift).
    function automatic integer rnd_width(input integer w, input integer s);
        rnd_width = (s > 0) ? w + 1 - s : w - s;
    endfunction
    // Width of the exact sum of an sA and an sB code.
    function automatic integer sum_width(input integer a, input integer b);
        sum_width = ((a > b) ? a : b) + 1;
    endfunction

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
            localparam integer PCW = PEEP_WIDTH + CELL_WIDTH;  // p*c
            localparam integer S_PC = PEEP_FRAC + CELL_FRAC - PRE_FRAC;
            localparam integer RPC = rnd_width(PCW, S_PC);  // rnd(p*c), pre frac
            localparam integer ZSW = sum_width(PRE_WIDTH, RPC);  // z + rnd(p*c)
            localparam integer FCW = GATE_WIDTH + CELL_WIDTH;  // f*c
            localparam integer RFC = rnd_width(FCW, GATE_FRAC);  // rnd(f*c), cell frac
            localparam integer IGW = 2 * GATE_WIDTH;  // i*g, o*tc
            localparam integer S_IG = 2 * GATE_FRAC - CELL_FRAC;
            localparam integer RIG = rnd_width(IGW, S_IG);  // rnd(i*g), cell frac
            localparam integer CSW = sum_width(RFC, RIG);  // rnd(f*c) + rnd(i*g)
            // stages (cycle after in_valid) whose registers hold zi'/zf', i/f/g, c, zo'
            localparam integer T_ZIF = 4;
            localparam integer T_IFG = T_ZIF + ACT_LAT;
            localparam integer T_C = T_IFG + 3;
            localparam integer T_ZO = T_C + 3;
            // round_sat overflow flags: saturation is the specified behaviour (golden.cells
            // saturates silently, the register map has no overflow status) and the roundings
            // keep every bit, so they are dropped.
            /* verilator lint_off UNUSEDSIGNAL */
            wire [10:0] ovf;
            /* verilator lint_on UNUSEDSIGNAL */

            // ---- 1: multiplier operands (the p_i*c, p_f*c multipliers' own registers); z delays
            reg [CELL_WIDTH-1:0] cp_reg;
            always @(posedge clk) cp_reg <= in_s;
            // delays named after the stage they reach (_d<stage>, here and below)
            wire [PRE_WIDTH-1:0] zi_d3, zf_d3, zg_d4, zo_d18;
            wire [PEEP_WIDTH-1:0] po_d16;
            wire [CELL_WIDTH-1:0] cp_d13;
            pipe_reg #(.WIDTH(2 * PRE_WIDTH), .DEPTH(T_ZIF - 1), .RESET(0)) zif_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data({in_z0, in_z1}), .out_data({zi_d3, zf_d3}));
            pipe_reg #(.WIDTH(PRE_WIDTH), .DEPTH(T_ZIF), .RESET(0)) zg_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(in_z2), .out_data(zg_d4));
            pipe_reg #(.WIDTH(PRE_WIDTH), .DEPTH(T_ZO - 1), .RESET(0)) zo_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(in_z3), .out_data(zo_d18));
            pipe_reg #(.WIDTH(PEEP_WIDTH), .DEPTH(T_C), .RESET(0)) po_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(in_p2), .out_data(po_d16));
            pipe_reg #(.WIDTH(CELL_WIDTH), .DEPTH(T_IFG - 1), .RESET(0)) cp_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(cp_reg), .out_data(cp_d13));

            // ---- 2-4: zi' = sat_pre(zi + rnd(p_i*c_prev)), zf' likewise
            wire signed [PCW-1:0] pic_reg, pfc_reg;
            mul_reg #(.A_WIDTH(PEEP_WIDTH), .B_WIDTH(CELL_WIDTH), .IN_REG(1)) pic_inst (
                .clk(clk), .ce(1'b1), .a(in_p0), .b(in_s), .p(pic_reg));
            mul_reg #(.A_WIDTH(PEEP_WIDTH), .B_WIDTH(CELL_WIDTH), .IN_REG(1)) pfc_inst (
                .clk(clk), .ce(1'b1), .a(in_p1), .b(in_s), .p(pfc_reg));
            wire [RPC-1:0] pic_r, pfc_r;
            round_sat #(.IN_WIDTH(PCW), .SHIFT(S_PC), .OUT_WIDTH(RPC), .MODE(1), .SAT(1))
                rnd_pic_inst (.in_data(pic_reg), .out_data(pic_r), .out_ovf(ovf[0]));
            round_sat #(.IN_WIDTH(PCW), .SHIFT(S_PC), .OUT_WIDTH(RPC), .MODE(1), .SAT(1))
                rnd_pfc_inst (.in_data(pfc_reg), .out_data(pfc_r), .out_ovf(ovf[1]));
            reg [RPC-1:0] pic_r_reg, pfc_r_reg;
            always @(posedge clk) begin
                pic_r_reg <= pic_r;
                pfc_r_reg <= pfc_r;
            end
            wire [ZSW-1:0] zi_sum = {{(ZSW - PRE_WIDTH) {zi_d3[PRE_WIDTH-1]}}, zi_d3}
                                  + {{(ZSW - RPC) {pic_r_reg[RPC-1]}}, pic_r_reg};
            wire [ZSW-1:0] zf_sum = {{(ZSW - PRE_WIDTH) {zf_d3[PRE_WIDTH-1]}}, zf_d3}
                                  + {{(ZSW - RPC) {pfc_r_reg[RPC-1]}}, pfc_r_reg};
            wire [PRE_WIDTH-1:0] zi_sat, zf_sat;
            round_sat #(.IN_WIDTH(ZSW), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_zi_inst (.in_data(zi_sum), .out_data(zi_sat), .out_ovf(ovf[2]));
            round_sat #(.IN_WIDTH(ZSW), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_zf_inst (.in_data(zf_sum), .out_data(zf_sat), .out_ovf(ovf[3]));
            reg [PRE_WIDTH-1:0] zi_reg, zf_reg;
            always @(posedge clk) begin
                zi_reg <= zi_sat;
                zf_reg <= zf_sat;
            end

            // ---- 5-13: i, f, g
            wire [GATE_WIDTH-1:0] gi, gf, gg;
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(0), .TABLE_FILE(SIG_FILE))
                act_i_inst (.clk(clk), .in_data(zi_reg), .out_data(gi));
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(0), .TABLE_FILE(SIG_FILE))
                act_f_inst (.clk(clk), .in_data(zf_reg), .out_data(gf));
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(1), .TABLE_FILE(TANH_FILE))
                act_g_inst (.clk(clk), .in_data(zg_d4), .out_data(gg));

            // ---- 14-16: c = sat_cell(rnd(f*c_prev) + rnd(i*g))
            wire signed [FCW-1:0] fc_reg;
            wire signed [IGW-1:0] ig_reg;
            mul_reg #(.A_WIDTH(GATE_WIDTH), .B_WIDTH(CELL_WIDTH), .IN_REG(0)) fc_inst (
                .clk(clk), .ce(1'b1), .a(gf), .b(cp_d13), .p(fc_reg));
            mul_reg #(.A_WIDTH(GATE_WIDTH), .B_WIDTH(GATE_WIDTH), .IN_REG(0)) ig_inst (
                .clk(clk), .ce(1'b1), .a(gi), .b(gg), .p(ig_reg));
            wire [RFC-1:0] fc_r;
            wire [RIG-1:0] ig_r;
            round_sat #(.IN_WIDTH(FCW), .SHIFT(GATE_FRAC), .OUT_WIDTH(RFC), .MODE(1), .SAT(1))
                rnd_fc_inst (.in_data(fc_reg), .out_data(fc_r), .out_ovf(ovf[4]));
            round_sat #(.IN_WIDTH(IGW), .SHIFT(S_IG), .OUT_WIDTH(RIG), .MODE(1), .SAT(1))
                rnd_ig_inst (.in_data(ig_reg), .out_data(ig_r), .out_ovf(ovf[5]));
            reg [RFC-1:0] fc_r_reg;
            reg [RIG-1:0] ig_r_reg;
            always @(posedge clk) begin
                fc_r_reg <= fc_r;
                ig_r_reg <= ig_r;
            end
            wire [CSW-1:0] c_sum = {{(CSW - RFC) {fc_r_reg[RFC-1]}}, fc_r_reg}
                                 + {{(CSW - RIG) {ig_r_reg[RIG-1]}}, ig_r_reg};
            wire [CELL_WIDTH-1:0] c_sat;
            round_sat #(.IN_WIDTH(CSW), .SHIFT(0), .OUT_WIDTH(CELL_WIDTH), .MODE(1), .SAT(1))
                sat_c_inst (.in_data(c_sum), .out_data(c_sat), .out_ovf(ovf[6]));
            reg [CELL_WIDTH-1:0] c_reg;
            always @(posedge clk) c_reg <= c_sat;

            // ---- 17-19: zo' = sat_pre(zo + rnd(p_o*c)); tanh input sat_pre(rnd(c)) (17); the
            // operands are c_reg and a delay line's register (the multiplier's own input
            // registers would put the c sum's add and saturation in front of the multiplier)
            wire signed [PCW-1:0] poc_reg;
            mul_reg #(.A_WIDTH(PEEP_WIDTH), .B_WIDTH(CELL_WIDTH), .IN_REG(0)) poc_inst (
                .clk(clk), .ce(1'b1), .a(po_d16), .b(c_reg), .p(poc_reg));
            wire [PRE_WIDTH-1:0] tc_in;
            round_sat #(.IN_WIDTH(CELL_WIDTH), .SHIFT(CELL_FRAC - PRE_FRAC), .OUT_WIDTH(PRE_WIDTH),
                        .MODE(1), .SAT(1)) rnd_tc_inst (.in_data(c_reg), .out_data(tc_in), .out_ovf(ovf[7]));
            wire [RPC-1:0] poc_r;
            round_sat #(.IN_WIDTH(PCW), .SHIFT(S_PC), .OUT_WIDTH(RPC), .MODE(1), .SAT(1))
                rnd_poc_inst (.in_data(poc_reg), .out_data(poc_r), .out_ovf(ovf[8]));
            reg [RPC-1:0] poc_r_reg;
            always @(posedge clk) poc_r_reg <= poc_r;
            wire [ZSW-1:0] zo_sum = {{(ZSW - PRE_WIDTH) {zo_d18[PRE_WIDTH-1]}}, zo_d18}
                                  + {{(ZSW - RPC) {poc_r_reg[RPC-1]}}, poc_r_reg};
            wire [PRE_WIDTH-1:0] zo_sat;
            round_sat #(.IN_WIDTH(ZSW), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_zo_inst (.in_data(zo_sum), .out_data(zo_sat), .out_ovf(ovf[9]));
            reg [PRE_WIDTH-1:0] zo_reg;
            always @(posedge clk) zo_reg <= zo_sat;
            wire [PRE_WIDTH-1:0] tc_d19;
            pipe_reg #(.WIDTH(PRE_WIDTH), .DEPTH(T_ZO - T_C), .RESET(0)) tc_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(tc_in), .out_data(tc_d19));
            wire [CELL_WIDTH-1:0] c_d30;
            pipe_reg #(.WIDTH(CELL_WIDTH), .DEPTH(LAT - T_C), .RESET(0)) c_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(c_reg), .out_data(c_d30));

            // ---- 20-28: o, tanh(c)
            wire [GATE_WIDTH-1:0] go, gtc;
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(0), .TABLE_FILE(SIG_FILE))
                act_o_inst (.clk(clk), .in_data(zo_reg), .out_data(go));
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(1), .TABLE_FILE(TANH_FILE))
                act_tc_inst (.clk(clk), .in_data(tc_d19), .out_data(gtc));

            // ---- 29-30: m = sat_data(rnd(o*tc))
            wire signed [IGW-1:0] otc_reg;
            mul_reg #(.A_WIDTH(GATE_WIDTH), .B_WIDTH(GATE_WIDTH), .IN_REG(0)) otc_inst (
                .clk(clk), .ce(1'b1), .a(go), .b(gtc), .p(otc_reg));
            wire [DATA_WIDTH-1:0] m_sat;
            round_sat #(.IN_WIDTH(IGW), .SHIFT(2 * GATE_FRAC - DATA_FRAC), .OUT_WIDTH(DATA_WIDTH),
                        .MODE(1), .SAT(1))
                rnd_m_inst (.in_data(otc_reg), .out_data(m_sat), .out_ovf(ovf[10]));
            reg [DATA_WIDTH-1:0] m_reg;
            always @(posedge clk) m_reg <= m_sat;
            assign out_a = m_reg;
            assign out_b = c_d30;
            /* verilator lint_off UNUSEDSIGNAL */
            wire [3*PRE_WIDTH-1:0] unused_w = {in_w0, in_w1, in_w2};
            /* verilator lint_on UNUSEDSIGNAL */
        end else begin : g_gru
            localparam integer RAW = PRE_WIDTH + 1;  // gx + gh
            localparam integer RHW = GATE_WIDTH + PRE_WIDTH;  // r*gh_n
            localparam integer RRH = rnd_width(RHW, GATE_FRAC);  // rnd(r*gh_n), pre frac
            localparam integer NSW = sum_width(PRE_WIDTH, RRH);  // gx_n + rnd(r*gh_n)
            localparam integer OMW = GATE_WIDTH + 1;  // 1 - z
            localparam integer ZNW = OMW + GATE_WIDTH;  // (1-z)*n
            localparam integer S_ZN = 2 * GATE_FRAC - DATA_FRAC;
            localparam integer RZN = rnd_width(ZNW, S_ZN);  // rnd((1-z)*n), data frac
            localparam integer ZHW = GATE_WIDTH + DATA_WIDTH;  // z*h_prev
            localparam integer RZH = rnd_width(ZHW, GATE_FRAC);  // rnd(z*h_prev), data frac
            localparam integer HSW = sum_width(RZN, RZH);  // rnd((1-z)*n) + rnd(z*h_prev)
            // stages (cycle after in_valid) whose registers hold the r, z sums, r/z, zn, n
            localparam integer T_RZ = 1;
            localparam integer T_G = T_RZ + ACT_LAT;
            localparam integer T_ZN = T_G + 3;
            localparam integer T_N = T_ZN + ACT_LAT;
            // round_sat overflow flags: as for the LSTM, dropped.
            /* verilator lint_off UNUSEDSIGNAL */
            wire [6:0] ovf;
            /* verilator lint_on UNUSEDSIGNAL */

            // ---- 1: r, z pre-activations sat_pre(gx + gh) (the ports come from registers)
            wire [RAW-1:0] ar_sum = {in_z0[PRE_WIDTH-1], in_z0} + {in_w0[PRE_WIDTH-1], in_w0};
            wire [RAW-1:0] az_sum = {in_z1[PRE_WIDTH-1], in_z1} + {in_w1[PRE_WIDTH-1], in_w1};
            wire [PRE_WIDTH-1:0] ar_sat, az_sat;
            round_sat #(.IN_WIDTH(RAW), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_ar_inst (.in_data(ar_sum), .out_data(ar_sat), .out_ovf(ovf[0]));
            round_sat #(.IN_WIDTH(RAW), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_az_inst (.in_data(az_sum), .out_data(az_sat), .out_ovf(ovf[1]));
            reg [PRE_WIDTH-1:0] ar_reg, az_reg;
            always @(posedge clk) begin
                ar_reg <= ar_sat;
                az_reg <= az_sat;
            end
            // delays named after the stage they reach (_d<stage>, here and below)
            wire [PRE_WIDTH-1:0] xn_d12, hn_d10;
            wire [DATA_WIDTH-1:0] hp_d10;
            pipe_reg #(.WIDTH(PRE_WIDTH), .DEPTH(T_ZN - 1), .RESET(0)) xn_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(in_z2), .out_data(xn_d12));
            pipe_reg #(.WIDTH(PRE_WIDTH + DATA_WIDTH), .DEPTH(T_G), .RESET(0)) hn_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data({in_w2, in_s}), .out_data({hn_d10, hp_d10}));

            // ---- 2-10: r, z
            wire [GATE_WIDTH-1:0] gr, gz;
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(0), .TABLE_FILE(SIG_FILE))
                act_r_inst (.clk(clk), .in_data(ar_reg), .out_data(gr));
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(0), .TABLE_FILE(SIG_FILE))
                act_z_inst (.clk(clk), .in_data(az_reg), .out_data(gz));

            // ---- 11-13: zn = sat_pre(gx_n + rnd(r*gh_n)); z*h_prev and 1-z start here too
            localparam [OMW-1:0] ONE = {{(OMW - 1) {1'b0}}, 1'b1} << GATE_FRAC;  // 1.0
            wire signed [RHW-1:0] rhn_reg;
            wire signed [ZHW-1:0] zh_reg;
            reg signed [OMW-1:0] omz_reg;
            mul_reg #(.A_WIDTH(GATE_WIDTH), .B_WIDTH(PRE_WIDTH), .IN_REG(0)) rhn_inst (
                .clk(clk), .ce(1'b1), .a(gr), .b(hn_d10), .p(rhn_reg));
            mul_reg #(.A_WIDTH(GATE_WIDTH), .B_WIDTH(DATA_WIDTH), .IN_REG(0)) zh_inst (
                .clk(clk), .ce(1'b1), .a(gz), .b(hp_d10), .p(zh_reg));
            always @(posedge clk) omz_reg <= ONE - {gz[GATE_WIDTH-1], gz};
            wire [RRH-1:0] rhn_r;
            wire [RZH-1:0] zh_r;
            round_sat #(.IN_WIDTH(RHW), .SHIFT(GATE_FRAC), .OUT_WIDTH(RRH), .MODE(1), .SAT(1))
                rnd_rhn_inst (.in_data(rhn_reg), .out_data(rhn_r), .out_ovf(ovf[2]));
            round_sat #(.IN_WIDTH(ZHW), .SHIFT(GATE_FRAC), .OUT_WIDTH(RZH), .MODE(1), .SAT(1))
                rnd_zh_inst (.in_data(zh_reg), .out_data(zh_r), .out_ovf(ovf[3]));
            reg [RRH-1:0] rhn_r_reg;
            always @(posedge clk) rhn_r_reg <= rhn_r;
            wire [NSW-1:0] zn_sum = {{(NSW - PRE_WIDTH) {xn_d12[PRE_WIDTH-1]}}, xn_d12}
                                  + {{(NSW - RRH) {rhn_r_reg[RRH-1]}}, rhn_r_reg};
            wire [PRE_WIDTH-1:0] zn_sat;
            round_sat #(.IN_WIDTH(NSW), .SHIFT(0), .OUT_WIDTH(PRE_WIDTH), .MODE(1), .SAT(1))
                sat_zn_inst (.in_data(zn_sum), .out_data(zn_sat), .out_ovf(ovf[4]));
            reg [PRE_WIDTH-1:0] zn_reg;
            always @(posedge clk) zn_reg <= zn_sat;
            wire [OMW-1:0] omz_d22;
            wire [RZH-1:0] zh_r_d24;
            pipe_reg #(.WIDTH(OMW), .DEPTH(T_N - T_G - 1), .RESET(0)) omz_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(omz_reg), .out_data(omz_d22));
            pipe_reg #(.WIDTH(RZH), .DEPTH(T_N + 2 - (T_G + 1)), .RESET(0)) zh_pipe_inst (
                .clk(clk), .rst(rst), .ce(1'b1), .in_data(zh_r), .out_data(zh_r_d24));

            // ---- 14-22: n = tanh(zn)
            wire [GATE_WIDTH-1:0] gn;
            engine_act #(.IN_WIDTH(PRE_WIDTH), .OUT_WIDTH(GATE_WIDTH), .OUT_FRAC(GATE_FRAC),
                         .SEG_BITS(ACT_SEG_BITS), .FUNC(1), .TABLE_FILE(TANH_FILE))
                act_n_inst (.clk(clk), .in_data(zn_reg), .out_data(gn));

            // ---- 23-25: h = sat_data(rnd((1-z)*n) + rnd(z*h_prev))
            wire signed [ZNW-1:0] zn_p_reg;
            mul_reg #(.A_WIDTH(OMW), .B_WIDTH(GATE_WIDTH), .IN_REG(0)) zn_p_inst (
                .clk(clk), .ce(1'b1), .a(omz_d22), .b(gn), .p(zn_p_reg));
            wire [RZN-1:0] zn_r;
            round_sat #(.IN_WIDTH(ZNW), .SHIFT(S_ZN), .OUT_WIDTH(RZN), .MODE(1), .SAT(1))
                rnd_zn_inst (.in_data(zn_p_reg), .out_data(zn_r), .out_ovf(ovf[5]));
            reg [RZN-1:0] zn_r_reg;
            always @(posedge clk) zn_r_reg <= zn_r;
            wire [HSW-1:0] h_sum = {{(HSW - RZN) {zn_r_reg[RZN-1]}}, zn_r_reg}
                                 + {{(HSW - RZH) {zh_r_d24[RZH-1]}}, zh_r_d24};
            wire [DATA_WIDTH-1:0] h_sat;
            round_sat #(.IN_WIDTH(HSW), .SHIFT(0), .OUT_WIDTH(DATA_WIDTH), .MODE(1), .SAT(1))
                sat_h_inst (.in_data(h_sum), .out_data(h_sat), .out_ovf(ovf[6]));
            reg [DATA_WIDTH-1:0] h_reg;
            always @(posedge clk) h_reg <= h_sat;
            assign out_a = h_reg;
            assign out_b = h_reg;
            /* verilator lint_off UNUSEDSIGNAL */
            wire [3*PEEP_WIDTH+PRE_WIDTH-1:0] unused_p = {in_p0, in_p1, in_p2, in_z3};
            /* verilator lint_on UNUSEDSIGNAL */
        end
    endgenerate
endmodule

`resetall
