// engine_act: piecewise-linear sigmoid / tanh of one lane, from a generated knot table
// (golden.activations.act_fixed, docs/numerics.md step 12).
//
// Function : a = min(|z|, 2^(IN_WIDTH-1)-1); TB = IN_WIDTH-1-SEG_BITS; i = a >> TB;
//            t = a & (2^TB-1); v = T[i] + RND((T[i+1]-T[i]) * t, TB)
//            tanh (FUNC 1): y = z < 0 ? -v : v;  sigmoid (FUNC 0): y = z < 0 ? 2^OUT_FRAC - v : v.
//            T: 2^SEG_BITS+1 knots read with $readmemh from TABLE_FILE (golden
//            write_act_mem; a table depends only on the formats, not on the model).
// Formats  : in sIN_WIDTH.* (pre) -> out sOUT_WIDTH.OUT_FRAC (gate).
// Internal : d = T[i+1]-T[i] s(OUT_WIDTH+1); d*t s(OUT_WIDTH+1+TB+1); v sOUT_WIDTH (between two knots).
// Latency  : 3 cycles (table read, interpolation, sign), II = 1, no enable.
// Bit growth: none at the output (|v| <= max knot).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_act #(
    parameter integer IN_WIDTH   = 16,
    parameter integer OUT_WIDTH  = 16,
    parameter integer OUT_FRAC   = 14,
    parameter integer SEG_BITS   = 8,
    parameter integer FUNC       = 0,
    parameter        TABLE_FILE = "sigmoid.mem"
) (
    input  wire                 clk,
    input  wire [IN_WIDTH-1:0]  in_data,
    output reg  [OUT_WIDTH-1:0] out_data
);
    localparam integer TB = IN_WIDTH - 1 - SEG_BITS;
    localparam integer NT = (1 << SEG_BITS) + 1;
    localparam integer TW = (TB > 0) ? TB : 1;
    localparam integer PW = OUT_WIDTH + 2 + TW;
    initial begin
        if (TB < 0 || SEG_BITS < 1 || FUNC < 0 || FUNC > 1 || OUT_FRAC > OUT_WIDTH - 2) begin
            $error("%m: bad parameters IN_WIDTH=%0d SEG_BITS=%0d FUNC=%0d OUT_WIDTH=%0d OUT_FRAC=%0d",
                   IN_WIDTH, SEG_BITS, FUNC, OUT_WIDTH, OUT_FRAC);
            $finish;
        end
    end
    reg [OUT_WIDTH-1:0] table_mem[0:NT-1];
    initial $readmemh(TABLE_FILE, table_mem);

    wire signed [IN_WIDTH-1:0] z = in_data;
    wire neg = z[IN_WIDTH-1];
    wire [IN_WIDTH-1:0] zn = -z;
    // |z|, the most negative code saturating to the largest positive one
    wire [IN_WIDTH-2:0] a = !neg ? z[IN_WIDTH-2:0] : (zn[IN_WIDTH-1] ? {(IN_WIDTH - 1) {1'b1}}
                                                                     : zn[IN_WIDTH-2:0]);
    wire [SEG_BITS-1:0] idx = a[IN_WIDTH-2-:SEG_BITS];
    reg signed [OUT_WIDTH-1:0] t0_reg, t1_reg;
    reg [TW-1:0] frac_reg;
    reg neg_d1, neg_d2;
    reg [OUT_WIDTH-1:0] v_reg;
    wire signed [OUT_WIDTH+1:0] d = {{2{t1_reg[OUT_WIDTH-1]}}, t1_reg} - {{2{t0_reg[OUT_WIDTH-1]}}, t0_reg};
    wire signed [PW-1:0] prod = d * $signed({1'b0, frac_reg});
    wire signed [PW-1:0] interp;
    generate
        if (TB > 0) begin : g_interp
            localparam signed [PW-1:0] HALF = 1 <<< (TB - 1);
            assign interp = (prod + HALF) >>> TB;
        end else begin : g_knot
            assign interp = {PW{1'b0}};
        end
    endgenerate
    // v = T[i] + interp lies between two knots, so it fits OUT_WIDTH bits and only the low
    // OUT_WIDTH bits of interp take part in the sum; the upper bits are dropped here.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [PW-OUT_WIDTH-1:0] unused_interp = interp[PW-1:OUT_WIDTH];
    /* verilator lint_on UNUSEDSIGNAL */
    localparam [OUT_WIDTH-1:0] ONE = 1 << OUT_FRAC;
    always @(posedge clk) begin
        t0_reg   <= table_mem[{1'b0, idx}];
        t1_reg   <= table_mem[{1'b0, idx}+1'b1];
        frac_reg <= (TB > 0) ? a[TW-1:0] : {TW{1'b0}};
        neg_d1   <= neg;
        v_reg    <= t0_reg + interp[OUT_WIDTH-1:0];
        neg_d2   <= neg_d1;
        if (!neg_d2) out_data <= v_reg;
        else if (FUNC == 1) out_data <= -v_reg;
        else out_data <= ONE - v_reg;
    end
endmodule

`resetall
