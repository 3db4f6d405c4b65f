// engine_rec: the engine's recurrence path: each output block of a layer step (r_t, or m_t
// before the projection) -> register -> recurrence fft_real -> the spectrum memories the PE
// array reads, with the scoreboard strobes that tell the sequencer a block exists, and the
// last layer's r_t blocks into the output FIFO.
//
// Function : two sources, never valid in the same cycle: the element-wise unit's output (e_*:
//            r_t = m_t / h_t without a projection, m_t with one) and the projection result
//            (p_*: r_t).  Every block carries its step's layer, frame id and sequence end (the
//            sequencer may already run the next pass or frame) and two flags its source
//            computed: block 0 and the frame's last r block (RB - 1).  A register stage follows the
//            source select (rq_*).  r blocks go to the spectrum memory at slot * RB + block,
//            slot = {layer, fid[0]} (two frames per layer); m blocks (PROJ > 0) to m bank
//            h % PS at h / PS.  The strobes (r_we with r_slot, r_blk0, r_fid; m_we) mark the
//            write; the output FIFO push (of_*) is the last layer's r blocks, with of_end on a
//            frame's last block and of_last on a sequence's last.
// Read port: spec_rd = spectrum memory[rd_addr], m_rd = every m bank at rd_addr, one cycle
//            after rd_addr (block RAM reads; an address beyond the depth reads word 0).
// Formats  : data words sDATA_WIDTH; spectra K/2 packed words of s(DATA_WIDTH + log2 K)
//            (engine_spack).
// Latency  : of_* one cycle after the source; writes and strobes fft_real's LATENCY + 1
//            cycles after it.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_rec #(
    parameter integer K          = 4,
    parameter integer DATA_WIDTH = 16,
    parameter integer TW_WIDTH   = 18,
    parameter integer LAYERS     = 1,
    parameter integer RB         = 2,   // output blocks per step (r_t)
    parameter integer PROJ       = 0,   // > 0: the element-wise outputs are m_t
    parameter integer PS         = 1,   // m banks
    parameter integer SDEPTH     = 4,   // spectrum memory blocks (LAYERS * 2 * RB)
    parameter integer MDEPTH     = 1,   // blocks per m bank
    parameter integer ADDR_WIDTH = 32
) (
    input  wire                                    clk,
    input  wire                                    rst,
    // element-wise output
    input  wire                                    e_valid,
    input  wire [7:0]                              e_layer,
    input  wire [1:0]                              e_fid,
    input  wire                                    e_send,
    input  wire [15:0]                             e_blk,
    input  wire                                    e_blk0,   // e_blk == 0
    input  wire                                    e_last,   // e_blk == RB - 1 (r blocks)
    input  wire [K*DATA_WIDTH-1:0]                 e_data,
    // projection result
    input  wire                                    p_valid,
    input  wire [7:0]                              p_layer,
    input  wire [1:0]                              p_fid,
    input  wire                                    p_send,
    input  wire [15:0]                             p_blk,
    input  wire                                    p_blk0,   // p_blk == 0
    input  wire                                    p_last,   // p_blk == RB - 1
    input  wire [K*DATA_WIDTH-1:0]                 p_data,
    // output FIFO push (the last layer's r blocks)
    output reg                                     of_push,
    output wire [K*DATA_WIDTH-1:0]                 of_data,
    output reg                                     of_end,   // a frame's last block
    output reg                                     of_last,  // a sequence's last block
    output reg                                     of_send,  // the block's step ends a sequence
    // scoreboard strobes
    output wire                                    r_we,
    output wire [8:0]                              r_slot,
    output wire                                    r_blk0,
    output wire [1:0]                              r_fid,
    output wire                                    m_we,
    // read port
    input  wire [ADDR_WIDTH-1:0]                   rd_addr,
    output reg  [(DATA_WIDTH+$clog2(K))*K-1:0]     spec_rd,
    output wire [PS*(DATA_WIDTH+$clog2(K))*K-1:0]  m_rd
);
    localparam integer XW = DATA_WIDTH + $clog2(K);
    localparam integer SBW = XW * K;
    localparam [31:0] LAYERS_M1 = LAYERS - 1;
    localparam [7:0] LAST_LAYER = LAYERS_M1[7:0];

    initial begin
        if (K < 2 || LAYERS < 1 || LAYERS > 255 || RB < 1 || RB > 65536 || PS < 1
                || SDEPTH < 2 * LAYERS * RB || SDEPTH > 65536 || MDEPTH < 1 || MDEPTH > 65536) begin
            $error("%m: K=%0d LAYERS=%0d RB=%0d PS=%0d SDEPTH=%0d MDEPTH=%0d out of range",
                   K, LAYERS, RB, PS, SDEPTH, MDEPTH);
            $finish;
        end
    end

    // source select (p_* takes precedence; the engine never offers both) into a register
    // stage: only selects and flags the sources computed (block 0 / last block, and each
    // source's last-layer test side by side), nothing compared after the select; the spectrum
    // address (slot * RB + block) is computed from the registers, in front of the FFT's tuser
    wire rf_valid = e_valid || p_valid;
    wire rf_is_r = p_valid || (PROJ == 0);
    wire rf_send = p_valid ? p_send : e_send;
    wire rf_top = p_valid ? (p_layer == LAST_LAYER) : (e_layer == LAST_LAYER);
    wire rf_end = p_valid ? p_last : e_last;
    reg rq_valid, rq_is_r, rq_blk0;
    reg [7:0] rq_layer;
    reg [1:0] rq_fid;
    reg [15:0] rq_blk;
    reg [K*DATA_WIDTH-1:0] rq_data;
    assign of_data = rq_data;
    always @(posedge clk) begin
        rq_valid <= rf_valid && !rst;
        of_push <= rf_valid && rf_is_r && rf_top && !rst;
        of_end <= rf_end;
        of_last <= rf_send && rf_end;
        of_send <= rf_send;
        rq_is_r <= rf_is_r;
        rq_blk0 <= p_valid ? p_blk0 : e_blk0;
        rq_layer <= p_valid ? p_layer : e_layer;
        rq_fid <= p_valid ? p_fid : e_fid;
        rq_blk <= p_valid ? p_blk : e_blk;
        rq_data <= p_valid ? p_data : e_data;
    end
    wire [8:0] rq_slot = {rq_layer, rq_fid[0]};
    /* verilator lint_off UNUSEDSIGNAL */
    wire [31:0] rq_addr = (rq_is_r ? {23'd0, rq_slot} * RB : 32'd0) + {16'd0, rq_blk};
    /* verilator lint_on UNUSEDSIGNAL */
    // fft tuser fields: {frame id, slot, block 0, is r, address}
    localparam integer RU_ADDR = 0, RU_IS_R = 16, RU_BLK0 = 17, RU_SLOT = 18, RU_FID = 27;
    localparam integer RUW = 29;
    wire [RUW-1:0] rq_user = {rq_fid, rq_slot, rq_blk0, rq_is_r, rq_addr[15:0]};

    wire rfo_valid;
    wire [RUW-1:0] rfo_user;
    wire [XW*(K+2)-1:0] rfo_out;
    wire [SBW-1:0] rfo_packed;
    // fft_real's s_axis_tready: its m_axis_tready is tied high, so it never stalls
    /* verilator lint_off UNUSEDSIGNAL */
    wire rfo_tready;
    /* verilator lint_on UNUSEDSIGNAL */
    fft_real #(
        .K(K),
        .IN_WIDTH(DATA_WIDTH),
        .TW_WIDTH(TW_WIDTH),
        .USER_WIDTH(RUW)
    ) fft_rec_inst (
        .clk(clk),
        .rst(rst),
        .s_axis_tdata(rq_data),
        .s_axis_tvalid(rq_valid),
        .s_axis_tready(rfo_tready),
        .s_axis_tuser(rq_user),
        .m_axis_tdata(rfo_out),
        .m_axis_tvalid(rfo_valid),
        .m_axis_tready(1'b1),
        .m_axis_tuser(rfo_user)
    );
    engine_spack #(.K(K), .XW(XW)) spack_inst (.fft_bins(rfo_out), .pk_words(rfo_packed));
    wire rfo_is_r = rfo_user[RU_IS_R];
    wire [15:0] rfo_addr = rfo_user[RU_ADDR+:16];
    assign r_we = rfo_valid && rfo_is_r;
    assign r_slot = rfo_user[RU_SLOT+:9];
    assign r_blk0 = rfo_user[RU_BLK0];
    assign r_fid = rfo_user[RU_FID+:2];
    assign m_we = rfo_valid && !rfo_is_r;

    // spectrum memory (r slots) and m banks (block h in bank h % PS at h / PS)
    reg [SBW-1:0] spec_mem[0:SDEPTH-1];
    always @(posedge clk) begin
        if (r_we) spec_mem[{16'd0, rfo_addr}] <= rfo_packed;
        spec_rd <= spec_mem[rd_addr < SDEPTH ? rd_addr : {ADDR_WIDTH{1'b0}}];
    end
    genvar mb;
    generate
        for (mb = 0; mb < PS; mb = mb + 1) begin : g_mbank
            reg [SBW-1:0] mbank[0:MDEPTH-1];
            reg [SBW-1:0] rd;
            always @(posedge clk) begin
                if (m_we && ({16'd0, rfo_addr} % PS) == mb) mbank[{16'd0, rfo_addr} / PS] <= rfo_packed;
                rd <= mbank[rd_addr < MDEPTH ? rd_addr : {ADDR_WIDTH{1'b0}}];
            end
            assign m_rd[mb*SBW+:SBW] = rd;
        end
    endgenerate
endmodule

`resetall
