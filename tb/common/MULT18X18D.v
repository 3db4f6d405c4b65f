// MULT18X18D: simulation model of the ECP5 18x18 multiplier, for the modes rtl/mul_reg.v uses
// (yosys ships only a black box).  Written for this project's tests, not a vendor model.
//
// Function : P = A * B, 36 bits; A signed when SIGNEDA = 1 (else unsigned), B likewise.
// Registers: REG_INPUTA_CLK, REG_INPUTB_CLK, REG_PIPELINE_CLK, REG_OUTPUT_CLK each "NONE" (bypass)
//            or "CLK0" (a register on CLK0 enabled by CE0, cleared by RST0 synchronously);
//            any other clock, enable or reset selection, RESETMODE other than "SYNC", SOURCEA/B
//            set (the shift-in cascade) or a C input in use is refused, so a test can not pass
//            on a mode this model does not have.
// Latency  : one cycle per register in use.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module MULT18X18D #(
    parameter REG_INPUTA_CLK   = "NONE",
    parameter REG_INPUTA_CE    = "CE0",
    parameter REG_INPUTA_RST   = "RST0",
    parameter REG_INPUTB_CLK   = "NONE",
    parameter REG_INPUTB_CE    = "CE0",
    parameter REG_INPUTB_RST   = "RST0",
    parameter REG_INPUTC_CLK   = "NONE",
    parameter REG_PIPELINE_CLK = "NONE",
    parameter REG_PIPELINE_CE  = "CE0",
    parameter REG_PIPELINE_RST = "RST0",
    parameter REG_OUTPUT_CLK   = "NONE",
    parameter REG_OUTPUT_CE    = "CE0",
    parameter REG_OUTPUT_RST   = "RST0",
    parameter GSR              = "ENABLED",
    parameter RESETMODE        = "SYNC"
) (
    A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11,
    A12, A13, A14, A15, A16, A17,
    B0, B1, B2, B3, B4, B5, B6, B7, B8, B9, B10, B11,
    B12, B13, B14, B15, B16, B17,
    C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11,
    C12, C13, C14, C15, C16, C17,
    SIGNEDA, SIGNEDB, SOURCEA, SOURCEB,
    CLK0, CE0, RST0,
    P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11,
    P12, P13, P14, P15, P16, P17, P18, P19, P20, P21, P22, P23,
    P24, P25, P26, P27, P28, P29, P30, P31, P32, P33, P34, P35
);
    input wire A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17;
    input wire B0, B1, B2, B3, B4, B5, B6, B7, B8, B9, B10, B11, B12, B13, B14, B15, B16, B17;
    /* verilator lint_off UNUSEDSIGNAL */
    input wire C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15, C16, C17;
    /* verilator lint_on UNUSEDSIGNAL */
    input wire SIGNEDA, SIGNEDB, SOURCEA, SOURCEB, CLK0, CE0, RST0;
    output wire P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16, P17, P18, P19, P20, P21, P22, P23, P24, P25, P26, P27, P28, P29, P30, P31, P32, P33, P34, P35;

    function automatic integer is_clk0(input [8*8-1:0] sel);
        is_clk0 = (sel == "CLK0") ? 1 : 0;
    endfunction

    initial begin
        if ((REG_INPUTA_CLK != "NONE" && REG_INPUTA_CLK != "CLK0")
                || (REG_INPUTB_CLK != "NONE" && REG_INPUTB_CLK != "CLK0")
                || (REG_PIPELINE_CLK != "NONE" && REG_PIPELINE_CLK != "CLK0")
                || (REG_OUTPUT_CLK != "NONE" && REG_OUTPUT_CLK != "CLK0")
                || REG_INPUTC_CLK != "NONE"
                || REG_INPUTA_CE != "CE0" || REG_INPUTB_CE != "CE0" || REG_PIPELINE_CE != "CE0"
                || REG_OUTPUT_CE != "CE0" || REG_INPUTA_RST != "RST0" || REG_INPUTB_RST != "RST0"
                || REG_PIPELINE_RST != "RST0" || REG_OUTPUT_RST != "RST0" || RESETMODE != "SYNC") begin
            $error("%m: MULT18X18D mode not modelled");
            $finish;
        end
    end

    wire [17:0] a_in = {A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0};
    wire [17:0] b_in = {B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0};
    reg [17:0] a_reg, b_reg;
    reg sa_reg, sb_reg;
    reg [35:0] m_reg, p_reg;
    always @(posedge CLK0) begin
        if (RST0) begin
            a_reg  <= 18'd0;
            b_reg  <= 18'd0;
            sa_reg <= 1'b0;
            sb_reg <= 1'b0;
        end else if (CE0) begin
            a_reg  <= a_in;
            b_reg  <= b_in;
            sa_reg <= SIGNEDA;
            sb_reg <= SIGNEDB;
        end
    end
    wire [17:0] a_m = is_clk0(REG_INPUTA_CLK) ? a_reg : a_in;
    wire [17:0] b_m = is_clk0(REG_INPUTB_CLK) ? b_reg : b_in;
    wire sa_m = is_clk0(REG_INPUTA_CLK) ? sa_reg : SIGNEDA;
    wire sb_m = is_clk0(REG_INPUTB_CLK) ? sb_reg : SIGNEDB;
    // 19-bit two's complement operands (sign bit or zero on top), the product's low 36 bits
    wire signed [18:0] a_s = {sa_m & a_m[17], a_m};
    wire signed [18:0] b_s = {sb_m & b_m[17], b_m};
    wire signed [37:0] prod = a_s * b_s;
    wire [35:0] m_d = is_clk0(REG_PIPELINE_CLK) ? m_reg : prod[35:0];
    always @(posedge CLK0) begin
        if (RST0) begin
            m_reg <= 36'd0;
            p_reg <= 36'd0;
        end else if (CE0) begin
            m_reg <= prod[35:0];
            p_reg <= m_d;
        end
    end
    wire [35:0] p_out = is_clk0(REG_OUTPUT_CLK) ? p_reg : m_d;
    assign {P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18, P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0} = p_out;
    always @(posedge CLK0) begin
        if (SOURCEA !== 1'b0 || SOURCEB !== 1'b0) begin
            $error("%m: SOURCEA/SOURCEB (shift cascade) not modelled");
            $finish;
        end
    end
    /* verilator lint_off UNUSEDSIGNAL */
    wire [1:0] unused_prod = prod[37:36];
    /* verilator lint_on UNUSEDSIGNAL */
endmodule

`resetall
