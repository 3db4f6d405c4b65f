// engine_wmem: the engine's weight memory, in banks of at most BANK_DEPTH lines, each bank with
// its own output register before the bank select.
//
// Function : DEPTH lines of WIDTH bits (LANES lanes of LANE_WIDTH bits).  Line a lives in bank
//            a / BANK_DEPTH at a % BANK_DEPTH.  Read: rd_data = line rd_addr, 2 cycles after
//            rd_addr (cycle 1: the bank's synchronous read, cycle 2: every bank's output
//            register; rd_data is the registered bank output that the registered bank index
//            selects, a mux after registers).  Addresses >= DEPTH read line 0.  Write: with
//            wr_en, every lane set in wr_lanes of line wr_addr takes wr_data (one write port
//            with lane enables); a write to an address >= DEPTH is ignored (the load port
//            rejects those before they get here).  A read of a line written in the same cycle
//            returns the old line (no bypass; the engine never reads while loading).
// Why      : a memory deeper than one block RAM is built by yosys from depth tiles joined by a
//            mux between the block RAM outputs and the first register; on ECP5 the block RAM's
//            unregistered clock-to-output (5.8 ns at grade 6; yosys does not infer the output
//            register) plus that mux and its routing set the engine's clock.  Banks of at most
//            one block RAM's depth need no such mux, and their registered outputs give the
//            placer room.
// Init     : bank b reads {INIT_PREFIX, "NN.mem"} with NN = b in two decimal digits
//            ($readmemh; golden.engine_layout.write_engine_mem writes w_b00.mem, w_b01.mem, ...
//            next to w.mem), so at most 100 banks.
// Latency  : 2 cycles (rd_addr -> rd_data); writes land at the clock edge.
// Timing   : block RAM -> register -> select mux (ceil(log4 banks) LUT levels) -> the caller's
//            register.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_wmem #(
    parameter integer WIDTH       = 64,
    parameter integer LANE_WIDTH  = 32,
    parameter integer DEPTH       = 1024,
    parameter integer BANK_DEPTH  = 1024,
    parameter integer ADDR_WIDTH  = 32,
    parameter        INIT_PREFIX = "mem/w_b"
) (
    input  wire                         clk,
    input  wire [ADDR_WIDTH-1:0]        rd_addr,
    output wire [WIDTH-1:0]             rd_data,
    input  wire                         wr_en,
    input  wire [ADDR_WIDTH-1:0]        wr_addr,
    input  wire [WIDTH/LANE_WIDTH-1:0]  wr_lanes,
    input  wire [LANE_WIDTH-1:0]        wr_data
);
    localparam integer LANES = WIDTH / LANE_WIDTH;
    localparam integer BANKS = (DEPTH + BANK_DEPTH - 1) / BANK_DEPTH;
    localparam integer BW = (BANKS > 1) ? $clog2(BANKS) : 1;  // bank index
    initial begin
        if (LANES < 1 || LANES * LANE_WIDTH != WIDTH || DEPTH < 1 || BANKS > 100
                || BANK_DEPTH < 2 || (BANK_DEPTH & (BANK_DEPTH - 1)) != 0
                || ADDR_WIDTH < 2 || ADDR_WIDTH > 32) begin
            $error("%m: bad parameters WIDTH=%0d LANE_WIDTH=%0d DEPTH=%0d BANK_DEPTH=%0d",
                   WIDTH, LANE_WIDTH, DEPTH, BANK_DEPTH);
            $finish;
        end
    end
    // the address split: bank index and line within the bank (BANK_DEPTH a power of two)
    wire rd_in = (rd_addr < DEPTH);
    wire wr_in = (wr_addr < DEPTH);
    /* verilator lint_off UNUSEDSIGNAL */
    wire [ADDR_WIDTH-1:0] rd_bank_a = rd_in ? rd_addr / BANK_DEPTH : {ADDR_WIDTH{1'b0}};
    wire [ADDR_WIDTH-1:0] rd_line_a = rd_in ? rd_addr % BANK_DEPTH : {ADDR_WIDTH{1'b0}};
    wire [ADDR_WIDTH-1:0] wr_bank_a = wr_addr / BANK_DEPTH;
    wire [ADDR_WIDTH-1:0] wr_line_a = wr_addr % BANK_DEPTH;
    /* verilator lint_on UNUSEDSIGNAL */
    reg [BW-1:0] sel_d1, sel_d2;
    always @(posedge clk) begin
        sel_d1 <= rd_bank_a[BW-1:0];
        sel_d2 <= sel_d1;
    end
    wire [BANKS*WIDTH-1:0] bank_q;
    genvar b;
    generate
        for (b = 0; b < BANKS; b = b + 1) begin : g_bank
            localparam integer BD = (DEPTH - b * BANK_DEPTH < BANK_DEPTH) ? DEPTH - b * BANK_DEPTH
                                                                          : BANK_DEPTH;
            localparam integer D1 = 48 + b / 10, D0 = 48 + b % 10;  // ASCII digits of b
            localparam [15:0] NN = {D1[7:0], D0[7:0]};
            localparam integer LW = (BD > 1) ? $clog2(BD) : 1;  // line index within this bank
            reg [WIDTH-1:0] mem[0:BD-1];
            reg [WIDTH-1:0] rd, q;
            initial $readmemh({INIT_PREFIX, NN, ".mem"}, mem);
            integer ln;
            always @(posedge clk) begin
                if (wr_en && wr_in && wr_bank_a == b)
                    for (ln = 0; ln < LANES; ln = ln + 1)
                        if (wr_lanes[ln]) mem[wr_line_a[LW-1:0]][ln*LANE_WIDTH+:LANE_WIDTH] <= wr_data;
                rd <= mem[rd_line_a[LW-1:0]];  // every bank reads; the select keeps one
                q <= rd;
            end
            assign bank_q[b*WIDTH+:WIDTH] = q;
        end
    endgenerate
    assign rd_data = bank_q[sel_d2*WIDTH+:WIDTH];
endmodule

`resetall
