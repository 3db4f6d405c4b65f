// engine_pe: one circulant processing element of the engine: a complex multiplier and K/2
// exact frequency-domain accumulators (golden CirculantFixed.accumulate, docs/numerics.md
// step 6), plus one slice of the hand-off chain that carries finished accumulations to the
// shared IFFT path.
//
// Function : every valid beat multiplies the broadcast spectrum word X (packed half-spectrum
//            word w of one input block) by this PE's weight word W (same packing), cmul in
//            `pair` mode for w = 0 (bins 0 and K/2, two real products), and accumulates
//            acc[w] = (first ? 0 : acc[w]) + X*W.  The caller presents the words of a block
//            in order w = 0..K/2-1 (valid beats, gaps allowed), so the K/2 accumulators form a
//            rotating register: the head is always word w's sum and each valid beat writes
//            the new sum at the tail (no indexed read, no read mux).  After the beat flagged
//            `acc_end` (the last word of a row's last block) the register holds words
//            0..K/2-1 in order; the next cycle copies it into the chain slice.  With
//            chain_shift the slice loads chain_in (the next PE's words).
// Formats  : X sX_WIDTH.Fx, W sW_WIDTH.Fw -> product s(X+W+1).(Fx+Fw) -> acc sACC_WIDTH.(Fx+Fw).
//            ACC_WIDTH is derived by the engine from the longest accumulation (exact).
// Latency  : LATENCY = 4 cycles from (x, w, pair) to the product (cmul); the caller delays
//            the beat's control (acc_*) by LATENCY cycles so it arrives with the product; the
//            chain slice holds the row's sums 1 cycle after acc_end.  II = 1.
// Timing   : cmul keeps one multiply or one add per cycle; the accumulate cycle is one
//            ACC_WIDTH-bit add (the `first` gate folds into its LUTs); the chain is a 2:1 mux.
// Bit growth: ceil(log2 q) bits over the product for q accumulated blocks (caller's ACC_WIDTH).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_pe #(
    parameter integer K         = 8,
    parameter integer X_WIDTH   = 19,
    parameter integer W_WIDTH   = 16,
    parameter integer ACC_WIDTH = 44,
    parameter integer MUL_WIDTH = 18   // widest signed multiplier operand (cmul): ECP5 18, DSP48E2 27
) (
    input  wire                        clk,
    input  wire [X_WIDTH-1:0]          x_re,
    input  wire [X_WIDTH-1:0]          x_im,
    input  wire [W_WIDTH-1:0]          w_re,
    input  wire [W_WIDTH-1:0]          w_im,
    input  wire                        pair,
    input  wire                        acc_valid,
    input  wire                        acc_first,
    input  wire                        acc_end,
    input  wire                        chain_shift,
    input  wire [K*ACC_WIDTH-1:0]      chain_in,
    output wire [K*ACC_WIDTH-1:0]      chain_out
);
    localparam integer K2 = K / 2;
    localparam integer PW = X_WIDTH + W_WIDTH + 1;
    initial begin
        if (K < 2 || K > 32 || ACC_WIDTH < PW) begin
            $error("%m: bad parameters K=%0d ACC_WIDTH=%0d (product needs %0d)", K, ACC_WIDTH, PW);
            $finish;
        end
    end
    wire signed [PW-1:0] p_re, p_im;
    cmul #(
        .A_WIDTH(X_WIDTH),
        .B_WIDTH(W_WIDTH),
        .MUL_WIDTH(MUL_WIDTH)
    ) cmul_inst (
        .clk(clk),
        .ce(1'b1),
        .a_re(x_re),
        .a_im(x_im),
        .b_re(w_re),
        .b_im(w_im),
        .pair(pair),
        .p_re(p_re),
        .p_im(p_im)
    );
    // rotating accumulators: word w's {im, re} at [w*2*ACC_WIDTH +: 2*ACC_WIDTH] of acc_reg
    // once a block's words are in; the head (word 0 of the pending block) is at the bottom
    localparam integer AW2 = 2 * ACC_WIDTH;
    reg [K2*AW2-1:0] acc_reg;
    reg [K*ACC_WIDTH-1:0] chain_reg;
    reg end_d1;
    wire signed [ACC_WIDTH-1:0] head_re = acc_first ? {ACC_WIDTH{1'b0}} : acc_reg[0+:ACC_WIDTH];
    wire signed [ACC_WIDTH-1:0] head_im = acc_first ? {ACC_WIDTH{1'b0}}
                                                    : acc_reg[ACC_WIDTH+:ACC_WIDTH];
    // products sign-extended to the accumulator width
    wire signed [ACC_WIDTH-1:0] p_re_x, p_im_x;
    generate
        if (ACC_WIDTH > PW) begin : g_ext
            assign p_re_x = {{(ACC_WIDTH - PW) {p_re[PW-1]}}, p_re};
            assign p_im_x = {{(ACC_WIDTH - PW) {p_im[PW-1]}}, p_im};
        end else begin : g_same
            assign p_re_x = p_re;
            assign p_im_x = p_im;
        end
    endgenerate
    wire signed [ACC_WIDTH-1:0] sum_re = head_re + p_re_x;
    wire signed [ACC_WIDTH-1:0] sum_im = head_im + p_im_x;
    generate
        if (K2 > 1) begin : g_rot
            always @(posedge clk) begin
                if (acc_valid) acc_reg <= {sum_im, sum_re, acc_reg[K2*AW2-1:AW2]};
            end
        end else begin : g_one
            always @(posedge clk) begin
                if (acc_valid) acc_reg <= {sum_im, sum_re};
            end
        end
    endgenerate
    always @(posedge clk) begin
        end_d1 <= acc_valid && acc_end;
        if (end_d1) chain_reg <= acc_reg;  // words 0..K2-1, {im, re} each: the chain layout
        else if (chain_shift) chain_reg <= chain_in;
    end
    assign chain_out = chain_reg;
endmodule

`resetall
