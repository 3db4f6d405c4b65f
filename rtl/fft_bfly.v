// fft_bfly: one radix-2 DIT butterfly with a constant quantized twiddle (golden.fft._dit).
//
// Function : t  = round_RND(b * w, TW_WIDTH-2)   (each component of the complex product exact,
//                 then one RND rounding; round_sat MODE 1)
//            x0 = sat(a + t),  x1 = sat(a - t)  to OUT_WIDTH bits (round_sat SHIFT 0, SAT).
//            w = TW_RE + i*TW_IM, codes of sTW_WIDTH.(TW_WIDTH-2).  CONJ_B 1: the b port holds
//            conj(b) (fft_dit's CONJ_UPPER), only with a wired twiddle.
// Wired    : for w = 1, -i, +i the product is exact without rounding (the twiddle is exactly
//            2**(TW_WIDTH-2)), so t is b's components with signs: t = b, (b_im, -b_re),
//            (-b_im, b_re) (conj(b): b_im negated).  No multiplier and no negation: where a
//            component of t is -u, a + t and a - t are a - u and a + u, so the two sums swap.
// Formats  : a, b sIN_WIDTH.F -> x0, x1 sOUT_WIDTH.F (same F; OUT_WIDTH = stage format).
// Internal : product s(IN_WIDTH+TW_WIDTH+1).(F+TW_WIDTH-2); t s(IN_WIDTH+4).F (exact, no
//            saturation); a +- t s(IN_WIDTH+5).F before saturation.
// Latency  : LATENCY cycles of ce, one multiply or one add per cycle.  General twiddle:
//            LATENCY must be 6: cmul 4 (operands, partial products, products, sum), the t
//            register (the RND add), the output register (a +- t and SAT).  Wired twiddle:
//            any LATENCY >= 1: a and b pass LATENCY-1 registers, then a +- t and SAT.  a is
//            delayed by LATENCY-1 in both cases.
// Bit growth: 1 bit per stage (the caller sets OUT_WIDTH = stage input format width + 1).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module fft_bfly #(
    parameter integer IN_WIDTH  = 16,
    parameter integer OUT_WIDTH = 17,
    parameter integer TW_WIDTH  = 18,
    parameter integer TW_RE     = 65536,
    parameter integer TW_IM     = 0,
    parameter integer LATENCY   = 6,
    parameter integer CONJ_B    = 0
) (
    input  wire                 clk,
    input  wire                 ce,
    input  wire [IN_WIDTH-1:0]  a_re,
    input  wire [IN_WIDTH-1:0]  a_im,
    input  wire [IN_WIDTH-1:0]  b_re,
    input  wire [IN_WIDTH-1:0]  b_im,
    output reg  [OUT_WIDTH-1:0] x0_re,
    output reg  [OUT_WIDTH-1:0] x0_im,
    output reg  [OUT_WIDTH-1:0] x1_re,
    output reg  [OUT_WIDTH-1:0] x1_im
);

    localparam integer TWF = TW_WIDTH - 2;
    localparam integer ONE = 1 << TWF;
    localparam integer TWD = IN_WIDTH + 4;  // width of t
    localparam integer PW = IN_WIDTH + TW_WIDTH + 1;  // cmul product width
    localparam integer SW = TWD + 1;  // width of a +- t
    localparam integer CMUL_LATENCY = 4;
    localparam integer GENERAL_LATENCY = CMUL_LATENCY + 2;  // + t register + output register

    // 0 general product, 1 w = 1, 2 w = -i, 3 w = +i
    localparam integer KIND = (TW_RE == ONE && TW_IM == 0) ? 1 :
                              (TW_RE == 0 && TW_IM == -ONE) ? 2 :
                              (TW_RE == 0 && TW_IM == ONE) ? 3 : 0;
    // Wired: t = (+-u_re, +-u_im) with u = (b_re, b_im) for w = 1, (b_im, b_re) for w = -+i; a
    // minus sign (conj(b) flips the one on b_im) swaps that component's sum and difference.
    localparam integer SWAP_RE = (KIND == 2) ? CONJ_B : (KIND == 3) ? 1 - CONJ_B : 0;
    localparam integer SWAP_IM = (KIND == 1) ? CONJ_B : (KIND == 2) ? 1 : 0;

    initial begin
        if ((KIND == 0 && (LATENCY != GENERAL_LATENCY || CONJ_B != 0)) || LATENCY < 1
                || CONJ_B < 0 || CONJ_B > 1) begin
            $error("%m: bad parameters TW_RE=%0d TW_IM=%0d LATENCY=%0d CONJ_B=%0d %s %0d)",
                   TW_RE, TW_IM, LATENCY, CONJ_B, "(a general twiddle needs CONJ_B 0, LATENCY",
                   GENERAL_LATENCY);
            $finish;
        end
    end

    wire [2*IN_WIDTH-1:0] a_dly;  // {a_im, a_re} delayed by LATENCY-1
    wire [TWD-1:0] u_re, u_im;  // the operand added to and subtracted from a

    generate
        if (KIND == 0) begin : g_mult
            pipe_reg #(
                .WIDTH(2 * IN_WIDTH),
                .DEPTH(GENERAL_LATENCY - 1),
                .RESET(0)
            ) a_delay_inst (
                .clk(clk),
                .rst(1'b0),
                .ce(ce),
                .in_data({a_im, a_re}),
                .out_data(a_dly)
            );
            localparam [TW_WIDTH-1:0] WR = TW_RE[TW_WIDTH-1:0];
            localparam [TW_WIDTH-1:0] WI = TW_IM[TW_WIDTH-1:0];
            wire [PW-1:0] p_re, p_im;
            cmul #(
                .A_WIDTH(IN_WIDTH),
                .B_WIDTH(TW_WIDTH)
            ) cmul_inst (
                .clk(clk),
                .ce(ce),
                .a_re(b_re),
                .a_im(b_im),
                .b_re(WR),
                .b_im(WI),
                .pair(1'b0),
                .p_re(p_re),
                .p_im(p_im)
            );
            wire [TWD-1:0] t_re_next, t_im_next;
            /* verilator lint_off UNUSEDSIGNAL */
            wire ovf_re, ovf_im;  // never set: TWD holds every rounded product
            /* verilator lint_on UNUSEDSIGNAL */
            round_sat #(
                .IN_WIDTH(PW),
                .SHIFT(TWF),
                .OUT_WIDTH(TWD),
                .MODE(1),
                .SAT(1)
            ) t_re_rnd_inst (
                .in_data(p_re),
                .out_data(t_re_next),
                .out_ovf(ovf_re)
            );
            round_sat #(
                .IN_WIDTH(PW),
                .SHIFT(TWF),
                .OUT_WIDTH(TWD),
                .MODE(1),
                .SAT(1)
            ) t_im_rnd_inst (
                .in_data(p_im),
                .out_data(t_im_next),
                .out_ovf(ovf_im)
            );
            reg [TWD-1:0] t_re_reg, t_im_reg;
            always @(posedge clk) begin
                if (ce) begin
                    t_re_reg <= t_re_next;
                    t_im_reg <= t_im_next;
                end
            end
            assign u_re = t_re_reg;
            assign u_im = t_im_reg;
        end else begin : g_wired
            wire [2*IN_WIDTH-1:0] b_dly;
            if (LATENCY > 1) begin : g_delay
                pipe_reg #(
                    .WIDTH(4 * IN_WIDTH),
                    .DEPTH(LATENCY - 1),
                    .RESET(0)
                ) ab_delay_inst (
                    .clk(clk),
                    .rst(1'b0),
                    .ce(ce),
                    .in_data({b_im, b_re, a_im, a_re}),
                    .out_data({b_dly, a_dly})
                );
            end else begin : g_now
                assign a_dly = {a_im, a_re};
                assign b_dly = {b_im, b_re};
            end
            wire [TWD-1:0] br = {{(TWD - IN_WIDTH) {b_dly[IN_WIDTH-1]}}, b_dly[IN_WIDTH-1:0]};
            wire [TWD-1:0] bi = {{(TWD - IN_WIDTH) {b_dly[2*IN_WIDTH-1]}},
                                 b_dly[2*IN_WIDTH-1:IN_WIDTH]};
            assign u_re = (KIND == 1) ? br : bi;
            assign u_im = (KIND == 1) ? bi : br;
        end
    endgenerate

    wire [SW-1:0] ar = {{(SW - IN_WIDTH) {a_dly[IN_WIDTH-1]}}, a_dly[IN_WIDTH-1:0]};
    wire [SW-1:0] ai = {{(SW - IN_WIDTH) {a_dly[2*IN_WIDTH-1]}}, a_dly[2*IN_WIDTH-1:IN_WIDTH]};
    wire [SW-1:0] ur = {u_re[TWD-1], u_re};
    wire [SW-1:0] ui = {u_im[TWD-1], u_im};
    wire [SW-1:0] sum_re = ar + ur;
    wire [SW-1:0] sum_im = ai + ui;
    wire [SW-1:0] dif_re = ar - ur;
    wire [SW-1:0] dif_im = ai - ui;
    wire [SW-1:0] s0_re = (SWAP_RE != 0) ? dif_re : sum_re;  // a + t
    wire [SW-1:0] s1_re = (SWAP_RE != 0) ? sum_re : dif_re;  // a - t
    wire [SW-1:0] s0_im = (SWAP_IM != 0) ? dif_im : sum_im;
    wire [SW-1:0] s1_im = (SWAP_IM != 0) ? sum_im : dif_im;
    wire [OUT_WIDTH-1:0] q0_re, q0_im, q1_re, q1_im;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [3:0] ovf;  // saturation flags, not needed downstream
    /* verilator lint_on UNUSEDSIGNAL */

    round_sat #(.IN_WIDTH(SW), .SHIFT(0), .OUT_WIDTH(OUT_WIDTH), .MODE(0), .SAT(1))
        s0_re_sat_inst (.in_data(s0_re), .out_data(q0_re), .out_ovf(ovf[0]));
    round_sat #(.IN_WIDTH(SW), .SHIFT(0), .OUT_WIDTH(OUT_WIDTH), .MODE(0), .SAT(1))
        s0_im_sat_inst (.in_data(s0_im), .out_data(q0_im), .out_ovf(ovf[1]));
    round_sat #(.IN_WIDTH(SW), .SHIFT(0), .OUT_WIDTH(OUT_WIDTH), .MODE(0), .SAT(1))
        s1_re_sat_inst (.in_data(s1_re), .out_data(q1_re), .out_ovf(ovf[2]));
    round_sat #(.IN_WIDTH(SW), .SHIFT(0), .OUT_WIDTH(OUT_WIDTH), .MODE(0), .SAT(1))
        s1_im_sat_inst (.in_data(s1_im), .out_data(q1_im), .out_ovf(ovf[3]));

    always @(posedge clk) begin
        if (ce) begin
            x0_re <= q0_re;
            x0_im <= q0_im;
            x1_re <= q1_re;
            x1_im <= q1_im;
        end
    end

endmodule

`resetall
