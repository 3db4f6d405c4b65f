// round_sat: the one rounding / overflow primitive of the RTL (golden.fixed.round_shift,
// saturate, wrap, requantize).  Every rounding and saturation point of the datapath is an
// instance of this module.
//
// Function : out = overflow(round_shift(in, SHIFT, MODE), OUT_WIDTH bits)
//   MODE 0 = TRN       floor(in / 2**SHIFT)                  (arithmetic shift)
//   MODE 1 = RND       floor((in + 2**(SHIFT-1)) / 2**SHIFT)  (half up, toward +inf)
//   MODE 2 = RND_CONV  round half to even: (in + 2**(SHIFT-1) - 1 + q[0]) >> SHIFT,
//                      q[0] = in[SHIFT] (the LSB kept)
//   SHIFT <= 0 is an exact left shift by -SHIFT (no rounding).
//   SAT 1 clamps to [-2**(OUT_WIDTH-1), 2**(OUT_WIDTH-1)-1]; SAT 0 wraps (keeps low bits).
// Formats  : in sIN_WIDTH.F -> out sOUT_WIDTH.(F-SHIFT); all codes two's complement.
// Internal : the rounded value has RW = IN_WIDTH + 1 - SHIFT bits (SHIFT > 0; the extra bit
//            holds the rounding carry), IN_WIDTH - SHIFT bits for SHIFT <= 0; if
//            OUT_WIDTH >= RW the result is only sign-extended and out_ovf is 0.
// Latency  : 0 (combinational; the caller registers).
// Bit growth: none beyond RW; OUT_WIDTH is the caller's choice.
// out_ovf  : 1 when saturation (SAT) or wrap-around (WRAP) changed the value.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module round_sat #(
    parameter integer IN_WIDTH  = 32,
    parameter integer SHIFT     = 0,
    parameter integer OUT_WIDTH = 16,
    parameter integer MODE      = 1,
    parameter integer SAT       = 1
) (
    input  wire [IN_WIDTH-1:0]  in_data,
    output wire [OUT_WIDTH-1:0] out_data,
    output wire                 out_ovf
);

    localparam integer RW = (SHIFT > 0) ? IN_WIDTH + 1 - SHIFT : IN_WIDTH - SHIFT;

    initial begin
        if (IN_WIDTH < 2 || OUT_WIDTH < 2 || SHIFT >= IN_WIDTH || MODE < 0 || MODE > 2
                || SAT < 0 || SAT > 1) begin
            $error("%m: bad parameters IN_WIDTH=%0d SHIFT=%0d OUT_WIDTH=%0d MODE=%0d SAT=%0d",
                   IN_WIDTH, SHIFT, OUT_WIDTH, MODE, SAT);
            $finish;
        end
    end

    wire [RW-1:0] rnd;  // rounded value, two's complement

    generate
        if (SHIFT > 0) begin : g_right
            localparam [IN_WIDTH:0] HALF = {{IN_WIDTH{1'b0}}, 1'b1} << (SHIFT - 1);
            wire [IN_WIDTH:0] ext = {in_data[IN_WIDTH-1], in_data};
            wire [IN_WIDTH:0] inc;
            if (MODE == 0) begin : g_trn
                assign inc = {(IN_WIDTH + 1) {1'b0}};
            end else if (MODE == 1) begin : g_rnd
                assign inc = HALF;
            end else begin : g_conv
                assign inc = HALF - {{IN_WIDTH{1'b0}}, 1'b1} + {{IN_WIDTH{1'b0}}, in_data[SHIFT]};
            end
            // The low SHIFT bits of the sum are the discarded remainder.
            /* verilator lint_off UNUSEDSIGNAL */
            wire [IN_WIDTH:0] sum = ext + inc;
            /* verilator lint_on UNUSEDSIGNAL */
            assign rnd = sum[IN_WIDTH:SHIFT];
        end else if (SHIFT == 0) begin : g_none
            assign rnd = in_data;
        end else begin : g_left
            assign rnd = {in_data, {(-SHIFT) {1'b0}}};
        end

        if (OUT_WIDTH > RW) begin : g_extend
            assign out_data = {{(OUT_WIDTH - RW) {rnd[RW-1]}}, rnd};
            assign out_ovf  = 1'b0;
        end else if (OUT_WIDTH == RW) begin : g_same
            assign out_data = rnd;
            assign out_ovf  = 1'b0;
        end else begin : g_narrow
            wire [RW-OUT_WIDTH:0] top = rnd[RW-1:OUT_WIDTH-1];
            wire                  fits = (&top) | ~(|top);
            assign out_ovf = ~fits;
            if (SAT == 1) begin : g_sat
                assign out_data = fits ? rnd[OUT_WIDTH-1:0]
                                : {rnd[RW-1], {(OUT_WIDTH - 1) {~rnd[RW-1]}}};
            end else begin : g_wrap
                assign out_data = rnd[OUT_WIDTH-1:0];
            end
        end
    endgenerate

endmodule

`resetall
