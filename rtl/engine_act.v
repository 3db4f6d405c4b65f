// engine_act: piecewise-linear sigmoid / tanh of one lane, from a generated knot table
// (golden.activations.act_fixed, docs/numerics.md step 12).
//
// Function : a = min(|z|, 2^(IN_WIDTH-1)-1); TB = IN_WIDTH-1-SEG_BITS; i = a >> TB;
//            t = a & (2^TB-1); v = T[i] + RND((T[i+1]-T[i]) * t, TB)
//            computed as v = RND((T[i] << TB) + (T[i+1]-T[i]) * t, TB) (round_sat MODE 1): T[i] << TB
//            has TB zero low bits, so adding it before the rounding changes nothing.
//            tanh (FUNC 1): y = z < 0 ? -v : v;  sigmoid (FUNC 0): y = z < 0 ? 2^OUT_FRAC - v : v.
//            T: 2^SEG_BITS+1 knots, stored as 2^SEG_BITS lines {T[i+1], T[i]} read with
//            $readmemh from TABLE_FILE (golden write_act_mem; a table depends only on the
//            formats, not on the model): one read gives a segment's two knots, so the table
//            is a single-port ROM (one block RAM, or LUT RAM) instead of a two-port one that
//            yosys builds from flip-flops and multiplexers.
// Formats  : in sIN_WIDTH.* (pre) -> out sOUT_WIDTH.OUT_FRAC (gate); t is uTB.
// Internal : d = T[i+1]-T[i] s(OUT_WIDTH+1); d*t s(OUT_WIDTH+TB+2) (sum of the operand widths,
//            t taken as s(TB+1)); sum = (T[i] << TB) + d*t = T[i]*(2^TB-t) + T[i+1]*t is 2^TB
//            times a convex combination of two knots, so it fits s(OUT_WIDTH+TB) and is
//            computed modulo 2^(OUT_WIDTH+TB); v = RND(sum, TB) lies between the two knots, so
//            round_sat's rounding carry bit is a sign copy and v is sOUT_WIDTH.
// Pipeline : one multiply or one add (carry chain) per stage; the table is read into a
//            register from a registered address (a synchronous ROM, block-RAM mappable) and
//            registered once more (the block RAM's output register: its clock-to-out is slow).
//              1 |z| (negate, clamp)         2 segment address i       3 table read {T[i+1], T[i]}
//              4 knot output register        5 d = T[i+1]-T[i], t (the multiplier's operand registers)
//              6 d*t (mul_reg)
//              7 sum = (T[i] << TB) + d*t    8 v = round_sat(sum)      9 sign: v, -v or 1-v
// Latency  : 9 cycles (LATENCY), II = 1, no enable: out_data is the activation of in_data
//            presented 9 clock edges earlier.
// Bit growth: none at the output (|v| <= largest knot magnitude).
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
    localparam integer LATENCY = 9;  // engine_cell's ACT_LAT repeats this figure
    localparam integer TB = IN_WIDTH - 1 - SEG_BITS;  // offset bits within a segment
    localparam integer NS = 1 << SEG_BITS;  // segments: table lines {T[i+1], T[i]}
    localparam integer DW = OUT_WIDTH + 1;  // knot difference
    localparam integer PW = DW + TB + 1;  // product d * t, t as s(TB+1)
    localparam integer SW = OUT_WIDTH + TB;  // sum (convex combination of two knots, * 2^TB)
    localparam integer VW = SW + 1 - TB;  // round_sat's rounded width (OUT_WIDTH + 1)
    initial begin
        if (TB < 1 || SEG_BITS < 1 || FUNC < 0 || FUNC > 1 || OUT_FRAC > OUT_WIDTH - 2) begin
            $error("%m: bad parameters IN_WIDTH=%0d SEG_BITS=%0d FUNC=%0d OUT_WIDTH=%0d OUT_FRAC=%0d",
                   IN_WIDTH, SEG_BITS, FUNC, OUT_WIDTH, OUT_FRAC);
            $finish;
        end
    end
    reg [2*OUT_WIDTH-1:0] table_mem[0:NS-1];
    initial $readmemh(TABLE_FILE, table_mem);

    // z < 0 travels with the data to the sign stage: neg_d[k] is valid after stage k
    reg [LATENCY-1:1] neg_d;

    // ---- stage 1: |z|, the most negative code saturating to the largest positive one
    wire [IN_WIDTH-1:0] z = in_data;
    wire [IN_WIDTH-2:0] z_neg = -z[IN_WIDTH-2:0];  // |z| mod 2^(IN_WIDTH-1)
    wire z_min = z[IN_WIDTH-1] & ~(|z[IN_WIDTH-2:0]);
    wire [IN_WIDTH-2:0] mag = z_min ? {(IN_WIDTH - 1) {1'b1}} : (z[IN_WIDTH-1] ? z_neg : z[IN_WIDTH-2:0]);
    reg [IN_WIDTH-2:0] mag_reg;

    // ---- stage 2: segment address (registered: the ROM below reads synchronously)
    reg [SEG_BITS-1:0] addr_reg;
    reg [TB-1:0] off_d2, off_d3, off_d4;

    // ---- stage 3: table read; stage 4: its output register
    reg [2*OUT_WIDTH-1:0] knots_reg;
    reg [OUT_WIDTH-1:0] knot_lo_d4, knot_hi_d4;

    // ---- stage 5: knot difference and offset, into the multiplier's operand registers;
    // ---- stage 6: product (mul_reg: on ECP5 the MULT18X18D's own registers)
    wire signed [DW-1:0] diff = $signed({knot_hi_d4[OUT_WIDTH-1], knot_hi_d4})
                              - $signed({knot_lo_d4[OUT_WIDTH-1], knot_lo_d4});
    wire signed [PW-1:0] prod_reg;
    reg [OUT_WIDTH-1:0] knot_lo_d5, knot_lo_d6;
    mul_reg #(.A_WIDTH(DW), .B_WIDTH(TB + 1), .IN_REG(1)) prod_inst (
        .clk(clk), .ce(1'b1), .a(diff), .b($signed({1'b0, off_d4})), .p(prod_reg));

    // ---- stage 7: sum = (T[i] << TB) + d*t, modulo 2^SW (the exact sum fits SW bits)
    reg [SW-1:0] sum_reg;

    // ---- stage 8: v = RND(sum, TB)
    wire [VW-1:0] v_rnd;
    /* verilator lint_off UNUSEDSIGNAL */
    wire v_ovf;  // round_sat keeps every bit (OUT_WIDTH = its RW): never set
    // d*t above SW bits: the sum is taken modulo 2^SW
    wire [PW-SW-1:0] unused_prod = prod_reg[PW-1:SW];
    // v lies between two knots: the rounding carry bit VW-1 is a copy of the sign bit
    wire unused_v = v_rnd[VW-1];
    /* verilator lint_on UNUSEDSIGNAL */
    round_sat #(
        .IN_WIDTH(SW),
        .SHIFT(TB),
        .OUT_WIDTH(VW),
        .MODE(1),
        .SAT(1)
    ) v_rnd_inst (
        .in_data(sum_reg),
        .out_data(v_rnd),
        .out_ovf(v_ovf)
    );
    reg [OUT_WIDTH-1:0] v_reg;

    // ---- stage 9: sign (OUT_WIDTH-bit arithmetic: -v and 1-v are in range for a valid table)
    localparam [OUT_WIDTH-1:0] ONE = {{(OUT_WIDTH - 1) {1'b0}}, 1'b1} << OUT_FRAC;
    wire [OUT_WIDTH-1:0] v_flip = (FUNC == 1) ? -v_reg : ONE - v_reg;

    always @(posedge clk) begin
        mag_reg     <= mag;
        neg_d       <= {neg_d[LATENCY-2:1], z[IN_WIDTH-1]};
        addr_reg    <= mag_reg[IN_WIDTH-2:TB];
        off_d2      <= mag_reg[TB-1:0];
        knots_reg   <= table_mem[addr_reg];
        off_d3      <= off_d2;
        knot_lo_d4  <= knots_reg[OUT_WIDTH-1:0];
        knot_hi_d4  <= knots_reg[2*OUT_WIDTH-1:OUT_WIDTH];
        off_d4      <= off_d3;
        knot_lo_d5  <= knot_lo_d4;
        knot_lo_d6  <= knot_lo_d5;
        sum_reg     <= {knot_lo_d6, {TB{1'b0}}} + prod_reg[SW-1:0];
        v_reg       <= v_rnd[OUT_WIDTH-1:0];
        out_data    <= neg_d[LATENCY-1] ? v_flip : v_reg;
    end
endmodule

`resetall
