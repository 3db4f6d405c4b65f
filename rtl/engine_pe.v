// engine_pe: one circulant processing element of the engine: a complex multiplier and K/2
// exact frequency-domain accumulators (golden CirculantFixed.accumulate, docs/numerics.md
// step 6), plus one slice of the hand-off chain that carries finished accumulations to the
// shared IFFT path.
//
// Function : every valid beat multiplies the broadcast spectrum word X (packed half-spectrum
//            word w of one input block) by this PE's weight word W (same packing), cmul in
//            `pair` mode for w = 0 (bins 0 and K/2, two real products), and accumulates
//            acc[w] = (first ? 0 : acc[w]) + X*W.  On a beat flagged `last` the sum also goes
//            to chain word w.  With chain_shift the chain loads chain_in (the next PE's words).
// Formats  : X sX_WIDTH.Fx, W sW_WIDTH.Fw -> product s(X+W+1).(Fx+Fw) -> acc sACC_WIDTH.(Fx+Fw).
//            ACC_WIDTH is derived by the engine from the longest accumulation (exact).
// Latency  : 3 cycles from (x, w, pair) to the product (cmul); the caller delays the beat's
//            control (acc_*) by 3 cycles so it arrives with the product.  II = 1.
// Bit growth: ceil(log2 q) bits over the product for q accumulated blocks (caller's ACC_WIDTH).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_pe #(
    parameter integer K         = 8,
    parameter integer X_WIDTH   = 19,
    parameter integer W_WIDTH   = 16,
    parameter integer ACC_WIDTH = 44
) (
    input  wire                        clk,
    input  wire [X_WIDTH-1:0]          x_re,
    input  wire [X_WIDTH-1:0]          x_im,
    input  wire [W_WIDTH-1:0]          w_re,
    input  wire [W_WIDTH-1:0]          w_im,
    input  wire                        pair,
    input  wire                        acc_valid,
    input  wire                        acc_first,
    input  wire                        acc_last,
    input  wire [4:0]                  acc_w,
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
        .B_WIDTH(W_WIDTH)
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
    // accumulator index: acc_w is a packed word index, always < K/2 (the caller's word counter)
    localparam integer AIW = (K2 > 1) ? $clog2(K2) : 1;
    wire [AIW-1:0] acc_idx = acc_w[AIW-1:0];
    reg signed [ACC_WIDTH-1:0] acc_re[0:K2-1];
    reg signed [ACC_WIDTH-1:0] acc_im[0:K2-1];
    reg [K*ACC_WIDTH-1:0] chain_reg;
    wire signed [ACC_WIDTH-1:0] base_re = acc_first ? {ACC_WIDTH{1'b0}} : acc_re[acc_idx];
    wire signed [ACC_WIDTH-1:0] base_im = acc_first ? {ACC_WIDTH{1'b0}} : acc_im[acc_idx];
    wire signed [ACC_WIDTH-1:0] sum_re = base_re + p_re_x;
    wire signed [ACC_WIDTH-1:0] sum_im = base_im + p_im_x;
    always @(posedge clk) begin
        if (acc_valid) begin
            acc_re[acc_idx] <= sum_re;
            acc_im[acc_idx] <= sum_im;
        end
        if (acc_valid && acc_last) begin
            chain_reg[(2*acc_w)*ACC_WIDTH+:ACC_WIDTH]   <= sum_re;
            chain_reg[(2*acc_w+1)*ACC_WIDTH+:ACC_WIDTH] <= sum_im;
        end else if (chain_shift) begin
            chain_reg <= chain_in;
        end
    end
    assign chain_out = chain_reg;
endmodule

`resetall
