// engine_ofifo: the engine's output FIFO, with whole-frame reservation (no s_axis_tready).
//
// Function : a frame reserves room for all BLOCKS of its output when it starts (`reserve`,
//            one cycle per frame), so the results already in flight never find the FIFO full
//            and the producer never has to stall: `room` = (reserved + BLOCKS <= DEPTH) says
//            whether one more frame may start.  The reservation counts every entry reserved
//            and not yet read (a pop releases one); the producer starts a frame only with
//            `room` and pushes only blocks of frames it started, so occupancy <= reserved
//            <= DEPTH and a push never overwrites an unread entry.
//            s_axis_tvalid pushes {s_axis_tlast, s_axis_tdata}; m_axis_* reads in order.
// Formats  : DATA_WIDTH opaque bits (the engine: K data words) plus the tlast bit.
// Latency  : a word pushed at edge n is on m_axis_* (tvalid high) after edge n: the memory
//            is read asynchronously at the read pointer (distributed RAM), as engine.v has
//            always done.  One push and one pop per cycle.  `room` follows `reserve` and pops
//            after one edge (a registered count, then a compare with a constant).
// Sizes    : DEPTH a power of two >= 2 (the engine: 1 << clog2(2 * BLOCKS), two frames);
//            pointers log2 DEPTH bits (they wrap with the memory), counts log2 DEPTH + 1 bits.
// Bit growth: none.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_ofifo #(
    parameter integer DATA_WIDTH = 64,
    parameter integer DEPTH      = 4,
    parameter integer BLOCKS     = 2   // entries per frame (the engine: RB = OUT / K)
) (
    input  wire                  clk,
    input  wire                  rst,
    // a frame starts: reserve BLOCKS entries (only while `room`)
    input  wire                  reserve,
    output wire                  room,
    // push: never refused (the reservation guarantees the space)
    input  wire [DATA_WIDTH-1:0] s_axis_tdata,
    input  wire                  s_axis_tvalid,
    input  wire                  s_axis_tlast,
    output wire [DATA_WIDTH-1:0] m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready,
    output wire                  m_axis_tlast
);
    localparam integer AW = $clog2(DEPTH);
    localparam [31:0] ROOM_MAX_W = DEPTH - BLOCKS;  // room while reserved <= DEPTH - BLOCKS
    localparam [31:0] BLOCKS_W = BLOCKS;
    localparam [AW:0] ROOM_MAX = ROOM_MAX_W[AW:0];
    localparam [AW:0] BLOCKS_C = BLOCKS_W[AW:0];

    initial begin
        if (DATA_WIDTH < 1 || DEPTH < 2 || (1 << AW) != DEPTH || BLOCKS < 1 || BLOCKS > DEPTH) begin
            $error("%m: DATA_WIDTH=%0d DEPTH=%0d BLOCKS=%0d: DEPTH must be a power of two >= 2, %s",
                   DATA_WIDTH, DEPTH, BLOCKS, "1 <= BLOCKS <= DEPTH");
            $finish;
        end
    end

    reg [DATA_WIDTH:0] mem[0:DEPTH-1];  // {tlast, tdata}
    reg [AW-1:0] wr_reg, rd_reg;
    reg [AW:0] count_reg, resv_reg;
    wire pop = m_axis_tvalid && m_axis_tready;

    assign room = (resv_reg <= ROOM_MAX);
    assign m_axis_tvalid = (count_reg != {(AW + 1) {1'b0}});
    assign {m_axis_tlast, m_axis_tdata} = mem[rd_reg];

    always @(posedge clk) begin
        if (s_axis_tvalid) mem[wr_reg] <= {s_axis_tlast, s_axis_tdata};
        if (rst) begin
            wr_reg <= {AW{1'b0}};
            rd_reg <= {AW{1'b0}};
            count_reg <= {(AW + 1) {1'b0}};
            resv_reg <= {(AW + 1) {1'b0}};
        end else begin
            if (s_axis_tvalid) wr_reg <= wr_reg + 1'b1;
            if (pop) rd_reg <= rd_reg + 1'b1;
            count_reg <= count_reg + {{AW{1'b0}}, s_axis_tvalid} - {{AW{1'b0}}, pop};
            resv_reg <= resv_reg + (reserve ? BLOCKS_C : {(AW + 1) {1'b0}}) - {{AW{1'b0}}, pop};
        end
    end
endmodule

`resetall
