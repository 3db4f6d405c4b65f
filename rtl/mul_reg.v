// mul_reg: registered signed multiply, the multiplier every datapath of the engine uses.
//
// Function : p = a * b, exact (signed operands, full-width product).
//            IN_REG = 1: a and b are registered, then the product: p is a*b of the operands
//            presented 2 enabled cycles earlier.  IN_REG = 0: only the product is registered
//            (1 enabled cycle).
// Formats  : a sA_WIDTH, b sB_WIDTH -> p s(A_WIDTH+B_WIDTH), no rounding.
// Latency  : 1 + IN_REG cycles of ce.
// Target   : with `MUL_ECP5 defined (the ECP5 flow defines it) and both operands at most 18
//            bits, the registers are the MULT18X18D's own input and output registers
//            (REG_INPUTA/B_CLK, REG_OUTPUT_CLK on CLK0 / CE0).  yosys synth_ecp5 infers the
//            multiplier but packs no register into it, so the registers around an inferred
//            multiply stay in the fabric, where nextpnr may place them tens of columns away;
//            with the primitive's registers the multiply is register to register inside the
//            block and only routes remain between it and the fabric.  Wider operands, and
//            every other target, use the behavioral form (yosys xilinx_dsp packs its
//            registers into DSP48E2's A/B, M and P registers).  Simulation of the ECP5 form
//            needs a MULT18X18D model (tb/common/MULT18X18D.v: yosys ships only a black box).
// Bit growth: A_WIDTH + B_WIDTH.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module mul_reg #(
    parameter integer A_WIDTH = 18,
    parameter integer B_WIDTH = 18,
    parameter integer IN_REG  = 1
) (
    input  wire                              clk,
    input  wire                              ce,
    input  wire signed [A_WIDTH-1:0]         a,
    input  wire signed [B_WIDTH-1:0]         b,
    output wire signed [A_WIDTH+B_WIDTH-1:0] p
);
    localparam integer PW = A_WIDTH + B_WIDTH;

    initial begin
        if (A_WIDTH < 2 || B_WIDTH < 2 || IN_REG < 0 || IN_REG > 1) begin
            $error("%m: bad parameters A_WIDTH=%0d B_WIDTH=%0d IN_REG=%0d", A_WIDTH, B_WIDTH,
                   IN_REG);
            $finish;
        end
    end

`ifdef MUL_ECP5
    localparam integer PRIM = (A_WIDTH <= 18 && B_WIDTH <= 18) ? 1 : 0;
`else
    localparam integer PRIM = 0;
`endif

    generate
        if (PRIM != 0) begin : g_mult18
            localparam REG_IN = (IN_REG != 0) ? "CLK0" : "NONE";
            // operands sign-extended to the primitive's 18 bits; the product's low PW bits
            wire signed [17:0] a_x = a;
            wire signed [17:0] b_x = b;
            wire [17:0] c_x = 18'd0;
            wire [35:0] p_x;
            MULT18X18D #(
                .REG_INPUTA_CLK(REG_IN),
                .REG_INPUTA_CE("CE0"),
                .REG_INPUTA_RST("RST0"),
                .REG_INPUTB_CLK(REG_IN),
                .REG_INPUTB_CE("CE0"),
                .REG_INPUTB_RST("RST0"),
                .REG_PIPELINE_CLK("NONE"),
                .REG_OUTPUT_CLK("CLK0"),
                .REG_OUTPUT_CE("CE0"),
                .REG_OUTPUT_RST("RST0"),
                .GSR("DISABLED"),
                .RESETMODE("SYNC")
            ) mult_inst (
                .A0(a_x[0]), .A1(a_x[1]), .A2(a_x[2]), .A3(a_x[3]), .A4(a_x[4]), .A5(a_x[5]),
                .A6(a_x[6]), .A7(a_x[7]), .A8(a_x[8]), .A9(a_x[9]), .A10(a_x[10]), .A11(a_x[11]),
                .A12(a_x[12]), .A13(a_x[13]), .A14(a_x[14]), .A15(a_x[15]), .A16(a_x[16]), .A17(a_x[17]),
                .B0(b_x[0]), .B1(b_x[1]), .B2(b_x[2]), .B3(b_x[3]), .B4(b_x[4]), .B5(b_x[5]),
                .B6(b_x[6]), .B7(b_x[7]), .B8(b_x[8]), .B9(b_x[9]), .B10(b_x[10]), .B11(b_x[11]),
                .B12(b_x[12]), .B13(b_x[13]), .B14(b_x[14]), .B15(b_x[15]), .B16(b_x[16]), .B17(b_x[17]),
                .C0(c_x[0]), .C1(c_x[1]), .C2(c_x[2]), .C3(c_x[3]), .C4(c_x[4]), .C5(c_x[5]),
                .C6(c_x[6]), .C7(c_x[7]), .C8(c_x[8]), .C9(c_x[9]), .C10(c_x[10]), .C11(c_x[11]),
                .C12(c_x[12]), .C13(c_x[13]), .C14(c_x[14]), .C15(c_x[15]), .C16(c_x[16]), .C17(c_x[17]),
                .P0(p_x[0]), .P1(p_x[1]), .P2(p_x[2]), .P3(p_x[3]), .P4(p_x[4]), .P5(p_x[5]),
                .P6(p_x[6]), .P7(p_x[7]), .P8(p_x[8]), .P9(p_x[9]), .P10(p_x[10]), .P11(p_x[11]),
                .P12(p_x[12]), .P13(p_x[13]), .P14(p_x[14]), .P15(p_x[15]), .P16(p_x[16]), .P17(p_x[17]),
                .P18(p_x[18]), .P19(p_x[19]), .P20(p_x[20]), .P21(p_x[21]), .P22(p_x[22]), .P23(p_x[23]),
                .P24(p_x[24]), .P25(p_x[25]), .P26(p_x[26]), .P27(p_x[27]), .P28(p_x[28]), .P29(p_x[29]),
                .P30(p_x[30]), .P31(p_x[31]), .P32(p_x[32]), .P33(p_x[33]), .P34(p_x[34]), .P35(p_x[35]),
                .SIGNEDA(1'b1), .SIGNEDB(1'b1), .SOURCEA(1'b0), .SOURCEB(1'b0),
                .CLK0(clk), .CE0(ce), .RST0(1'b0)
            );
            assign p = p_x[PW-1:0];
            if (PW < 36) begin : g_high
                /* verilator lint_off UNUSEDSIGNAL */
                wire [35-PW:0] unused_p = p_x[35:PW];  // sign copies
                /* verilator lint_on UNUSEDSIGNAL */
            end
        end else begin : g_infer
            wire signed [A_WIDTH-1:0] a_m;
            wire signed [B_WIDTH-1:0] b_m;
            reg signed [PW-1:0] p_reg;
            if (IN_REG != 0) begin : g_in
                reg signed [A_WIDTH-1:0] a_reg;
                reg signed [B_WIDTH-1:0] b_reg;
                always @(posedge clk) begin
                    if (ce) begin
                        a_reg <= a;
                        b_reg <= b;
                    end
                end
                assign a_m = a_reg;
                assign b_m = b_reg;
            end else begin : g_comb
                assign a_m = a;
                assign b_m = b;
            end
            always @(posedge clk) begin
                if (ce) p_reg <= a_m * b_m;
            end
            assign p = p_reg;
        end
    endgenerate
endmodule

`resetall
