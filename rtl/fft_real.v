// fft_real: pipelined fixed-point FFT of one real block per beat (golden.fft.fft_fixed).
//
// Function : X = FFT(x) of K real points, bins 0..K/2 (bins 0 and K/2 are real: im = 0).
//            Radix-2 DIT (fft_dit, INVERSE 0), twiddles s(TW_WIDTH).(TW_WIDTH-2) from the
//            generated fft_twiddle.vh, per-stage RND of the twiddle product and SAT of the sum.
// Formats  : in  s_axis_tdata: K words sIN_WIDTH.F, point n at [n*IN_WIDTH +: IN_WIDTH];
//            out m_axis_tdata: K/2+1 complex words, bin b at [b*2*OW +: 2*OW] = {im, re},
//                each s(OW).F with OW = IN_WIDTH + log2 K.
// Latency  : fft_dit's LATENCY from accepted input to valid output: K=2: 2, K >= 4:
//            6*log2(K) - 9 (K=8: 9, K=16: 15); the inputs go straight into registers.  II = 1
//            (one block per cycle at full throughput).
// Bit growth: 1 bit per stage, saturating (golden.fft.fft_out_fmt).
// Handshake: AXI-Stream valid/ready.  The whole pipeline shares one clock enable
//            ce = m_axis_tready | ~m_axis_tvalid, so s_axis_tready = ce (a combinational
//            path from m_axis_tready); s_axis_tuser travels with its block.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module fft_real #(
    parameter integer K          = 8,
    parameter integer IN_WIDTH   = 16,
    parameter integer TW_WIDTH   = 18,
    parameter integer USER_WIDTH = 1
) (
    input  wire                                        clk,
    input  wire                                        rst,
    input  wire [K*IN_WIDTH-1:0]                       s_axis_tdata,
    input  wire                                        s_axis_tvalid,
    output wire                                        s_axis_tready,
    input  wire [USER_WIDTH-1:0]                       s_axis_tuser,
    output wire [(K/2+1)*2*(IN_WIDTH+$clog2(K))-1:0]   m_axis_tdata,
    output wire                                        m_axis_tvalid,
    input  wire                                        m_axis_tready,
    output wire [USER_WIDTH-1:0]                       m_axis_tuser
);

    localparam integer OW = IN_WIDTH + $clog2(K);

    wire ce = m_axis_tready | ~m_axis_tvalid;
    assign s_axis_tready = ce;

    // Bins above K/2 are the conjugate half: not output, pruned by synthesis.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [K*OW-1:0] y_re, y_im;
    /* verilator lint_on UNUSEDSIGNAL */

    fft_dit #(
        .K(K),
        .IN_WIDTH(IN_WIDTH),
        .TW_WIDTH(TW_WIDTH),
        .INVERSE(0),
        .CONJ_UPPER(0),
        .USER_WIDTH(USER_WIDTH)
    ) fft_dit_inst (
        .clk(clk),
        .rst(rst),
        .ce(ce),
        .in_valid(s_axis_tvalid),
        .in_user(s_axis_tuser),
        .in_re(s_axis_tdata),
        .in_im({(K * IN_WIDTH) {1'b0}}),
        .out_valid(m_axis_tvalid),
        .out_user(m_axis_tuser),
        .out_re(y_re),
        .out_im(y_im)
    );

    genvar b;
    generate
        for (b = 0; b <= K / 2; b = b + 1) begin : g_bin
            assign m_axis_tdata[b*2*OW+:2*OW] = {y_im[b*OW+:OW], y_re[b*OW+:OW]};
        end
    endgenerate

endmodule

`resetall
