// ifft_herm: pipelined unscaled Hermitian IFFT, half spectrum in, one real block out per beat
// (golden.fft.ifft_fixed).
//
// Function : y[n] = Re(sum_b Y[b] W_K^(-b*n)) over the full spectrum rebuilt from half_bins
//            0..K/2 by Y[K-b] = conj(Y[b]); the imaginary parts of half_bins 0 and K/2 are
//            ignored.  Radix-2 DIT (fft_dit, INVERSE 1, conjugate twiddles), per-stage RND
//            of the twiddle product and SAT of the sum, exactly as golden.  The rebuild is
//            wiring: bins b > K/2 copy half_bins[K-b] unnegated and fft_dit (CONJ_UPPER 1)
//            applies the conjugation in its first stage by swapping a sum and a difference,
//            so no negation (and no IN_WIDTH+1 bit word for -(-2^(IN_WIDTH-1))) is needed.
// Formats  : in  s_axis_tdata: K/2+1 complex words, bin b at [b*2*IN_WIDTH +: 2*IN_WIDTH]
//                = {im, re}, each sIN_WIDTH.F;
//            out m_axis_tdata: K real words s(OW).F, OW = IN_WIDTH + log2 K, point n at
//                [n*OW +: OW].
// Latency  : fft_dit's LATENCY: K=2: 2, K >= 4: 6*log2(K) - 9 (K=8: 9, K=16: 15); the inputs
//            go straight into registers.  II = 1.
// Bit growth: 1 bit per stage, saturating; no 1/K scaling (folded into the weights).
// Handshake: AXI-Stream valid/ready, one clock enable ce = m_axis_tready | ~m_axis_tvalid,
//            s_axis_tready = ce; s_axis_tuser travels with its block.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module ifft_herm #(
    parameter integer K          = 8,
    parameter integer IN_WIDTH   = 20,
    parameter integer TW_WIDTH   = 18,
    parameter integer USER_WIDTH = 1
) (
    input  wire                                clk,
    input  wire                                rst,
    input  wire [(K/2+1)*2*IN_WIDTH-1:0]       s_axis_tdata,
    input  wire                                s_axis_tvalid,
    output wire                                s_axis_tready,
    input  wire [USER_WIDTH-1:0]               s_axis_tuser,
    output wire [K*(IN_WIDTH+$clog2(K))-1:0]   m_axis_tdata,
    output wire                                m_axis_tvalid,
    input  wire                                m_axis_tready,
    output wire [USER_WIDTH-1:0]               m_axis_tuser
);

    localparam integer OW = IN_WIDTH + $clog2(K);

    wire ce = m_axis_tready | ~m_axis_tvalid;
    assign s_axis_tready = ce;

    wire [K*IN_WIDTH-1:0] full_re, full_im;  // bins b > K/2: conj(full spectrum)

    // The imaginary parts of half_bins 0 and K/2 are ignored by definition.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [(K/2+1)*2*IN_WIDTH-1:0] half_bins = s_axis_tdata;
    /* verilator lint_on UNUSEDSIGNAL */

    genvar b;
    generate
        for (b = 0; b < K; b = b + 1) begin : g_full
            localparam integer SRC = (b <= K / 2) ? b : K - b;
            assign full_re[b*IN_WIDTH+:IN_WIDTH] = half_bins[SRC*2*IN_WIDTH+:IN_WIDTH];
            if (b == 0 || b == K / 2) begin : g_real
                assign full_im[b*IN_WIDTH+:IN_WIDTH] = {IN_WIDTH{1'b0}};
            end else begin : g_cplx
                assign full_im[b*IN_WIDTH+:IN_WIDTH] = half_bins[SRC*2*IN_WIDTH+IN_WIDTH+:IN_WIDTH];
            end
        end
    endgenerate

    // Only the real part of the last stage is the result.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [K*OW-1:0] y_im;
    /* verilator lint_on UNUSEDSIGNAL */

    fft_dit #(
        .K(K),
        .IN_WIDTH(IN_WIDTH),
        .TW_WIDTH(TW_WIDTH),
        .INVERSE(1),
        .CONJ_UPPER(1),
        .USER_WIDTH(USER_WIDTH)
    ) fft_dit_inst (
        .clk(clk),
        .rst(rst),
        .ce(ce),
        .in_valid(s_axis_tvalid),
        .in_user(s_axis_tuser),
        .in_re(full_re),
        .in_im(full_im),
        .out_valid(m_axis_tvalid),
        .out_user(m_axis_tuser),
        .out_re(m_axis_tdata),
        .out_im(y_im)
    );

endmodule

`resetall
