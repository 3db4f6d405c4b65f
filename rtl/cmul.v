// cmul: registered complex multiplier, 4-multiplier form (4 DSP slices when the operands fit
// the primitive; an operand wider than MUL_WIDTH is split explicitly, see below).
//
// Function : p = a * b, exact:  p_re = a_re*b_re - a_im*b_im,  p_im = a_re*b_im + a_im*b_re.
//            With pair = 1 the operands are two independent real pairs (the packed word 0
//            of a Hermitian half spectrum, golden.circulant.pack_half_spectrum: re = bin 0,
//            im = bin k/2):  p_re = a_re*b_re,  p_im = a_im*b_im.
// Split    : MUL_WIDTH is the widest signed A operand of the multiplier primitive (18 on ECP5
//            MULT18X18D and on DSP48E2's B port; 27 on DSP48E2's A port).  When A_WIDTH >
//            MUL_WIDTH, a = a_hi * 2^L + a_lo with L = MUL_WIDTH-1 (a_lo unsigned, L bits;
//            a_hi signed, A_WIDTH-L bits): both partial products are registered (stage 2)
//            and joined by one add in stage 3, so no fabric adder sits behind a multiplier in
//            the same cycle.  Otherwise stage 3 is a plain register (the DSP's P register).
// Formats  : a sA_WIDTH.Fa, b sB_WIDTH.Fb -> p s(A_WIDTH+B_WIDTH+1).(Fa+Fb), no rounding.
// Latency  : 4 cycles of ce: operand registers, partial products (DSP MREG), products, sum.
//            Every cycle holds at most one multiply or one add.
// Bit growth: product A+B bits, +1 for the sum of two products (-2^(A-1) * -2^(B-1) * 2
//            needs A+B+1 bits).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module cmul #(
    parameter integer A_WIDTH   = 18,
    parameter integer B_WIDTH   = 18,
    parameter integer MUL_WIDTH = 18
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
    localparam integer PW = A_WIDTH + B_WIDTH;  // one real product

    initial begin
        if (A_WIDTH < 2 || B_WIDTH < 2 || MUL_WIDTH < 3) begin
            $error("%m: bad parameters A_WIDTH=%0d B_WIDTH=%0d MUL_WIDTH=%0d", A_WIDTH, B_WIDTH,
                   MUL_WIDTH);
            $finish;
        end
    end

    reg signed [A_WIDTH-1:0] a_re_reg, a_im_reg;
    reg signed [B_WIDTH-1:0] b_re_reg, b_im_reg;
    reg pair_d1, pair_d2, pair_d3;
    // the four real products rr, ii, ri, ir after stage 3
    reg signed [PW-1:0] rr_reg, ii_reg, ri_reg, ir_reg;

    // The A operand registers are kept per instance: a spectrum word broadcast to many PEs
    // would otherwise be registered once after synthesis merges the identical registers, and
    // that one register would drive every PE's multipliers across the die.
    (* keep *)
    always @(posedge clk) begin
        if (ce) begin
            a_re_reg <= a_re;
            a_im_reg <= a_im;
        end
    end
    always @(posedge clk) begin
        if (ce) begin
            b_re_reg <= b_re;
            b_im_reg <= b_im;
            pair_d1  <= pair;
            pair_d2  <= pair_d1;
            pair_d3  <= pair_d2;
        end
    end

    generate
        if (A_WIDTH > MUL_WIDTH) begin : g_split
            localparam integer L = MUL_WIDTH - 1;  // low part: unsigned, L bits
            localparam integer HW = A_WIDTH - L;  // high part: signed
            wire signed [L:0] re_lo = {1'b0, a_re_reg[L-1:0]};
            wire signed [L:0] im_lo = {1'b0, a_im_reg[L-1:0]};
            wire signed [HW-1:0] re_hi = a_re_reg[A_WIDTH-1:L];
            wire signed [HW-1:0] im_hi = a_im_reg[A_WIDTH-1:L];
            // partial products: lo (L+1+B bits), hi (HW+B bits)
            reg signed [L+B_WIDTH:0] rr_lo, ii_lo, ri_lo, ir_lo;
            reg signed [HW+B_WIDTH-1:0] rr_hi, ii_hi, ri_hi, ir_hi;
            // a*b = (a_hi*b << L) + a_lo*b, exact in PW bits (HW >= 2, so both extensions are
            // at least one bit)
            function automatic [PW-1:0] join_parts(input reg [HW+B_WIDTH-1:0] hi,
                                                   input reg [L+B_WIDTH:0] lo);
                join_parts = {hi, {L{1'b0}}} + {{(HW - 1) {lo[L+B_WIDTH]}}, lo};
            endfunction
            always @(posedge clk) begin
                if (ce) begin
                    rr_lo  <= re_lo * b_re_reg;
                    ii_lo  <= im_lo * b_im_reg;
                    ri_lo  <= re_lo * b_im_reg;
                    ir_lo  <= im_lo * b_re_reg;
                    rr_hi  <= re_hi * b_re_reg;
                    ii_hi  <= im_hi * b_im_reg;
                    ri_hi  <= re_hi * b_im_reg;
                    ir_hi  <= im_hi * b_re_reg;
                    rr_reg <= join_parts(rr_hi, rr_lo);
                    ii_reg <= join_parts(ii_hi, ii_lo);
                    ri_reg <= join_parts(ri_hi, ri_lo);
                    ir_reg <= join_parts(ir_hi, ir_lo);
                end
            end
        end else begin : g_whole
            reg signed [PW-1:0] rr_m, ii_m, ri_m, ir_m;
            always @(posedge clk) begin
                if (ce) begin
                    rr_m   <= a_re_reg * b_re_reg;
                    ii_m   <= a_im_reg * b_im_reg;
                    ri_m   <= a_re_reg * b_im_reg;
                    ir_m   <= a_im_reg * b_re_reg;
                    rr_reg <= rr_m;
                    ii_reg <= ii_m;
                    ri_reg <= ri_m;
                    ir_reg <= ir_m;
                end
            end
        end
    endgenerate

    always @(posedge clk) begin
        if (ce) begin
            if (pair_d3) begin
                p_re <= {rr_reg[PW-1], rr_reg};
                p_im <= {ii_reg[PW-1], ii_reg};
            end else begin
                p_re <= {rr_reg[PW-1], rr_reg} - {ii_reg[PW-1], ii_reg};
                p_im <= {ri_reg[PW-1], ri_reg} + {ir_reg[PW-1], ir_reg};
            end
        end
    end

endmodule

`resetall
