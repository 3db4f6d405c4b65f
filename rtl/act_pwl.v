// act_pwl: piecewise-linear sigmoid / tanh from a generated knot table
// (golden.activations.act_fixed; table written by golden.activations.write_act_mem).
//
// Function : a = min(|z|, 2**(IN_WIDTH-1) - 1); TB = IN_WIDTH - 1 - SEG_BITS;
//            i = a >> TB, t = a mod 2**TB;
//            v = T[i] + round_RND((T[i+1] - T[i]) * t, TB)       (round_sat MODE 1)
//            tanh (FUNC 1):    y = z >= 0 ? v : -v
//            sigmoid (FUNC 0): y = z >= 0 ? v : 2**OUT_FRAC - v
// Formats  : in sIN_WIDTH.F (pre), out sOUT_WIDTH.OUT_FRAC (gate); table T: 2**SEG_BITS + 1
//            knots of sOUT_WIDTH.OUT_FRAC, one hex word per line (TABLE_FILE, $readmemh).
// Internal : T[i+1]-T[i] s(OUT_WIDTH+1); product s(OUT_WIDTH+TB+2); v s(OUT_WIDTH+4).
//            The final round_sat (SHIFT 0, SAT) never clips for a monotone table in range.
// Latency  : 4 cycles (table address register, table read, multiply, output); II = 1.
// Bit growth: none at the output (gate format).
// Handshake: AXI-Stream valid/ready with one clock enable ce = m_axis_tready | ~m_axis_tvalid
//            (s_axis_tready = ce); s_axis_tuser travels with its word.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module act_pwl #(
    parameter integer IN_WIDTH   = 16,
    parameter integer OUT_WIDTH  = 16,
    parameter integer OUT_FRAC   = 14,
    parameter integer SEG_BITS   = 7,
    parameter integer FUNC       = 0,
    parameter        TABLE_FILE = "act_table.hex",
    parameter integer USER_WIDTH = 1
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire [IN_WIDTH-1:0]   s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    input  wire [USER_WIDTH-1:0] s_axis_tuser,
    output wire [OUT_WIDTH-1:0]  m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready,
    output wire [USER_WIDTH-1:0] m_axis_tuser
);

    localparam integer TB = IN_WIDTH - 1 - SEG_BITS;
    localparam integer NKNOT = (1 << SEG_BITS) + 1;
    localparam integer DW = OUT_WIDTH + 1;  // knot difference
    localparam integer PW = DW + TB + 1;  // product (t is unsigned: one more bit)
    localparam integer RW = OUT_WIDTH + 3;  // rounded product, exact
    localparam integer VW = OUT_WIDTH + 4;  // v and y before the final clamp

    initial begin
        if (TB < 1 || SEG_BITS < 1 || FUNC < 0 || FUNC > 1 || OUT_FRAC > OUT_WIDTH - 2) begin
            $error("%m: bad parameters IN_WIDTH=%0d SEG_BITS=%0d FUNC=%0d OUT=%0d.%0d",
                   IN_WIDTH, SEG_BITS, FUNC, OUT_WIDTH, OUT_FRAC);
            $finish;
        end
    end

    reg [OUT_WIDTH-1:0] table_mem[0:NKNOT-1];
    initial $readmemh(TABLE_FILE, table_mem);

    wire ce = m_axis_tready | ~m_axis_tvalid;
    assign s_axis_tready = ce;

    // ---- stage 1: magnitude, segment and offset ----
    wire [IN_WIDTH-1:0] z = s_axis_tdata;
    wire [IN_WIDTH-2:0] z_neg = -z[IN_WIDTH-2:0];  // |z| mod 2**(IN_WIDTH-1)
    wire z_min = z[IN_WIDTH-1] & ~(|z[IN_WIDTH-2:0]);
    wire [IN_WIDTH-2:0] mag = z_min ? {(IN_WIDTH - 1) {1'b1}}
                            : (z[IN_WIDTH-1] ? z_neg : z[IN_WIDTH-2:0]);
    reg [SEG_BITS-1:0] seg_reg;
    reg [TB-1:0] off_reg, off_d2;
    reg neg_reg, neg_d2, neg_d3;

    // ---- stage 2: table read (two knots) ----
    reg [OUT_WIDTH-1:0] lo_reg, hi_reg, lo_d3;

    // ---- stage 3: multiply ----
    wire [DW-1:0] diff = {hi_reg[OUT_WIDTH-1], hi_reg} - {lo_reg[OUT_WIDTH-1], lo_reg};
    reg signed [PW-1:0] prod_reg;

    always @(posedge clk) begin
        if (ce) begin
            seg_reg  <= mag[IN_WIDTH-2:TB];
            off_reg  <= mag[TB-1:0];
            neg_reg  <= z[IN_WIDTH-1];
            lo_reg   <= table_mem[{1'b0, seg_reg}];
            hi_reg   <= table_mem[{1'b0, seg_reg} + 1'b1];
            off_d2   <= off_reg;
            neg_d2   <= neg_reg;
            prod_reg <= $signed(diff) * $signed({1'b0, off_d2});
            lo_d3    <= lo_reg;
            neg_d3   <= neg_d2;
        end
    end

    // ---- stage 4: round, add, sign ----
    wire [RW-1:0] r;
    /* verilator lint_off UNUSEDSIGNAL */
    wire r_ovf, y_ovf;  // cannot be set: RW holds the rounded product; y is in range
    /* verilator lint_on UNUSEDSIGNAL */
    round_sat #(
        .IN_WIDTH(PW),
        .SHIFT(TB),
        .OUT_WIDTH(RW),
        .MODE(1),
        .SAT(1)
    ) prod_rnd_inst (
        .in_data(prod_reg),
        .out_data(r),
        .out_ovf(r_ovf)
    );
    localparam [VW-1:0] ONE = {{(VW - 1) {1'b0}}, 1'b1} << OUT_FRAC;
    wire [VW-1:0] v = {{(VW - OUT_WIDTH) {lo_d3[OUT_WIDTH-1]}}, lo_d3}
                    + {{(VW - RW) {r[RW-1]}}, r};
    wire [VW-1:0] y = ~neg_d3 ? v : ((FUNC == 0) ? ONE - v : -v);
    wire [OUT_WIDTH-1:0] y_sat;
    round_sat #(
        .IN_WIDTH(VW),
        .SHIFT(0),
        .OUT_WIDTH(OUT_WIDTH),
        .MODE(0),
        .SAT(1)
    ) out_sat_inst (
        .in_data(y),
        .out_data(y_sat),
        .out_ovf(y_ovf)
    );
    reg [OUT_WIDTH-1:0] out_reg;
    always @(posedge clk) if (ce) out_reg <= y_sat;
    assign m_axis_tdata = out_reg;

    pipe_reg #(
        .WIDTH(1),
        .DEPTH(4),
        .RESET(1)
    ) valid_pipe_inst (
        .clk(clk),
        .rst(rst),
        .ce(ce),
        .in_data(s_axis_tvalid),
        .out_data(m_axis_tvalid)
    );
    pipe_reg #(
        .WIDTH(USER_WIDTH),
        .DEPTH(4),
        .RESET(0)
    ) user_pipe_inst (
        .clk(clk),
        .rst(rst),
        .ce(ce),
        .in_data(s_axis_tuser),
        .out_data(m_axis_tuser)
    );

endmodule

`resetall
