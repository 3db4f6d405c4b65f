// engine_input: the engine's input path: frames from s_axis into the two x-spectrum slots.
//
// Function : s_axis carries a frame as QIN = ceil(IN_SIZE / K) beats of K data words, tlast on
//            the last beat of a sequence's last frame.  Each beat goes through fft_real (II = 1)
//            and its K/2 packed spectrum words (engine_spack) are written to the x memory at
//            slot * QIN + beat; frames alternate between two slots (frame n: slot n mod 2).
//            A slot is free again once the sequencer has issued the frame's x reads
//            (frames_xdone counts them).  tready = RUN, no reset in effect and a free slot for
//            the beat: nothing is accepted while a (soft) reset is in effect, so a CTRL write
//            of RUN | SOFT_RESET never takes a beat into the pipeline being cleared.
//            The last beat of a frame carries LASTN = IN_SIZE - (QIN - 1) * K input words; its
//            padding words are forced to zero (golden pads with zeros, whatever the source
//            sends there).  A tlast on a beat that does not end a frame is reported
//            (tlast_err, the engine's STATUS.TLAST_ERR) and otherwise ignored: the frame goes
//            on to its QIN beats (docs/engine.md: recovery by soft reset).
//            frames_accepted counts frames whose last beat was taken, frames_loaded frames
//            whose spectra are all in memory (mod 256); slot_seq_end[s] says whether the
//            frame loaded in slot s ends a sequence.
// Timing   : the slot test is a register computed from the next frames_accepted and the
//            current frames_xdone (a slot freed in cycle t is seen in t + 1), so only RUN and
//            the reset gate tready combinationally; both outcomes of the test (a frame's last
//            beat taken this cycle or not) are computed from registers.
// Read port: rd_data = x memory[rd_addr] one cycle after rd_addr (a block RAM read; an
//            address at or beyond 2 * QIN reads word 0).
// Formats  : input words sDATA_WIDTH; spectra s(DATA_WIDTH + log2 K) (fft_real's growth).
// Latency  : a beat's spectra are in memory fft_real's LATENCY + 1 cycles after it is taken;
//            frames_loaded counts at that write.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_input #(
    parameter integer K          = 4,
    parameter integer DATA_WIDTH = 16,
    parameter integer IN_SIZE    = 16,
    parameter integer TW_WIDTH   = 18,
    parameter integer ADDR_WIDTH = 32
) (
    input  wire                                      clk,
    input  wire                                      rst,
    input  wire                                      run,
    input  wire [K*DATA_WIDTH-1:0]                   s_axis_tdata,
    input  wire                                      s_axis_tvalid,
    output wire                                      s_axis_tready,
    input  wire                                      s_axis_tlast,
    // frames whose x reads the sequencer has issued (mod 256): their slots are free
    input  wire [7:0]                                frames_xdone,
    output reg  [7:0]                                frames_accepted,
    output reg  [7:0]                                frames_loaded,
    output reg  [1:0]                                slot_seq_end,
    // a frame is partly taken (its first beat in, its last not yet)
    output wire                                      mid_frame,
    // a tlast on a beat taken that does not end a frame
    output wire                                      tlast_err,
    input  wire [ADDR_WIDTH-1:0]                     rd_addr,
    output reg  [(DATA_WIDTH+$clog2(K))*K-1:0]       rd_data
);
    localparam integer LOG2K = $clog2(K);
    localparam integer XW = DATA_WIDTH + LOG2K;  // spectrum component width
    localparam integer SBW = XW * K;  // one block: K/2 packed words of 2 * XW bits
    localparam integer QIN = (IN_SIZE + K - 1) / K;
    localparam integer LASTN = IN_SIZE - (QIN - 1) * K;  // input words in a frame's last beat
    localparam integer XIN_DEPTH = 2 * QIN;
    localparam integer BW = $clog2(QIN + 1);  // beat counter
    localparam integer XAW = $clog2(XIN_DEPTH);  // x memory address
    localparam [31:0] QIN_M2 = (QIN > 1) ? QIN - 2 : 0;

    initial begin
        if (K < 2 || (1 << LOG2K) != K || IN_SIZE < 1 || QIN > 32768 || ADDR_WIDTH < 2) begin
            $error("%m: K=%0d (a power of two >= 2), IN_SIZE=%0d (1 .. 32768 * K), ADDR_WIDTH=%0d",
                   K, IN_SIZE, ADDR_WIDTH);
            $finish;
        end
    end

    reg [BW-1:0] in_beat;
    reg in_slot, in_frame_end;  // a slot is free for the beat; the beat ends its frame
    wire in_ok = run && !rst && in_slot;
    assign s_axis_tready = in_ok;
    wire in_fire = s_axis_tvalid && in_ok;
    assign mid_frame = (in_beat != 0);
    assign tlast_err = in_fire && s_axis_tlast && !in_frame_end;
    wire [7:0] in_occ = frames_accepted - frames_xdone;  // frames in the two slots
    wire slot_if_none = (in_occ < 8'd2), slot_if_end = (in_occ < 8'd1);
    always @(posedge clk)
        in_slot <= !rst && ((in_fire && in_frame_end) ? slot_if_end : slot_if_none);
    wire [K*DATA_WIDTH-1:0] pad_mask;
    genvar pm;
    generate
        for (pm = 0; pm < K; pm = pm + 1) begin : g_pad
            assign pad_mask[pm*DATA_WIDTH+:DATA_WIDTH] = {DATA_WIDTH{(pm < LASTN) || !in_frame_end}};
        end
    endgenerate
    always @(posedge clk) begin
        if (rst) begin
            in_beat <= 0;
            in_frame_end <= (QIN == 1);
            frames_accepted <= 0;
        end else if (in_fire) begin
            in_beat <= in_frame_end ? {BW{1'b0}} : in_beat + 1'b1;
            in_frame_end <= in_frame_end ? (QIN == 1) : (in_beat == QIN_M2[BW-1:0]);
            if (in_frame_end) frames_accepted <= frames_accepted + 1'b1;
        end
    end

    // fft_real tuser fields: {frame end, tlast, slot, beat}
    localparam integer FU_BEAT = 0, FU_SLOT = BW, FU_LAST = BW + 1, FU_END = BW + 2;
    localparam integer FUW = BW + 3;
    wire [XW*(K+2)-1:0] fin_out;
    wire fin_valid;
    wire [FUW-1:0] fin_user;
    // fft_real's s_axis_tready: its m_axis_tready is tied high, so it never stalls
    /* verilator lint_off UNUSEDSIGNAL */
    wire fin_tready;
    /* verilator lint_on UNUSEDSIGNAL */
    fft_real #(
        .K(K),
        .IN_WIDTH(DATA_WIDTH),
        .TW_WIDTH(TW_WIDTH),
        .USER_WIDTH(FUW)
    ) fft_in_inst (
        .clk(clk),
        .rst(rst),
        .s_axis_tdata(s_axis_tdata & pad_mask),
        .s_axis_tvalid(in_fire),
        .s_axis_tready(fin_tready),
        .s_axis_tuser({in_frame_end, s_axis_tlast, frames_accepted[0], in_beat}),
        .m_axis_tdata(fin_out),
        .m_axis_tvalid(fin_valid),
        .m_axis_tready(1'b1),
        .m_axis_tuser(fin_user)
    );
    wire [SBW-1:0] fin_packed;
    engine_spack #(.K(K), .XW(XW)) spack_inst (.fft_bins(fin_out), .pk_words(fin_packed));
    wire [BW-1:0] fin_beat = fin_user[FU_BEAT+:BW];
    wire fin_slot = fin_user[FU_SLOT];
    wire fin_last = fin_user[FU_LAST];
    wire fin_end = fin_user[FU_END];

    // x memory: two slots of QIN blocks
    reg [SBW-1:0] xin_mem[0:XIN_DEPTH-1];
    // slot 1 starts at block QIN (the sum is below 2 * QIN, so XAW bits hold it)
    /* verilator lint_off UNUSEDSIGNAL */
    wire [31:0] wr_addr = (fin_slot ? QIN : 0) + {{(32 - BW) {1'b0}}, fin_beat};
    /* verilator lint_on UNUSEDSIGNAL */
    always @(posedge clk) begin
        if (fin_valid) xin_mem[wr_addr[XAW-1:0]] <= fin_packed;
        if (fin_valid && fin_end) slot_seq_end[fin_slot] <= fin_last;
        rd_data <= xin_mem[rd_addr < XIN_DEPTH ? rd_addr : {ADDR_WIDTH{1'b0}}];
    end
    always @(posedge clk) begin
        if (rst) frames_loaded <= 0;
        else if (fin_valid && fin_end) frames_loaded <= frames_loaded + 1'b1;
    end
endmodule

`resetall
