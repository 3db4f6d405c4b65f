// cmul: registered complex multiplier: 4 real multipliers (4 DSP slices when the operands fit
// the primitive; an operand wider than MUL_WIDTH is split explicitly, see below), or 3 (MULTS).
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
// MULTS 3  : Gauss's form, a DSP slice less per complex multiply for three pre-adds in the
//            fabric: k1 = b_re*(a_re + a_im), k2 = a_re*(b_im - b_re), k3 = a_im*(b_re + b_im);
//            p_re = k1 - k3, p_im = k1 + k2 (pair: k1 = a_re*b_re, k3 = a_im*b_im, the
//            pre-adds replaced by the plain operand).  Stage 1 registers the operands and the
//            pre-sums, so the latency is the same.  The pre-sums are one bit wider, so both
//            operands + 1 bit must fit MUL_WIDTH (DSP48E2's 27-bit A port and a 17-bit B
//            operand, not ECP5's 18x18): elaboration stops otherwise.
// Formats  : a sA_WIDTH.Fa, b sB_WIDTH.Fb -> p s(A_WIDTH+B_WIDTH+1).(Fa+Fb), no rounding.
// Latency  : LATENCY = 4 + 2*PIPE cycles of ce: operand registers, partial products (DSP
//            MREG), products, sum.  Every cycle holds at most one multiply or one add.
// Pipe     : PIPE = 1 adds a second operand register and a second product register, so that
//            a multiplier placed far from the logic around it (many multipliers compete for
//            the few multiplier sites) has a register on each side that can sit next to it:
//            the long routes then run register to register.  The multiplies are mul_reg
//            instances: on ECP5 the second operand register and the product register are the
//            MULT18X18D's own input and output registers; DSP48E2 absorbs them into its A/B
//            and P registers.
// Bit growth: product A+B bits, +1 for the sum of two products (-2^(A-1) * -2^(B-1) * 2
//            needs A+B+1 bits).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module cmul #(
    parameter integer A_WIDTH   = 18,
    parameter integer B_WIDTH   = 18,
    parameter integer MUL_WIDTH = 18,
    parameter integer PIPE      = 0,  // 1: a register more on each side of the multipliers
    parameter integer MULTS     = 4   // real multipliers: 4, or 3 (Gauss form, see above)
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
        if (A_WIDTH < 2 || B_WIDTH < 2 || MUL_WIDTH < 3 || PIPE < 0 || PIPE > 1
                || (MULTS != 3 && MULTS != 4)
                || (MULTS == 3 && (A_WIDTH + 1 > MUL_WIDTH || B_WIDTH + 1 > MUL_WIDTH))) begin
            $error("%m: bad parameters A_WIDTH=%0d B_WIDTH=%0d MUL_WIDTH=%0d PIPE=%0d MULTS=%0d",
                   A_WIDTH, B_WIDTH, MUL_WIDTH, PIPE, MULTS);
            $finish;
        end
    end

    // pair travels with the operands to the sum stage (stage 4, + 2 with PIPE)
    wire pair_s;
    pipe_reg #(.WIDTH(1), .DEPTH(3 + 2 * PIPE), .RESET(0)) pair_pipe_inst (
        .clk(clk), .rst(1'b0), .ce(ce), .in_data(pair), .out_data(pair_s));

    generate
        if (MULTS == 3) begin : g_three
            // stage 1: operands and pre-sums (one add each), pair selecting the real-pair form
            localparam integer SA = A_WIDTH + 1;  // ar + ai
            localparam integer SB = B_WIDTH + 1;  // bi - br, br + bi
            (* keep *) reg signed [A_WIDTH-1:0] ar_reg, ai_reg;
            (* keep *) reg signed [SA-1:0] as_reg;
            reg signed [B_WIDTH-1:0] br_reg;
            reg signed [SB-1:0] bd_reg, bs_reg;
            always @(posedge clk) begin
                if (ce) begin
                    ar_reg  <= a_re;
                    ai_reg  <= a_im;
                    as_reg  <= pair ? {a_re[A_WIDTH-1], a_re}
                                    : {a_re[A_WIDTH-1], a_re} + {a_im[A_WIDTH-1], a_im};
                    br_reg  <= b_re;
                    bd_reg  <= {b_im[B_WIDTH-1], b_im} - {b_re[B_WIDTH-1], b_re};
                    bs_reg  <= pair ? {b_im[B_WIDTH-1], b_im}
                                    : {b_re[B_WIDTH-1], b_re} + {b_im[B_WIDTH-1], b_im};
                end
            end
            // stages 2-3 (+ PIPE): k1 = br*(ar+ai), k2 = ar*(bi-br), k3 = ai*(br+bi); each fits
            // PW+1 bits (the sums are modulo 2^(PW+1): the exact results fit)
            wire signed [PW:0] k1, k2, k3;
            wire signed [PW:0] k1_j, k2_j, k3_j;
            mul_reg #(.A_WIDTH(SA), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) k1_inst (
                .clk(clk), .ce(ce), .a(as_reg), .b(br_reg), .p(k1));
            mul_reg #(.A_WIDTH(A_WIDTH), .B_WIDTH(SB), .IN_REG(PIPE)) k2_inst (
                .clk(clk), .ce(ce), .a(ar_reg), .b(bd_reg), .p(k2));
            mul_reg #(.A_WIDTH(A_WIDTH), .B_WIDTH(SB), .IN_REG(PIPE)) k3_inst (
                .clk(clk), .ce(ce), .a(ai_reg), .b(bs_reg), .p(k3));
            reg signed [PW:0] k1_reg, k2_reg, k3_reg;
            if (PIPE != 0) begin : g_ppipe
                reg signed [PW:0] k1_2, k2_2, k3_2;
                always @(posedge clk) begin
                    if (ce) {k1_2, k2_2, k3_2} <= {k1, k2, k3};
                end
                assign {k1_j, k2_j, k3_j} = {k1_2, k2_2, k3_2};
            end else begin : g_pnone
                assign {k1_j, k2_j, k3_j} = {k1, k2, k3};
            end
            always @(posedge clk) begin
                if (ce) {k1_reg, k2_reg, k3_reg} <= {k1_j, k2_j, k3_j};
            end
            // stage 4: pair: (ar*br, ai*bi); else (k1 - k3, k1 + k2)
            always @(posedge clk) begin
                if (ce) begin
                    if (pair_s) begin
                        p_re <= k1_reg;
                        p_im <= k3_reg;
                    end else begin
                        p_re <= k1_reg - k3_reg;
                        p_im <= k1_reg + k2_reg;
                    end
                end
            end
        end else begin : g_four
            reg signed [A_WIDTH-1:0] a_re_reg, a_im_reg;
            reg signed [B_WIDTH-1:0] b_re_reg, b_im_reg;
            // the four real products rr, ii, ri, ir after stage 3
            reg signed [PW-1:0] rr_reg, ii_reg, ri_reg, ir_reg;

            // The A operand registers are kept per instance: a spectrum word broadcast to many
            // PEs would otherwise be registered once after synthesis merges the identical
            // registers, and that one register would drive every PE's multipliers across the die.
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
                end
            end

            // The multipliers (mul_reg): with PIPE their operand registers are a second register
            // after the operand registers above (on ECP5 the multiplier block's own input
            // registers), else the operand registers themselves feed them; each registers its
            // product (stage 2).
                if (A_WIDTH > MUL_WIDTH) begin : g_split
                localparam integer L = MUL_WIDTH - 1;  // low part: unsigned, L bits
                localparam integer HW = A_WIDTH - L;  // high part: signed
                wire signed [L:0] re_lo = {1'b0, a_re_reg[L-1:0]};
                wire signed [L:0] im_lo = {1'b0, a_im_reg[L-1:0]};
                wire signed [HW-1:0] re_hi = a_re_reg[A_WIDTH-1:L];
                wire signed [HW-1:0] im_hi = a_im_reg[A_WIDTH-1:L];
                // partial products: lo (L+1+B bits), hi (HW+B bits)
                wire signed [L+B_WIDTH:0] rr_lo, ii_lo, ri_lo, ir_lo;
                wire signed [HW+B_WIDTH-1:0] rr_hi, ii_hi, ri_hi, ir_hi;
                // the partial products the join adds: the product registers, or (PIPE) a copy
                wire signed [L+B_WIDTH:0] rr_lo_j, ii_lo_j, ri_lo_j, ir_lo_j;
                wire signed [HW+B_WIDTH-1:0] rr_hi_j, ii_hi_j, ri_hi_j, ir_hi_j;
                // a*b = (a_hi*b << L) + a_lo*b, exact in PW bits (HW >= 2, so both extensions are
                // at least one bit)
                function automatic [PW-1:0] join_parts(input reg [HW+B_WIDTH-1:0] hi,
                                                       input reg [L+B_WIDTH:0] lo);
                    join_parts = {hi, {L{1'b0}}} + {{(HW - 1) {lo[L+B_WIDTH]}}, lo};
                endfunction
                mul_reg #(.A_WIDTH(L + 1), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) rr_lo_inst (
                    .clk(clk), .ce(ce), .a(re_lo), .b(b_re_reg), .p(rr_lo));
                mul_reg #(.A_WIDTH(L + 1), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) ii_lo_inst (
                    .clk(clk), .ce(ce), .a(im_lo), .b(b_im_reg), .p(ii_lo));
                mul_reg #(.A_WIDTH(L + 1), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) ri_lo_inst (
                    .clk(clk), .ce(ce), .a(re_lo), .b(b_im_reg), .p(ri_lo));
                mul_reg #(.A_WIDTH(L + 1), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) ir_lo_inst (
                    .clk(clk), .ce(ce), .a(im_lo), .b(b_re_reg), .p(ir_lo));
                mul_reg #(.A_WIDTH(HW), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) rr_hi_inst (
                    .clk(clk), .ce(ce), .a(re_hi), .b(b_re_reg), .p(rr_hi));
                mul_reg #(.A_WIDTH(HW), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) ii_hi_inst (
                    .clk(clk), .ce(ce), .a(im_hi), .b(b_im_reg), .p(ii_hi));
                mul_reg #(.A_WIDTH(HW), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) ri_hi_inst (
                    .clk(clk), .ce(ce), .a(re_hi), .b(b_im_reg), .p(ri_hi));
                mul_reg #(.A_WIDTH(HW), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) ir_hi_inst (
                    .clk(clk), .ce(ce), .a(im_hi), .b(b_re_reg), .p(ir_hi));
                always @(posedge clk) begin
                    if (ce) begin
                        rr_reg <= join_parts(rr_hi_j, rr_lo_j);
                        ii_reg <= join_parts(ii_hi_j, ii_lo_j);
                        ri_reg <= join_parts(ri_hi_j, ri_lo_j);
                        ir_reg <= join_parts(ir_hi_j, ir_lo_j);
                    end
                end
                if (PIPE != 0) begin : g_ppipe
                    reg signed [L+B_WIDTH:0] rr_lo2, ii_lo2, ri_lo2, ir_lo2;
                    reg signed [HW+B_WIDTH-1:0] rr_hi2, ii_hi2, ri_hi2, ir_hi2;
                    always @(posedge clk) begin
                        if (ce) begin
                            {rr_lo2, ii_lo2, ri_lo2, ir_lo2} <= {rr_lo, ii_lo, ri_lo, ir_lo};
                            {rr_hi2, ii_hi2, ri_hi2, ir_hi2} <= {rr_hi, ii_hi, ri_hi, ir_hi};
                        end
                    end
                    assign {rr_lo_j, ii_lo_j, ri_lo_j, ir_lo_j} = {rr_lo2, ii_lo2, ri_lo2, ir_lo2};
                    assign {rr_hi_j, ii_hi_j, ri_hi_j, ir_hi_j} = {rr_hi2, ii_hi2, ri_hi2, ir_hi2};
                end else begin : g_pnone
                    assign {rr_lo_j, ii_lo_j, ri_lo_j, ir_lo_j} = {rr_lo, ii_lo, ri_lo, ir_lo};
                    assign {rr_hi_j, ii_hi_j, ri_hi_j, ir_hi_j} = {rr_hi, ii_hi, ri_hi, ir_hi};
                end
            end else begin : g_whole
                wire signed [PW-1:0] rr_m, ii_m, ri_m, ir_m;
                wire signed [PW-1:0] rr_j, ii_j, ri_j, ir_j;  // rr_m.. or (PIPE) a second copy
                mul_reg #(.A_WIDTH(A_WIDTH), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) rr_inst (
                    .clk(clk), .ce(ce), .a(a_re_reg), .b(b_re_reg), .p(rr_m));
                mul_reg #(.A_WIDTH(A_WIDTH), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) ii_inst (
                    .clk(clk), .ce(ce), .a(a_im_reg), .b(b_im_reg), .p(ii_m));
                mul_reg #(.A_WIDTH(A_WIDTH), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) ri_inst (
                    .clk(clk), .ce(ce), .a(a_re_reg), .b(b_im_reg), .p(ri_m));
                mul_reg #(.A_WIDTH(A_WIDTH), .B_WIDTH(B_WIDTH), .IN_REG(PIPE)) ir_inst (
                    .clk(clk), .ce(ce), .a(a_im_reg), .b(b_re_reg), .p(ir_m));
                always @(posedge clk) begin
                    if (ce) begin
                        rr_reg <= rr_j;
                        ii_reg <= ii_j;
                        ri_reg <= ri_j;
                        ir_reg <= ir_j;
                    end
                end
                if (PIPE != 0) begin : g_ppipe
                    reg signed [PW-1:0] rr_m2, ii_m2, ri_m2, ir_m2;
                    always @(posedge clk) begin
                        if (ce) {rr_m2, ii_m2, ri_m2, ir_m2} <= {rr_m, ii_m, ri_m, ir_m};
                    end
                    assign {rr_j, ii_j, ri_j, ir_j} = {rr_m2, ii_m2, ri_m2, ir_m2};
                end else begin : g_pnone
                    assign {rr_j, ii_j, ri_j, ir_j} = {rr_m, ii_m, ri_m, ir_m};
                end
            end

            always @(posedge clk) begin
                if (ce) begin
                    if (pair_s) begin
                        p_re <= {rr_reg[PW-1], rr_reg};
                        p_im <= {ii_reg[PW-1], ii_reg};
                    end else begin
                        p_re <= {rr_reg[PW-1], rr_reg} - {ii_reg[PW-1], ii_reg};
                        p_im <= {ri_reg[PW-1], ri_reg} + {ir_reg[PW-1], ir_reg};
                    end
                end
            end
        end
    endgenerate

endmodule

`resetall
