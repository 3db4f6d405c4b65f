// fft_dit: fully parallel, pipelined radix-2 decimation-in-time FFT core (complex in/out),
// the common engine of fft_real and ifft_herm (golden.fft._dit).
//
// Function : natural-order input points are bit-reversed (wiring), then stages
//            s = 1..log2(K) combine groups of m = 2**s points: for j < m/2,
//            (v[g+j], v[g+j+m/2]) <- fft_bfly(v[g+j], v[g+j+m/2], W_K^(j*K/m)).
//            INVERSE 1 uses the conjugate twiddles (unscaled inverse transform).
//            CONJ_UPPER 1: input points n > K/2 are given conjugated (their in_im negated, as
//            ifft_herm's Hermitian rebuild copies them); stage 1 pairs point n - K/2 with n,
//            so its butterflies undo that by swapping sum and difference (no adder).
//            Twiddles: fft_twiddle.vh (generated from golden.fft.twiddles), constants.
// Formats  : in sIN_WIDTH.F; stage s output s(IN_WIDTH+s).F, saturated; out
//            s(IN_WIDTH+log2 K).F, point n at bits [n*OW +: OW], OW = IN_WIDTH+log2 K.
// Latency  : LATENCY = sum of the stage latencies, cycles of ce: stage 1 (twiddle 1) 2 cycles
//            (the block inputs go straight into registers, then one add), stage 2 (twiddles 1
//            and -i, +i inverse) 1 cycle (one add), stages 3.. 6 cycles (fft_bfly with a
//            multiplier).  K=2: 2, K >= 4: 6*log2(K) - 9 (K=4: 3, K=8: 9, K=16: 15, K=32: 21).
//            A new block every enabled cycle (II = 1).
// Bit growth: 1 integer bit per stage, no scaling (saturation only at full-scale rounding).
// Handshake: valid-only with a clock enable; in_user rides along with in_valid.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module fft_dit #(
    parameter integer K          = 8,
    parameter integer IN_WIDTH   = 16,
    parameter integer TW_WIDTH   = 18,
    parameter integer INVERSE    = 0,
    parameter integer CONJ_UPPER = 0,
    parameter integer USER_WIDTH = 1
) (
    input  wire                                   clk,
    input  wire                                   rst,
    input  wire                                   ce,
    input  wire                                   in_valid,
    input  wire [USER_WIDTH-1:0]                  in_user,
    input  wire [K*IN_WIDTH-1:0]                  in_re,
    input  wire [K*IN_WIDTH-1:0]                  in_im,
    output wire                                   out_valid,
    output wire [USER_WIDTH-1:0]                  out_user,
    output wire [K*(IN_WIDTH+$clog2(K))-1:0]      out_re,
    output wire [K*(IN_WIDTH+$clog2(K))-1:0]      out_im
);

