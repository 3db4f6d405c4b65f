// engine_pe: one circulant processing element of the engine: WPAR complex multipliers, the
// K/2 exact frequency-domain accumulators of one row (golden CirculantFixed.accumulate,
// docs/numerics.md step 6), and one slice of the hand-off chain that carries finished
// accumulations to the shared IFFT path.
//
// Function : a block's K/2 packed half-spectrum words arrive in NW = K/2 / WPAR beats of WPAR
//            words: beat b carries words b*WPAR + m, m = 0..WPAR-1.  Multiplier m multiplies
//            the broadcast spectrum word X_m by this PE's weight word W_m (same packing), cmul
//            in `pair` mode for word 0 (bins 0 and K/2, two real products: multiplier 0 of
//            beat 0), and accumulates acc[w] = (first ? 0 : acc[w]) + X*W.  The caller
//            presents the beats of a block in order b = 0..NW-1 (valid beats, gaps allowed),
//            so each multiplier's NW accumulators form a rotating register: the head is always
//            the sum of the word the next product belongs to and each valid beat writes the new
//            sum at the tail (no indexed read, no read mux); with NW = 1 (WPAR = K/2, a whole
//            block per beat) it is one register per multiplier, the natural fit for an
//            accumulating DSP.  After the beat flagged `acc_end` (the last beat of a row's last
//            block) the rings hold words 0..K/2-1; the next cycle copies them into the chain
//            slice in word order.  With chain_shift the slice loads chain_in (the next PE's).
// Ports    : x_re/x_im (w_re/w_im): WPAR lanes of X_WIDTH (W_WIDTH) bits, lane m = the real
//            (imaginary) part of word b*WPAR + m.
// Formats  : X sX_WIDTH.Fx, W sW_WIDTH.Fw -> product s(X+W+1).(Fx+Fw) -> acc sACC_WIDTH.(Fx+Fw).
//            ACC_WIDTH is derived by the engine from the longest accumulation (exact).
// Latency  : LATENCY = 4 + 2*MUL_PIPE cycles from (x, w, pair) to the product (cmul, with
//            MUL_PIPE a register more on each side of its multipliers); the caller delays
//            the beat's control (acc_*) by LATENCY cycles so it arrives with the product; the
//            chain slice holds the row's sums 1 cycle after acc_end.  II = 1.
// Timing   : cmul keeps one multiply or one add per cycle; the accumulate cycle is one
//            ACC_WIDTH-bit add (the `first` gate folds into its LUTs); the chain is a 2:1 mux.
// Area     : per PE the chain slice costs K*ACC_WIDTH mux bits whatever WPAR is, so per
//            complex MAC it costs K*ACC_WIDTH / WPAR: a wider PE spends its area on multipliers.
// Bit growth: ceil(log2 q) bits over the product for q accumulated blocks (caller's ACC_WIDTH).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_pe #(
    parameter integer K         = 8,
    parameter integer X_WIDTH   = 19,
    parameter integer W_WIDTH   = 16,
    parameter integer ACC_WIDTH = 44,
    parameter integer MUL_WIDTH = 18,  // widest signed multiplier operand (cmul): ECP5 18, DSP48E2 27
    parameter integer WPAR      = 1,   // words (complex MACs) per beat, a power of two dividing K/2
    parameter integer MUL_PIPE  = 1,   // cmul PIPE: registers next to the multipliers (LATENCY)
    parameter integer MUL_MULTS = 4    // cmul MULTS: real multipliers per complex one (4, or 3)
) (
    input  wire                        clk,
    input  wire [WPAR*X_WIDTH-1:0]     x_re,
    input  wire [WPAR*X_WIDTH-1:0]     x_im,
    input  wire [WPAR*W_WIDTH-1:0]     w_re,
    input  wire [WPAR*W_WIDTH-1:0]     w_im,
    input  wire                        pair,
    input  wire                        acc_valid,
    input  wire                        acc_first,
    input  wire                        acc_end,
    input  wire                        chain_shift,
    input  wire [K*ACC_WIDTH-1:0]      chain_in,
    output wire [K*ACC_WIDTH-1:0]      chain_out
);
    localparam integer K2 = K / 2;
    localparam integer NW = (WPAR >= 1) ? K2 / WPAR : 1;  // beats per block, accumulators per MAC
    localparam integer PW = X_WIDTH + W_WIDTH + 1;
    localparam integer AW2 = 2 * ACC_WIDTH;
    initial begin
        if (K < 2 || K > 32 || ACC_WIDTH < PW || WPAR < 1 || K2 % WPAR != 0
                || (WPAR & (WPAR - 1)) != 0) begin
            $error("%m: bad parameters K=%0d WPAR=%0d ACC_WIDTH=%0d (product needs %0d)", K,
                   WPAR, ACC_WIDTH, PW);
            $finish;
        end
    end
    reg [K*ACC_WIDTH-1:0] chain_reg;
    reg end_d1;
    wire [K*ACC_WIDTH-1:0] rings;  // word w = b*WPAR + m: ring m, position b
    genvar m, b;
    generate
        for (m = 0; m < WPAR; m = m + 1) begin : g_mac
            wire signed [PW-1:0] p_re, p_im;
            cmul #(
                .A_WIDTH(X_WIDTH),
                .B_WIDTH(W_WIDTH),
                .MUL_WIDTH(MUL_WIDTH),
                .PIPE(MUL_PIPE),
                .MULTS(MUL_MULTS)
            ) cmul_inst (
                .clk(clk),
                .ce(1'b1),
                .a_re(x_re[m*X_WIDTH+:X_WIDTH]),
                .a_im(x_im[m*X_WIDTH+:X_WIDTH]),
                .b_re(w_re[m*W_WIDTH+:W_WIDTH]),
                .b_im(w_im[m*W_WIDTH+:W_WIDTH]),
                .pair((m == 0) ? pair : 1'b0),
                .p_re(p_re),
                .p_im(p_im)
            );
            // rotating accumulators: position b holds word b*WPAR + m's {im, re} once a
            // block's beats are in; the head (the pending beat's word) is at the bottom
            reg [NW*AW2-1:0] acc_reg;
            wire signed [ACC_WIDTH-1:0] head_re = acc_first ? {ACC_WIDTH{1'b0}} : acc_reg[0+:ACC_WIDTH];
            wire signed [ACC_WIDTH-1:0] head_im = acc_first ? {ACC_WIDTH{1'b0}}
                                                            : acc_reg[ACC_WIDTH+:ACC_WIDTH];
            // products sign-extended to the accumulator width
            wire signed [ACC_WIDTH-1:0] p_re_x, p_im_x;
            if (ACC_WIDTH > PW) begin : g_ext
                assign p_re_x = {{(ACC_WIDTH - PW) {p_re[PW-1]}}, p_re};
                assign p_im_x = {{(ACC_WIDTH - PW) {p_im[PW-1]}}, p_im};
            end else begin : g_same
                assign p_re_x = p_re;
                assign p_im_x = p_im;
            end
            wire signed [ACC_WIDTH-1:0] sum_re = head_re + p_re_x;
            wire signed [ACC_WIDTH-1:0] sum_im = head_im + p_im_x;
            if (NW > 1) begin : g_rot
                always @(posedge clk) begin
                    if (acc_valid) acc_reg <= {sum_im, sum_re, acc_reg[NW*AW2-1:AW2]};
                end
            end else begin : g_one
                always @(posedge clk) begin
                    if (acc_valid) acc_reg <= {sum_im, sum_re};
                end
            end
            for (b = 0; b < NW; b = b + 1) begin : g_word
                assign rings[(b*WPAR+m)*AW2+:AW2] = acc_reg[b*AW2+:AW2];
            end
        end
    endgenerate
    always @(posedge clk) begin
        end_d1 <= acc_valid && acc_end;
        if (end_d1) chain_reg <= rings;  // words 0..K2-1, {im, re} each: the chain layout
        else if (chain_shift) chain_reg <= chain_in;
    end
    assign chain_out = chain_reg;
endmodule

`resetall
