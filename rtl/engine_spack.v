// engine_spack: fft_real's K/2+1 bins of a real block -> the engine's K/2 packed spectrum words.
//
// Function : bins 0 and K/2 of a real block's spectrum are real, so the engine keeps K/2 words
//            per block: word 0 = {re(K/2), re(0)}, word w = {im(w), re(w)} for 0 < w < K/2.
//            The imaginary parts of bins 0 and K/2 (zero for a real input) are dropped.
//            Used by the input path (engine_input) and the recurrence path (engine_rec), so
//            the packing exists once.
// Formats  : XW-bit components, opaque (the engine: s(DATA_WIDTH + log2 K)); word w at
//            [w*2*XW +: 2*XW], {im, re} with re in the low half.
// Latency  : combinational (wires only).
// Bit growth: none.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_spack #(
    parameter integer K  = 4,
    parameter integer XW = 18   // one spectrum component
) (
    // fft_real's m_axis_tdata: bins 0..K/2, bin b = {im, re} at [b*2*XW +: 2*XW]
    input  wire [XW*(K+2)-1:0] fft_bins,
    // K/2 packed words
    output wire [XW*K-1:0] pk_words
);
    localparam integer K2 = K / 2;
    localparam integer SPW = 2 * XW;

    initial begin
        if (K < 2 || (K & (K - 1)) != 0 || XW < 2) begin
            $error("%m: K=%0d must be a power of two >= 2, XW=%0d >= 2", K, XW);
            $finish;
        end
    end

    genvar w;
    generate
        for (w = 0; w < K2; w = w + 1) begin : g_word
            if (w == 0) begin : g_pair
                assign pk_words[0+:SPW] = {fft_bins[K2*SPW+:XW], fft_bins[0+:XW]};
            end else begin : g_bin
                assign pk_words[w*SPW+:SPW] = fft_bins[w*SPW+:SPW];
            end
        end
    endgenerate
    // the imaginary parts of bins 0 and K/2 (zero for a real block)
    /* verilator lint_off UNUSEDSIGNAL */
    wire [2*XW-1:0] unused_im = {fft_bins[K2*SPW+XW+:XW], fft_bins[XW+:XW]};
    /* verilator lint_on UNUSEDSIGNAL */
endmodule

`resetall