`include "fft_twiddle.vh"

    localparam integer LOG2K = $clog2(K);
    localparam integer OW = IN_WIDTH + LOG2K;
    localparam integer MW = OW + 1;  // slot width (sign-extended; never a zero replication)
    localparam integer GENERAL_LATENCY = 6;  // fft_bfly with a multiplier

    // Stage s latency: stages 1 and 2 have only the twiddles 1 and -i (+i inverse), wired.
    function automatic integer stage_latency;
        input integer s;
        begin
            stage_latency = (s == 1) ? 2 : (s == 2) ? 1 : GENERAL_LATENCY;
        end
    endfunction

    function automatic integer total_latency;
        input integer stages;
        integer s;
        begin
            total_latency = 0;
            for (s = 1; s <= stages; s = s + 1) total_latency = total_latency + stage_latency(s);
        end
    endfunction

    localparam integer LATENCY = total_latency(LOG2K);

    initial begin
        if (K < 2 || K > 32 || (1 << LOG2K) != K || TW_WIDTH < 4 || TW_WIDTH > 27
                || INVERSE < 0 || INVERSE > 1 || CONJ_UPPER < 0 || CONJ_UPPER > 1) begin
            $error("%m: bad parameters K=%0d IN_WIDTH=%0d TW_WIDTH=%0d INVERSE=%0d CONJ_UPPER=%0d",
                   K, IN_WIDTH, TW_WIDTH, INVERSE, CONJ_UPPER);
            $finish;
        end
    end

    function automatic integer bitrev;
        input integer n;
        input integer bits;
        integer b;
        begin
            bitrev = 0;
            for (b = 0; b < bits; b = b + 1) if (((n >> b) & 1) != 0) bitrev = bitrev | (1 << (bits - 1 - b));
        end
    endfunction

    // Stage s, point n lives in slot s*K + n (one net per slot: a single flat bus with many
    // part-select drivers simulates ~20x slower in Icarus); slot top bits are sign copies.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [MW-1:0] st_re[0:(LOG2K+1)*K-1];
    wire [MW-1:0] st_im[0:(LOG2K+1)*K-1];
    /* verilator lint_on UNUSEDSIGNAL */

    genvar n, s, g, j;
    generate
        for (n = 0; n < K; n = n + 1) begin : g_in
            localparam integer SRC = bitrev(n, LOG2K);
            assign st_re[n] = {{(MW - IN_WIDTH) {in_re[SRC*IN_WIDTH+IN_WIDTH-1]}},
                               in_re[SRC*IN_WIDTH+:IN_WIDTH]};
            assign st_im[n] = {{(MW - IN_WIDTH) {in_im[SRC*IN_WIDTH+IN_WIDTH-1]}},
                               in_im[SRC*IN_WIDTH+:IN_WIDTH]};
        end
        for (s = 1; s <= LOG2K; s = s + 1) begin : g_stage
            localparam integer WI = IN_WIDTH + s - 1;
            localparam integer WO = IN_WIDTH + s;
            localparam integer M = 1 << s;
            localparam integer H = M / 2;
            for (g = 0; g < K / M; g = g + 1) begin : g_group
                for (j = 0; j < H; j = j + 1) begin : g_bfly
                    localparam integer IA = (s - 1) * K + g * M + j;  // input slot of a
                    localparam integer IB = IA + H;
                    localparam integer OA = s * K + g * M + j;
                    localparam integer OB = OA + H;
                    localparam integer TN = j * (K / M);
                    localparam integer WR = fft_twiddle_re(TW_WIDTH, K, TN);
                    localparam integer WI_IM = (INVERSE != 0) ? -fft_twiddle_im(TW_WIDTH, K, TN)
                                                              : fft_twiddle_im(TW_WIDTH, K, TN);
                    // stage 1: b is input point bitrev(IB), conjugated above K/2
                    localparam integer CONJ = (s == 1 && CONJ_UPPER != 0
                                               && bitrev(IB, LOG2K) > K / 2) ? 1 : 0;
                    wire [WO-1:0] x0_re, x0_im, x1_re, x1_im;
                    fft_bfly #(
                        .IN_WIDTH(WI),
                        .OUT_WIDTH(WO),
                        .TW_WIDTH(TW_WIDTH),
                        .TW_RE(WR),
                        .TW_IM(WI_IM),
                        .LATENCY(stage_latency(s)),
                        .CONJ_B(CONJ)
                    ) bfly_inst (
                        .clk(clk),
                        .ce(ce),
                        .a_re(st_re[IA][WI-1:0]),
                        .a_im(st_im[IA][WI-1:0]),
                        .b_re(st_re[IB][WI-1:0]),
                        .b_im(st_im[IB][WI-1:0]),
                        .x0_re(x0_re),
                        .x0_im(x0_im),
                        .x1_re(x1_re),
                        .x1_im(x1_im)
                    );
                    assign st_re[OA] = {{(MW - WO) {x0_re[WO-1]}}, x0_re};
                    assign st_im[OA] = {{(MW - WO) {x0_im[WO-1]}}, x0_im};
                    assign st_re[OB] = {{(MW - WO) {x1_re[WO-1]}}, x1_re};
                    assign st_im[OB] = {{(MW - WO) {x1_im[WO-1]}}, x1_im};
                end
            end
        end
        for (n = 0; n < K; n = n + 1) begin : g_out
            assign out_re[n*OW+:OW] = st_re[LOG2K*K+n][OW-1:0];
            assign out_im[n*OW+:OW] = st_im[LOG2K*K+n][OW-1:0];
        end
    endgenerate

    pipe_reg #(
        .WIDTH(1),
        .DEPTH(LATENCY),
        .RESET(1)
    ) valid_pipe_inst (
        .clk(clk),
        .rst(rst),
        .ce(ce),
        .in_data(in_valid),
        .out_data(out_valid)
    );

    pipe_reg #(
        .WIDTH(USER_WIDTH),
        .DEPTH(LATENCY),
        .RESET(0)
    ) user_pipe_inst (
        .clk(clk),
        .rst(rst),
        .ce(ce),
        .in_data(in_user),
        .out_data(out_user)
    );

endmodule

`resetall
