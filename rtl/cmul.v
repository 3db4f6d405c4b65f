// cmul: registered complex multiplier, 4-multiplier form (maps to 4 DSP slices).
//
// Function : p = a * b, exact:  p_re = a_re*b_re - a_im*b_im,  p_im = a_re*b_im + a_im*b_re.
//            With pair = 1 the operands are two independent real pairs (the packed word 0
//            of a Hermitian half spectrum, golden.circulant.pack_half_spectrum: re = bin 0,
//            im = bin k/2):  p_re = a_re*b_re,  p_im = a_im*b_im.
// Formats  : a sA_WIDTH.Fa, b sB_WIDTH.Fb -> p s(A_WIDTH+B_WIDTH+1).(Fa+Fb), no rounding.
// Latency  : 3 cycles of ce: operand registers, product registers (DSP MREG), sum register.
// Bit growth: product A+B bits, +1 for the sum of two products (-2^(A-1) * -2^(B-1) * 2
//            needs A+B+1 bits).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module cmul #(
    parameter integer A_WIDTH = 18,
    parameter integer B_WIDTH = 18
) (
    input  wire                      clk,
    input  wire                      ce,
    input  wire signed [A_WIDTH-1:0] a_re,
    input  wire signed [A_WIDTH-1:0] a_im,
    input  wire signed [B_WIDTH-1:0] b_re,
    input  wire signed [B_WIDTH-1:0] b_im,
    input  wire                      pair,
    output reg signed  [A_WIDTH+B_WIDTH:0] p_re,
    output reg signed  [A_WIDTH+B_WIDTH:0] p_im
);

    reg signed [A_WIDTH-1:0] a_re_reg, a_im_reg;
    reg signed [B_WIDTH-1:0] b_re_reg, b_im_reg;
    reg pair_d1, pair_d2;
    reg signed [A_WIDTH+B_WIDTH-1:0] rr_reg, ii_reg, ri_reg, ir_reg;

    always @(posedge clk) begin
        if (ce) begin
            a_re_reg <= a_re;
            a_im_reg <= a_im;
            b_re_reg <= b_re;
            b_im_reg <= b_im;
            pair_d1  <= pair;
            rr_reg   <= a_re_reg * b_re_reg;
            ii_reg   <= a_im_reg * b_im_reg;
            ri_reg   <= a_re_reg * b_im_reg;
            ir_reg   <= a_im_reg * b_re_reg;
            pair_d2  <= pair_d1;
            if (pair_d2) begin
                p_re <= {rr_reg[A_WIDTH+B_WIDTH-1], rr_reg};
                p_im <= {ii_reg[A_WIDTH+B_WIDTH-1], ii_reg};
            end else begin
                p_re <= {rr_reg[A_WIDTH+B_WIDTH-1], rr_reg} - {ii_reg[A_WIDTH+B_WIDTH-1], ii_reg};
                p_im <= {ri_reg[A_WIDTH+B_WIDTH-1], ri_reg} + {ir_reg[A_WIDTH+B_WIDTH-1], ir_reg};
            end
        end
    end

endmodule

`resetall
