// engine_seq: the engine's sequencer: one MAC beat descriptor per cycle, issued when its
// operand block exists (docs/engine.md "Schedule"; weight order golden.engine_layout).
//
// Function : for every frame (started when `run`, a loaded input frame and output FIFO room
//            are all there), for each layer l = 0..LAYERS-1: the gate pass, then (GP > 0) the
//            projection pass.  A pass walks row groups g (gate: GG, projection: GP; the beat's
//            row = g*N_PE), per group its operand segments (gate: A then B; projection: the m
//            segment), per segment its blocks, per block its NWB beats w = 0..NWB-1:
//              gate, layer 0 : A = x_t (input slot, QIN blocks, xin), B = r_{t-1} (RB blocks)
//              gate, layer >0: A = r_{t-1} (RB blocks), B = x = r^{l-1}_t (RB blocks)
//              projection    : m (HC blocks, m bank address = block)
//            r_{t-1} of layer l is r slot 2l + (t+1)%2 at spectrum address (2l + (t+1)%2)*RB,
//            r^{l-1}_t slot 2(l-1) + t%2; the x_t blocks are at xin address (t%2)*QIN.  The
//            weight address b_waddr runs 0..WDEPTH-1 over the frame, one per beat, in the order
//            golden.engine_layout lays the weights out.  Kinds: 0 gate (LSTM; GRU gx), 1 GRU gh
//            (its r segment), 2 projection.  b_first: the first block of an accumulation (a
//            group's segment A; GRU: every segment), b_last: its last block (LSTM gate: segment
//            B; GRU: every segment; projection: the m segment), flagged on all NWB beats of
//            that block; b_mask: an r_{t-1} beat of a sequence's first frame (zero operand).
//            A frame starts (frame_start) when the sequencer is idle, `run` is set, a loaded
//            frame waits (frames_loaded != frames_started) and the output FIFO has room.
//            Generator: writes one descriptor per cycle into a QD-entry queue (QD = 8; it
//            waits only for queue room, a registered flag computed without this cycle's pop);
//            addresses are running sums and per-pass registers set in a one-cycle S_SETUP
//            state at the start of every pass.
//            Gate: issues the queue head (in order) when
//              - its operand block exists: r/x: slot s holds frame id f (x: this frame, r:
//                the previous one) and more than `block` blocks; m: at least (block+1)*PS m
//                blocks written this step.  Evaluated one cycle ahead of the gate, on the
//                registered scoreboard, for the head and the entry behind it;
//              - an accumulation end (b_last on beat NWB-1) comes at least SPACING + 1 cycles
//                after the previous one (sp: SPACING cycles of hold after an end);
//              - a layer step's first beat finds room in the element-wise context queue
//                (!ctx_full); it pushes the step's context (ctx_push, ctx_*).
//            Scoreboard (inside): per r slot s = 2*layer + frame parity, the blocks written
//            (in order 0..RB-1: block 0 restarts the count) and the writing frame's id; the m
//            blocks written since the current step's first beat issued (an m write in that
//            cycle is not counted: a step's m blocks all come before its projection pass ends).
// Ports    : frames_loaded / frames_started / frames_xdone: frame counters mod 256
//            (frames_xdone: frames whose layer-0 gate pass has issued, so their input slot is
//            free); in_seq_end[s]: the frame in input slot s ends a sequence; run, of_room,
//            ctx_full: levels; r_we / r_slot {layer, parity} / r_blk0 / r_fid: one r block
//            written; m_we: one m block written.  Frame ids are mod 4 (2 bits).  The b_*
//            registers are the issued beat (b_valid for one cycle per beat; the other b_*
//            are meaningful only with it: they follow the queue head every cycle); ctx_*,
//            frame_start: this cycle's pushes / start.
// Latency  : a beat issues at the earliest 2 cycles after it was generated (go register);
//            b_* 1 cycle after the issue.  A scoreboard write presented in cycle c is seen by
//            the gate in cycle c+2 (counter register, then go).  frames_started and
//            frames_xdone count 1 cycle after frame_start / the issue.  The queue absorbs the
//            S_SETUP cycle of a pass, so the generator costs at most 1 cycle per pass.
// Timing   : no cycle holds both the generator's address arithmetic and the scoreboard test:
//            the generator's segment and group ends (seg_end, grp_last) are registered one
//            beat ahead, the gate's readiness is a register (go) computed a cycle ahead.  The
//            stale (one cycle) readiness is safe: a slot's count only grows until every beat
//            that reads it has issued (a slot is rewritten only by the frame two ahead, whose
//            beats are generated after these).  The issue decision is one LUT of local
//            registers (go, the head's step flag, ctx_full): go is computed for both next heads
//            (the head stays / advances) from shadow registers of the head's and the next
//            entry's gate fields and selected by the issue; the decision drives no reset pin
//            (spacing: a shift register) and is duplicated per consumer group.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_seq #(
    parameter integer N_PE        = 2,
    parameter integer NWB         = 2,    // beats per block (K/2 / WPAR)
    parameter integer CELL        = 0,    // 0 LSTM, 1 GRU (two accumulations per row)
    parameter integer LAYERS      = 1,
    parameter integer QIN         = 4,    // x blocks of layer 0
    parameter integer RB          = 4,    // r blocks (OUT/K): r segment, x segment of layers > 0
    parameter integer HB          = 8,    // hidden blocks (m blocks of a step)
    parameter integer PS          = 1,    // projection split: m blocks per projection beat block
    parameter integer HC          = 8,    // projection pass blocks (HB / PS)
    parameter integer GG          = 8,    // gate pass row groups
    parameter integer GP          = 2,    // projection pass row groups (0: no projection pass)
    parameter integer WDEPTH      = 160,  // weight addresses of a frame
    parameter integer XIN_DEPTH   = 8,    // spectrum memories: input slots, r slots, m banks
    parameter integer SDEPTH      = 8,
    parameter integer MDEPTH      = 8,
    parameter integer SPACING     = 4,    // cycles between the ends of two accumulations
    parameter integer LAYER_WIDTH = 8,    // b_layer, ctx_layer, r_slot = {layer, parity}
    parameter integer WORD_WIDTH  = 5,    // b_w
    parameter integer ADDR_WIDTH  = 32,   // b_saddr, b_waddr
    parameter integer ROW_WIDTH   = 32    // b_row
) (
    input  wire                   clk,
    input  wire                   rst,
    // frames
    input  wire                   run,
    input  wire [7:0]             frames_loaded,
    input  wire [1:0]             in_seq_end,
    input  wire                   of_room,
    output wire                   frame_start,
    output reg  [7:0]             frames_started,
    output reg  [7:0]             frames_xdone,
    output wire                   idle,
    output reg                    first_step,
    // scoreboard writes
    input  wire                   r_we,
    input  wire [LAYER_WIDTH:0]   r_slot,
    input  wire                   r_blk0,
    input  wire [1:0]             r_fid,
    input  wire                   m_we,
    // element-wise context queue
    input  wire                   ctx_full,
    output wire                   ctx_push,
    output wire [LAYER_WIDTH-1:0] ctx_layer,
    output wire [1:0]             ctx_fid,
    output wire                   ctx_first,
    output wire                   ctx_send,
    // the issued beat
    output reg                    b_valid,
    output reg  [1:0]             b_kind,
    output reg                    b_xin,
    output reg                    b_mask,
    output reg                    b_first,
    output reg                    b_last,
    output reg  [WORD_WIDTH-1:0]  b_w,
    output reg  [ADDR_WIDTH-1:0]  b_saddr,
    output reg  [ADDR_WIDTH-1:0]  b_waddr,
    output reg  [ROW_WIDTH-1:0]   b_row,
    output reg  [LAYER_WIDTH-1:0] b_layer,
    output reg  [1:0]             b_fid,
    output reg                    b_send
);
    // ------------------------------------------------------------------ widths
    localparam integer LYW = LAYER_WIDTH;
    localparam integer WRW = WORD_WIDTH;
    localparam integer NSLOT = 2 * LAYERS;  // r slots: (layer, frame parity)
    localparam integer SLW = $clog2(NSLOT);  // NSLOT >= 2
    localparam integer BMAX0 = (QIN > RB) ? QIN : RB;
    localparam integer BMAX = (BMAX0 > HB) ? BMAX0 : HB;
    localparam integer BLKW = $clog2(BMAX + 1) + 1;  // blocks of a segment, counts, m thresholds
    localparam integer SAW = $clog2(XIN_DEPTH + SDEPTH + MDEPTH + 1) + 1;  // spectrum address
    localparam integer GRPW = $clog2(GG + GP + 1) + 1;
    localparam integer ROWW = $clog2((GG + GP) * N_PE + 1) + 1;
    localparam integer WAW = $clog2(WDEPTH + 1) + 1;
    localparam [SAW-1:0] RB_A = RB[SAW-1:0], QIN_A = QIN[SAW-1:0];
    localparam [ROWW-1:0] NPE_R = N_PE[ROWW-1:0];
    localparam [BLKW-1:0] PS_B = PS[BLKW-1:0];
    localparam [31:0] NWB_M1 = NWB - 1;
    localparam [31:0] LAYERS_M1 = LAYERS - 1;
    localparam [WRW-1:0] LAST_WRD = NWB_M1[WRW-1:0];  // last beat of a block
    localparam [LYW-1:0] LAST_LAYER = LAYERS_M1[LYW-1:0];

    initial begin
        if (N_PE < 1 || NWB < 1 || NWB > (1 << WORD_WIDTH) || LAYERS < 1 || LAYERS >= (1 << LAYER_WIDTH)
                || CELL < 0 || CELL > 1) begin
            $error("%m: bad N_PE=%0d / NWB=%0d (WORD_WIDTH %0d) / LAYERS=%0d (LAYER_WIDTH %0d) / CELL=%0d",
                   N_PE, NWB, WORD_WIDTH, LAYERS, LAYER_WIDTH, CELL);
            $finish;
        end
        if (QIN < 1 || RB < 1 || HB < 1 || PS < 1 || HC * PS != HB || GG < 1 || GP < 0
                || (CELL == 1 && GP != 0) || SPACING < 1 || WDEPTH < 1) begin
            $error("%m: bad sizes QIN=%0d RB=%0d HB=%0d PS=%0d HC=%0d GG=%0d GP=%0d SPACING=%0d",
                   QIN, RB, HB, PS, HC, GG, GP, SPACING);
            $finish;
        end
        if (XIN_DEPTH < 2 * QIN || SDEPTH < NSLOT * RB || MDEPTH < ((GP > 0) ? HC : 1)
                || SAW > ADDR_WIDTH || WAW > ADDR_WIDTH || ROWW > ROW_WIDTH) begin
            $error("%m: depths XIN %0d / S %0d / M %0d too small, or ADDR_WIDTH=%0d / ROW_WIDTH=%0d %s",
                   XIN_DEPTH, SDEPTH, MDEPTH, ADDR_WIDTH, ROW_WIDTH, "narrower than the addresses / rows");
            $finish;
        end
    end

    // ------------------------------------------------------------------ generator state
    localparam [2:0] S_IDLE = 3'd0, S_GATE = 3'd1, S_SETUP = 3'd2, S_PROJ = 3'd3;
    localparam [1:0] CK_NONE = 2'd0, CK_X = 2'd1, CK_R = 2'd2, CK_M = 2'd3;  // scoreboard tests
    localparam [1:0] KIND_GATE = 2'd0, KIND_GH = 2'd1, KIND_PROJ = 2'd2;
    reg [2:0] state;
    reg [LYW-1:0] layer;
    reg [WRW-1:0] wrd;
    reg wrd_last, wrd_zero;  // registered (wrd == LAST_WRD), (wrd == 0)
    localparam WRD_LAST0 = (NWB_M1 == 0);  // wrd_last when wrd = 0
    reg cur_slot, cur_seq_end;
    reg [1:0] fid;  // id (mod 4) of the frame being issued; bit 0 selects its r slots
    wire par = fid[0];
    reg [GRPW-1:0] grp;
    reg [ROWW-1:0] grp_row;  // grp * N_PE, kept as a running sum (no multiplier in the generator)
    reg [WAW-1:0] wa;
    wire frame_ready = run && (frames_loaded != frames_started) && of_room;
    reg in_pass;  // registered (state == S_GATE || state == S_PROJ)
    assign idle = (state == S_IDLE);
    assign frame_start = idle && frame_ready;

    // per-pass operand segments A (first) and B (second; gate passes only)
    // segment descriptor fields: {blocks - 1, base address, scoreboard test, kind, slot,
    // frame id expected, xin, mask}
    localparam integer SG_MASK = 0, SG_XIN = 1, SG_EFID = 2, SG_SLOT = 4, SG_KIND = SG_SLOT + SLW;
    localparam integer SG_CHK = SG_KIND + 2, SG_BASE = SG_CHK + 2, SG_LEN = SG_BASE + SAW;
    localparam integer SEGW = SG_LEN + BLKW;
    function automatic [SEGW-1:0] seg_desc(input reg [BLKW-1:0] len_m1, input reg [SAW-1:0] base,
                                           input reg [1:0] chk, input reg [1:0] kind,
                                           input reg [SLW-1:0] slot, input reg [1:0] efid,
                                           input reg xin, input reg mask);
        begin
            seg_desc[SG_LEN+:BLKW] = len_m1;
            seg_desc[SG_BASE+:SAW] = base;
            seg_desc[SG_CHK+:2] = chk;
            seg_desc[SG_KIND+:2] = kind;
            seg_desc[SG_SLOT+:SLW] = slot;
            seg_desc[SG_EFID+:2] = efid;
            seg_desc[SG_XIN] = xin;
            seg_desc[SG_MASK] = mask;
        end
    endfunction
    reg two_seg, nxt_proj;
    reg [SEGW-1:0] seg_a, seg_b, cur;  // cur: the segment being walked
    reg [SAW-1:0] l_base;  // 2 * layer * RB: the layer's first r slot
    wire [BLKW-1:0] cur_len_m1 = cur[SG_LEN+:BLKW];
    wire [1:0] cur_chk = cur[SG_CHK+:2];
    // registered segment and group ends (sblk == cur_len_m1, grp == ngrp_m1), kept one cycle
    // ahead so that no compare sits between the block counter and the address loads
    reg [GRPW-1:0] ngrp_m1;
    reg seg_end, grp_last;
    reg seg;  // 0: segment A, 1: segment B
    reg [BLKW-1:0] sblk, thr;  // block within the segment; projection: m blocks needed
    reg [SAW-1:0] s_addr;
    // per-pass values of the layer now being set up (slot numbers {layer, parity})
    /* verilator lint_off UNUSEDSIGNAL */
    wire [LYW:0] rs_slot9 = {layer, !par};
    wire [LYW:0] xs_slot9 = {layer - 1'b1, par};
    /* verilator lint_on UNUSEDSIGNAL */
    wire [SAW-1:0] rs_base = l_base + (par ? {SAW{1'b0}} : RB_A);
    wire [SAW-1:0] xs_base = l_base - 2 * RB_A + (par ? RB_A : {SAW{1'b0}});
    wire [1:0] r_chk = first_step ? CK_NONE : CK_R;
    wire [1:0] r_kind = (CELL == 1) ? KIND_GH : KIND_GATE;
    localparam [31:0] RB_M1 = RB - 1, QIN_M1 = QIN - 1, HC_M1 = HC - 1;
    wire [SEGW-1:0] seg_r = seg_desc(RB_M1[BLKW-1:0], rs_base, r_chk, r_kind, rs_slot9[SLW-1:0], fid - 2'd1,
                                     1'b0, first_step);
    wire [SEGW-1:0] seg_xin = seg_desc(QIN_M1[BLKW-1:0], cur_slot ? QIN_A : {SAW{1'b0}}, CK_NONE, KIND_GATE,
                                       {SLW{1'b0}}, 2'd0, 1'b1, 1'b0);
    wire [SEGW-1:0] seg_x = seg_desc(RB_M1[BLKW-1:0], xs_base, CK_X, KIND_GATE, xs_slot9[SLW-1:0], fid, 1'b0,
                                     1'b0);
    wire [SEGW-1:0] seg_m = seg_desc(HC_M1[BLKW-1:0], {SAW{1'b0}}, CK_M, KIND_PROJ, {SLW{1'b0}}, 2'd0, 1'b0,
                                     1'b0);
    wire [SEGW-1:0] next_a = nxt_proj ? seg_m : (layer == 0) ? seg_xin : seg_r;
    wire [SEGW-1:0] next_b = (layer == 0) ? seg_r : seg_x;
    // the beat the generator writes now
    wire b_is_first = (sblk == 0) && (seg == 1'b0 || CELL == 1);
    wire b_is_last = seg_end && (seg == 1'b1 || !two_seg || CELL == 1);
    wire pass_end = wrd_last && seg_end && (seg == 1'b1 || !two_seg) && grp_last;
    wire step_first_gen = (state == S_GATE) && (grp == 0) && !seg && (sblk == 0) && wrd_zero;

    // ------------------------------------------------------------------ beat queue
    // descriptor fields: the gate's fields (bits 0..QE_GW-1: the flags xdone: the frame's last x
    // read, end: an accumulation end (the last beat of the last block), step: a layer step's
    // first beat, hold: the first beat of an accumulation's last block; the scoreboard test
    // {chk, slot, efid, block}), then the beat (fstep: first step of a sequence)
    localparam integer QD = 8;
    localparam integer QDW = $clog2(QD);
    localparam integer QE_XDONE = 0, QE_END = 1, QE_STEP = 2, QE_HOLD = 3, QE_BLK = 4;
    localparam integer QE_EFID = QE_BLK + BLKW, QE_SLOT = QE_EFID + 2, QE_CHK = QE_SLOT + SLW;
    localparam integer QE_GW = QE_CHK + 2;  // the gate's fields
    localparam integer QE_FSTEP = QE_GW, QE_SEND = QE_FSTEP + 1, QE_FID = QE_SEND + 1, QE_LAYER = QE_FID + 2;
    localparam integer QE_ROW = QE_LAYER + LYW, QE_WADDR = QE_ROW + ROWW, QE_SADDR = QE_WADDR + WAW;
    localparam integer QE_W = QE_SADDR + SAW, QE_LAST = QE_W + WRW, QE_FIRST = QE_LAST + 1;
    localparam integer QE_MASK = QE_FIRST + 1, QE_XIN = QE_MASK + 1, QE_KIND = QE_XIN + 1;
    localparam integer QEW = QE_KIND + 2;
    reg q_not_full;
    reg [QEW-1:0] q_mem[0:QD-1];
    reg [QDW-1:0] q_wr, q_rd, q_rd2;  // q_rd2 = q_rd + 2
    reg [QDW:0] q_count;
    localparam [QDW:0] QD_C = QD[QDW:0];
    wire gen = in_pass && q_not_full;
    always @(posedge clk) begin
        if (rst) in_pass <= 1'b0;
        else if (state == S_SETUP) in_pass <= 1'b1;  // to S_GATE or S_PROJ
        else if (gen && pass_end) in_pass <= 1'b0;  // to S_SETUP or S_IDLE
    end
    // the issue decision, computed in three copies from duplicated registers (see gate)
    wire issue_g, issue_q, issue_c;
    wire [QDW:0] q_next = q_count + {{QDW{1'b0}}, gen} - {{QDW{1'b0}}, issue_q};
    wire [QEW-1:0] q_in;
    assign q_in[QE_KIND+:2] = cur[SG_KIND+:2];
    assign q_in[QE_XIN] = cur[SG_XIN];
    assign q_in[QE_MASK] = cur[SG_MASK];
    assign q_in[QE_FIRST] = b_is_first;
    assign q_in[QE_LAST] = b_is_last;
    assign q_in[QE_W+:WRW] = wrd;
    assign q_in[QE_SADDR+:SAW] = s_addr;
    assign q_in[QE_WADDR+:WAW] = wa;
    assign q_in[QE_ROW+:ROWW] = grp_row;
    assign q_in[QE_LAYER+:LYW] = layer;
    assign q_in[QE_FID+:2] = fid;
    assign q_in[QE_SEND] = cur_seq_end;
    assign q_in[QE_CHK+:2] = cur_chk;
    assign q_in[QE_SLOT+:SLW] = cur[SG_SLOT+:SLW];
    assign q_in[QE_EFID+:2] = cur[SG_EFID+:2];
    assign q_in[QE_BLK+:BLKW] = (cur_chk == CK_M) ? thr : sblk;
    assign q_in[QE_HOLD] = b_is_last && wrd_zero;
    assign q_in[QE_END] = b_is_last && wrd_last;
    assign q_in[QE_STEP] = step_first_gen;
    assign q_in[QE_FSTEP] = first_step;
    assign q_in[QE_XDONE] = pass_end && state == S_GATE && layer == 0;
    // the queue head; the beat registers load it every cycle (b_valid says which cycles carry
    // an issued beat), so the issue decision drives only the queue's pointers and flags, not
    // the hundred-odd beat register enables
    /* verilator lint_off UNUSEDSIGNAL */
    wire [QEW-1:0] q_head = q_mem[q_rd];
    wire [QEW-1:0] q_third = q_mem[q_rd2];  // the entry two behind the head: its gate fields
    /* verilator lint_on UNUSEDSIGNAL */
    wire h_last = q_head[QE_LAST];
    wire [WRW-1:0] h_w = q_head[QE_W+:WRW];

    // ------------------------------------------------------------------ scoreboard
    // r slots: blocks are written in order, so a count and the writing frame's id suffice;
    // m blocks: all of a step's are written before its projection pass ends, so the count
    // restarts with the next step's first beat
    reg [BLKW-1:0] slot_cnt[0:NSLOT-1];
    reg [1:0] slot_fid[0:NSLOT-1];
    reg [BLKW-1:0] m_cnt;
    wire m_clr;  // ctx_push: a step's first beat issues
    /* verilator lint_off UNUSEDSIGNAL */
    wire [LYW:0] r_slot_hi = r_slot;  // {layer, parity} < NSLOT: SLW bits address the slots
    /* verilator lint_on UNUSEDSIGNAL */
    wire [SLW-1:0] r_ix = r_slot_hi[SLW-1:0];
    integer si;
    always @(posedge clk) begin
        if (rst) begin
            for (si = 0; si < NSLOT; si = si + 1) begin
                slot_cnt[si] <= {BLKW{1'b0}};
                slot_fid[si] <= 2'd0;
            end
        end else if (r_we) begin
            if (r_blk0) begin
                slot_cnt[r_ix] <= {{(BLKW - 1) {1'b0}}, 1'b1};
                slot_fid[r_ix] <= r_fid;
            end else begin
                slot_cnt[r_ix] <= slot_cnt[r_ix] + 1'b1;
            end
        end
        // cleared by a step's first beat as data (no reset or enable pin driven by the decision)
        if (rst) m_cnt <= {BLKW{1'b0}};
        else m_cnt <= (m_cnt + {{(BLKW - 1) {1'b0}}, m_we}) & {BLKW{!m_clr}};
    end
    // scoreboard test of one queued beat (its gate fields), on the registered scoreboard
    function automatic blk_ok(input reg [1:0] chk, input reg [1:0] efid, input reg [BLKW-1:0] blk,
                              input reg [BLKW-1:0] scnt, input reg [1:0] sfid, input reg [BLKW-1:0] mcnt);
        begin
            blk_ok = (chk == CK_NONE) || (chk == CK_M && mcnt >= blk)
                     || ((chk == CK_X || chk == CK_R) && sfid == efid && scnt > blk);
        end
    endfunction

    // ------------------------------------------------------------------ gate
    // The decision is one LUT of local registers: issue = go && !(step && ctx_full), where go
    // (registered) = the head's scoreboard test passed in the previous cycle (the old per-entry
    // ready register of the head) and the head is not an accumulation's last block held by the
    // spacing.  go is computed one cycle ahead for both next heads (the head stays / the head
    // advances, i.e. this cycle's issue) from shadow registers of the gate's fields of the head
    // and of the entry behind it (hd = q_mem[q_rd], nx = q_mem[q_rd + 1], kept equal to them),
    // then selected by the issue.  The entries held: q_count (head valid: q_count >= 1, next:
    // >= 2; the generator writes entry q_rd + q_count).
    reg [QE_GW-1:0] hd, nx;
    // hand-off spacing as a shift register: all ones after an accumulation end issued, then
    // shifted down one per cycle; sp[0] = the spacing holds an end back (the old since_end <
    // SPACING: an end issues at the earliest SPACING + 1 cycles after the previous one)
    reg [SPACING-1:0] sp;
    wire [SPACING-1:0] sp_sh = sp >> 1;  // next cycle's sp without a new end: sp_sh[0] = sp[1]
    wire v_hd = (q_count != 0), v_nx = (q_count > 1);
    wire wr_hd = gen && (q_count == 0), wr_nx = gen && (q_count == 1), wr_3rd = gen && (q_count == 2);
    wire [QE_GW-1:0] q_in_g = q_in[QE_GW-1:0];
    wire [QE_GW-1:0] hd_next = issue_g ? (wr_nx ? q_in_g : nx) : (wr_hd ? q_in_g : hd);
    wire [QE_GW-1:0] nx_next = issue_g ? (wr_3rd ? q_in_g : q_third[QE_GW-1:0]) : (wr_nx ? q_in_g : nx);
    wire [SLW-1:0] hd_slot = hd[QE_SLOT+:SLW], nx_slot = nx[QE_SLOT+:SLW];
    wire hd_ok = blk_ok(hd[QE_CHK+:2], hd[QE_EFID+:2], hd[QE_BLK+:BLKW], slot_cnt[hd_slot], slot_fid[hd_slot],
                        m_cnt);
    wire nx_ok = blk_ok(nx[QE_CHK+:2], nx[QE_EFID+:2], nx[QE_BLK+:BLKW], slot_cnt[nx_slot], slot_fid[nx_slot],
                        m_cnt);
    // go for the next cycle: the head stays (held next cycle if the spacing still holds then) or
    // advances to nx (held if the issued head ends an accumulation, or the spacing still holds)
    wire go_stay = v_hd && hd_ok && !(hd[QE_HOLD] && sp_sh[0]);
    wire go_adv = v_nx && nx_ok && !(nx[QE_HOLD] && (hd[QE_END] || sp_sh[0]));
    wire go_next = !rst && (issue_g ? go_adv : go_stay);
    // the decision's registers, one copy per consumer group (kept: synthesis would merge them):
    // _g the gate's own state (hd, nx, go, sp), _q the queue (pointers, count, b_valid,
    // frames_xdone), _c the context queue push (ctx_push, m_cnt)
    reg go_g, go_q, go_c, step_q, step_c;
    wire step_g = hd[QE_STEP];
    (* keep *)
    always @(posedge clk) begin
        go_g <= go_next;
        hd <= hd_next;  // no reset: meaningful only while valid (v_hd / v_nx)
    end
    (* keep *)
    always @(posedge clk) begin
        go_q <= go_next;
        step_q <= hd_next[QE_STEP];
    end
    (* keep *)
    always @(posedge clk) begin
        go_c <= go_next;
        step_c <= hd_next[QE_STEP];
    end
    wire ctx_wait = ctx_full;  // a layer step's first beat waits for room in the context queue
    assign issue_g = go_g && !(step_g && ctx_wait);
    assign issue_q = go_q && !(step_q && ctx_wait);
    assign issue_c = go_c && !(step_c && ctx_wait);
    // a layer step starts with its first beat; it takes a slot in the element-wise context queue
    assign ctx_push = issue_c && step_c;
    assign m_clr = ctx_push;
    assign ctx_layer = q_head[QE_LAYER+:LYW];
    assign ctx_fid = q_head[QE_FID+:2];
    assign ctx_first = q_head[QE_FSTEP];
    assign ctx_send = q_head[QE_SEND];

    // beat registers
    always @(posedge clk) begin
        b_valid <= issue_q && !rst;
        b_kind <= q_head[QE_KIND+:2];
        b_xin <= q_head[QE_XIN];
        b_mask <= q_head[QE_MASK];
        b_first <= q_head[QE_FIRST];
        b_last <= h_last;
        b_w <= h_w;
        b_saddr <= {{(ADDR_WIDTH - SAW) {1'b0}}, q_head[QE_SADDR+:SAW]};
        b_waddr <= {{(ADDR_WIDTH - WAW) {1'b0}}, q_head[QE_WADDR+:WAW]};
        b_row <= {{(ROW_WIDTH - ROWW) {1'b0}}, q_head[QE_ROW+:ROWW]};
        b_layer <= q_head[QE_LAYER+:LYW];
        b_fid <= q_head[QE_FID+:2];
        b_send <= q_head[QE_SEND];
    end

    // the queue and the gate's state
    always @(posedge clk) begin
        if (gen) q_mem[q_wr] <= q_in;
        nx <= nx_next;  // no reset: meaningful only while valid (v_hd / v_nx)
        if (rst) begin
            q_wr <= 0;
            q_rd <= 0;
            q_rd2 <= 2;
            q_not_full <= 1'b1;
            q_count <= 0;
            sp <= {SPACING{1'b0}};
            frames_xdone <= 0;
        end else begin
            if (gen) q_wr <= q_wr + 1'b1;
            if (issue_q) begin
                q_rd <= q_rd + 1'b1;
                q_rd2 <= q_rd2 + 1'b1;
            end
            // room for the next cycle: fewer than QD entries after this cycle's write, not
            // counting this cycle's pop (so the flag depends on registers only and can sit
            // next to the generator it enables; a pop is seen one cycle later, which the
            // queue's depth absorbs)
            q_count <= q_next;
            q_not_full <= (q_count + {{QDW{1'b0}}, gen} < QD_C);
            sp <= sp_sh | {SPACING{issue_g && hd[QE_END]}};
            if (issue_q && hd[QE_XDONE]) frames_xdone <= frames_xdone + 1'b1;  // input slot free
        end
    end

    // ------------------------------------------------------------------ generator
    always @(posedge clk) begin
        if (rst) begin
            state <= S_IDLE;
            layer <= 0;
            grp <= 0;
            grp_row <= 0;
            wrd <= 0;
            wrd_last <= WRD_LAST0;
            wrd_zero <= 1'b1;
            wa <= 0;
            first_step <= 1'b1;
            fid <= 2'd3;  // the first frame is frame 0
            cur_slot <= 1'b0;
            cur_seq_end <= 1'b0;
            frames_started <= 0;
        end else begin
            case (state)
                S_IDLE: begin
                    // the frame's registers load in every idle cycle (nothing reads them before
                    // the frame starts), so the start condition enables only state and
                    // frames_started; the frame's id is the count of frames started before it
                    nxt_proj <= 1'b0;
                    layer <= 0;
                    l_base <= 0;
                    wa <= 0;
                    cur_slot <= frames_started[0];
                    cur_seq_end <= in_seq_end[frames_started[0]];
                    fid <= frames_started[1:0];
                    if (frame_ready) begin
                        state <= S_SETUP;
                        frames_started <= frames_started + 1'b1;
                    end
                end
                S_SETUP: begin
                    state <= nxt_proj ? S_PROJ : S_GATE;
                    grp <= 0;
                    grp_row <= 0;
                    wrd <= 0;
                    wrd_last <= WRD_LAST0;
                    wrd_zero <= 1'b1;
                    seg <= 1'b0;
                    sblk <= 0;
                    thr <= PS_B;
                    two_seg <= !nxt_proj;
                    ngrp_m1 <= nxt_proj ? GP[GRPW-1:0] - 1'b1 : GG[GRPW-1:0] - 1'b1;
                    grp_last <= nxt_proj ? (GP == 1) : (GG == 1);
                    seg_end <= (next_a[SG_LEN+:BLKW] == 0);
                    seg_a <= next_a;
                    seg_b <= next_b;
                    cur <= next_a;
                    s_addr <= next_a[SG_BASE+:SAW];
                end
                S_GATE, S_PROJ: begin
                    if (gen) begin
                        wa <= wa + 1'b1;
                        if (!wrd_last) begin
                            wrd <= wrd + 1'b1;
                            wrd_last <= (wrd + 1'b1 == LAST_WRD);
                            wrd_zero <= 1'b0;
                        end else begin
                            wrd <= 0;
                            wrd_last <= WRD_LAST0;
                            wrd_zero <= 1'b1;
                            if (!seg_end) begin
                                seg_end <= (sblk + 1'b1 == cur_len_m1);
                                sblk <= sblk + 1'b1;
                                s_addr <= s_addr + 1'b1;
                                thr <= thr + PS_B;
                            end else begin
                                sblk <= 0;
                                thr <= PS_B;
                                if (!seg && two_seg) begin
                                    seg <= 1'b1;
                                    seg_end <= (seg_b[SG_LEN+:BLKW] == 0);
                                    cur <= seg_b;
                                    s_addr <= seg_b[SG_BASE+:SAW];
                                end else begin
                                    seg <= 1'b0;
                                    seg_end <= (seg_a[SG_LEN+:BLKW] == 0);
                                    cur <= seg_a;
                                    s_addr <= seg_a[SG_BASE+:SAW];
                                    grp <= grp_last ? 0 : grp + 1'b1;
                                    grp_row <= grp_last ? {ROWW{1'b0}} : grp_row + NPE_R;
                                    grp_last <= grp_last ? (ngrp_m1 == 0) : (grp + 1'b1 == ngrp_m1);
                                end
                            end
                        end
                        if (pass_end) begin
                            if (state == S_GATE && GP > 0) begin
                                state <= S_SETUP;  // m blocks are scoreboarded
                                nxt_proj <= 1'b1;
                            end else if (layer != LAST_LAYER) begin
                                state <= S_SETUP;  // x blocks are scoreboarded
                                nxt_proj <= 1'b0;
                                layer <= layer + 1'b1;
                                l_base <= l_base + 2 * RB_A;
                            end else begin
                                // frame generated: the next one may start while it drains
                                state <= S_IDLE;
                                first_step <= cur_seq_end;
                            end
                        end
                    end
                end
                default: state <= S_IDLE;
            endcase
        end
    end
endmodule

`resetall
