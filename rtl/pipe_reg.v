// pipe_reg: DEPTH-stage delay line with clock enable (valid bits, side-band data).
//
// Function : out = in delayed by DEPTH enabled cycles (DEPTH = 0: a wire).
// Formats  : WIDTH opaque bits.
// Latency  : DEPTH cycles of ce.
// Bit growth: none.
// RESET 1 clears the stages on rst (control: valid bits); RESET 0 leaves data unreset.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module pipe_reg #(
    parameter integer WIDTH = 1,
    parameter integer DEPTH = 1,
    parameter integer RESET = 0
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             ce,
    input  wire [WIDTH-1:0] in_data,
    output wire [WIDTH-1:0] out_data
);

    generate
        if (DEPTH == 0) begin : g_wire
            assign out_data = in_data;
        end else begin : g_regs
            reg [WIDTH-1:0] stage_reg[0:DEPTH-1];
            integer i;
            always @(posedge clk) begin
                if (ce) begin
                    stage_reg[0] <= in_data;
                    for (i = 1; i < DEPTH; i = i + 1) stage_reg[i] <= stage_reg[i-1];
                end
                if (RESET != 0 && rst) begin
                    for (i = 0; i < DEPTH; i = i + 1) stage_reg[i] <= {WIDTH{1'b0}};
                end
            end
            assign out_data = stage_reg[DEPTH-1];
        end
    endgenerate

    // rst is unused when RESET == 0.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_rst = rst;
    /* verilator lint_on UNUSEDSIGNAL */

endmodule

`resetall
