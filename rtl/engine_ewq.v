// engine_ewq: what feeds the element-wise unit: the queue of layer steps, the z memory the
// hand-off lanes write gate results into, the c / h state and peephole memories, and the
// decision to send a hidden block to engine_ew.
//
// Function : the sequencer pushes a context per layer step ({send, fid, first, layer}) with the
//            step's first beat (ctx_push; ctx_full: DEPTH = 4 steps queued).  Each hand-off lane
//            c writes the gate results of its rows (rows c modulo HLANES) into z bank c
//            (row / HLANES; GRU gh rows from ZR = ceil(ROWS / HLANES) on) through a register
//            stage (zi_* -> zw_*); results with zi_count count towards the head step.
//            Hidden block h of the head step (rows G*h .. G*h + G-1; GRU also the gh rows) is
//            sent (e_issue) when its G counted results are present, the unit's rate allows
//            (one block every SHARE cycles) and the head step's state base is settled; the
//            head step is popped with its last block.  In the cycle after the decision the
//            block is on blk_*: the G (GRU 6) z words read from the banks (the bank of each
//            row selected after the read registers), the state of (layer, h) (zero on a
//            sequence's first step), the peepholes of (layer, h) and the tag
//            {send, fid, layer, h}.  The unit's outputs come back as the state write (st_*,
//            written one cycle later from registers).
// Contract : results reach the z memory in row order (the hand-off drains rows in order; the
//            lanes of one cycle hold consecutive rows), so a count of results says which rows
//            exist; a step's results only arrive after the previous step's block holding the
//            same row has been sent (the schedule keeps it: z memory has one slot per row).
// Timing   : the decision is the sign bit of one slack count (z_slack = results present -
//            results needed by the head's next block) and registered flags: no compare in front
//            of it.  The rate rule is kept locally (gap: cycles to wait after a send), so
//            nothing comes back from the unit, which sits far away on the die.
// Memories : z banks HLANES x (ZBD words of K x PRE_WIDTH); state LAYERS*HB x (K x S_WIDTH);
//            peepholes LAYERS*HB x (3K x PEEP_WIDTH) from PEEP_FILE, lane-written by the load
//            port (pw_*, lanes one-hot).
// Latency  : a result counted at zi_* in cycle t can be sent in t + 2; blk_* one cycle after
//            the decision.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_ewq #(
    parameter integer K          = 4,
    parameter integer CELL       = 0,   // 0 LSTM (G = 4 gate rows per hidden block), 1 GRU (3)
    parameter integer LAYERS     = 1,
    parameter integer HB         = 8,   // hidden blocks per layer step
    parameter integer HLANES     = 1,   // hand-off lanes (z banks)
    parameter integer SHARE      = 1,   // cycles per block of engine_ew
    parameter integer PRE_WIDTH  = 16,
    parameter integer S_WIDTH    = 16,  // state lane: c (LSTM) or h (GRU)
    parameter integer PEEP       = 1,
    parameter integer PEEP_WIDTH = 16,
    parameter        PEEP_FILE  = "peep.mem"
) (
    input  wire                           clk,
    input  wire                           rst,
    // a layer step starts (the sequencer's first beat of it)
    input  wire                           ctx_push,
    input  wire [7:0]                     ctx_layer,
    input  wire [1:0]                     ctx_fid,
    input  wire                           ctx_first,
    input  wire                           ctx_send,
    output wire                           ctx_full,
    // gate results from the hand-off lanes (lane c: row c modulo HLANES), registered here
    input  wire [HLANES-1:0]              zi_valid,
    input  wire [HLANES-1:0]              zi_count,  // the row's last accumulation: counts
    input  wire [HLANES-1:0]              zi_gh,     // a GRU gh row
    input  wire [HLANES*16-1:0]           zi_row,
    input  wire [HLANES*K*PRE_WIDTH-1:0]  zi_data,
    // the block sent to engine_ew (one cycle after the decision)
    output reg                            blk_valid,
    // {last, first, send, fid[1:0], layer[7:0], h[15:0]}: first / last = the step's block 0 /
    // HB - 1 (flags, so that no one downstream compares h)
    output reg  [28:0]                    blk_tag,
    output wire [6*K*PRE_WIDTH-1:0]       blk_z,     // z word zr at [zr*K*PRE_WIDTH]
    output reg  [K*S_WIDTH-1:0]           blk_s,
    output reg  [3*K*PEEP_WIDTH-1:0]      blk_p,
    // state write-back (engine_ew's outputs)
    input  wire                           st_valid,
    input  wire [7:0]                     st_layer,
    input  wire [15:0]                    st_h,
    input  wire [K*S_WIDTH-1:0]           st_data,
    // peephole load (one-hot lanes: p_i of unit u = lane u, p_f K + u, p_o 2K + u)
    input  wire                           pw_en,
    input  wire [3*K-1:0]                 pw_lanes,
    input  wire [31:0]                    pw_addr,
    input  wire [PEEP_WIDTH-1:0]          pw_data
);
    localparam integer G = (CELL == 0) ? 4 : 3;
    localparam integer ROWS = G * HB;
    localparam integer ZR = (ROWS + HLANES - 1) / HLANES;  // z bank rows per accumulation kind
    localparam integer ZBD = ZR * ((CELL == 0) ? 1 : 2);  // z bank depth
    localparam integer ZDEPTH = ROWS * ((CELL == 0) ? 1 : 2);
    localparam integer HLW = (HLANES > 1) ? $clog2(HLANES) : 1;
    localparam integer ZKW = K * PRE_WIDTH;
    localparam integer PWORD = 3 * K * PEEP_WIDTH;
    localparam integer PDEPTH = LAYERS * HB;
    localparam integer CTX_DEPTH = 4;  // layer steps in the queue
    localparam integer CTXW = 8 + 1 + 2 + 1;  // {send, fid, first, layer}
    localparam integer ZAW = $clog2(CTX_DEPTH * ZDEPTH + 1) + 2;  // z_slack, signed
    localparam [ZAW-1:0] G_Z = G[ZAW-1:0];
    localparam [31:0] SHARE_M1 = SHARE - 1;
    localparam [7:0] GAP0 = SHARE_M1[7:0];  // cycles without a send after one

    initial begin
        if (K < 2 || HB < 1 || HB > 65535 || LAYERS < 1 || LAYERS > 255 || HLANES < 1
                || (HLANES & (HLANES - 1)) != 0 || SHARE < 1 || SHARE > 256 || CELL < 0
                || CELL > 1) begin
            $error("%m: K=%0d HB=%0d LAYERS=%0d HLANES=%0d SHARE=%0d CELL=%0d out of range",
                   K, HB, LAYERS, HLANES, SHARE, CELL);
            $finish;
        end
    end

    // ------------------------------------------------------------------ step queue
    // the steps pushed and not yet through (popped by their last hidden block)
    reg [CTXW-1:0] ctx_mem[0:CTX_DEPTH-1];
    reg [1:0] ctx_wr, ctx_rd;
    reg [2:0] ctx_cnt;
    // ctx_full = (ctx_cnt == 4), as its own register that only the sequencer reads, so that it
    // can sit next to the sequencer's issue decision (the queue's logic sits by the z memory)
    (* keep *) reg ctx_full_r;
    assign ctx_full = ctx_full_r;
    wire [CTXW-1:0] ctx_head = ctx_mem[ctx_rd];
    wire [7:0] e_layer = ctx_head[7:0];
    wire e_first = ctx_head[8];
    wire [1:0] e_fid = ctx_head[10:9];
    wire e_send = ctx_head[11];
    // z_slack = z_av - z_need as one signed count, so that the decision is its sign bit:
    // z_av = results present for the head step and the ones behind it, z_need = G * (e_h + 1)
    // = the results the head's next block needs.  A result counted adds 1; a send takes G (a
    // pop also takes the step's ROWS off z_av while z_need drops from ROWS to G: the same -G).
    // e_zrow = G * e_h; e_hlast = (e_h == HB - 1); e_base = the head step's layer * HB,
    // registered one cycle after a new head (hence e_fresh)
    reg signed [ZAW-1:0] z_slack;
    reg [31:0] e_zrow, e_base, e_h;
    reg e_fresh, e_hlast;
    reg e_room;  // the unit's rate: gap = 0
    reg [7:0] e_gap;
    wire e_issue = (ctx_cnt != 0) && !e_fresh && !z_slack[ZAW-1] && e_room;
    wire ctx_pop = e_issue && e_hlast;
    wire [2:0] ctx_cnt_next = ctx_cnt + (ctx_push ? 3'd1 : 3'd0) - (ctx_pop ? 3'd1 : 3'd0);
    always @(posedge clk) begin
        if (ctx_push) ctx_mem[ctx_wr] <= {ctx_send, ctx_fid, ctx_first, ctx_layer};
        if (rst) begin
            ctx_wr <= 0;
            ctx_rd <= 0;
            ctx_cnt <= 0;
            ctx_full_r <= 1'b0;
        end else begin
            if (ctx_push) ctx_wr <= ctx_wr + 1'b1;
            if (ctx_pop) ctx_rd <= ctx_rd + 1'b1;
            ctx_cnt <= ctx_cnt_next;
            ctx_full_r <= ctx_cnt_next[2];
        end
    end
    always @(posedge clk) e_base <= e_layer * HB;

    // ------------------------------------------------------------------ z memory
    // registered write into bank c: address, data and strobe one cycle after the result
    reg [HLANES-1:0] zw_valid, zw_count;
    reg [HLANES*32-1:0] zw_addr;
    reg [HLANES*ZKW-1:0] zw_data;
    genvar zb, zr;
    generate
        for (zb = 0; zb < HLANES; zb = zb + 1) begin : g_zw
            always @(posedge clk) begin
                zw_valid[zb] <= zi_valid[zb] && !rst;
                zw_count[zb] <= zi_valid[zb] && zi_count[zb] && !rst;
                zw_addr[zb*32+:32] <= (zi_gh[zb] ? ZR : 0) + {16'd0, zi_row[zb*16+:16]} / HLANES;
                zw_data[zb*ZKW+:ZKW] <= zi_data[zb*ZKW+:ZKW];
            end
        end
    endgenerate
    // results counted this cycle
    wire [HLW:0] zw_sum[0:HLANES];
    assign zw_sum[0] = {(HLW + 1) {1'b0}};
    generate
        for (zb = 0; zb < HLANES; zb = zb + 1) begin : g_zw_sum
            assign zw_sum[zb+1] = zw_sum[zb] + {{HLW{1'b0}}, zw_count[zb]};
        end
    endgenerate
    wire [HLW:0] zw_n = zw_sum[HLANES];
    // row e_zrow + zr (GRU: zr >= 3 the gh row e_zrow + zr - 3) is read from every bank at its
    // address; the bank that holds it is selected after the read registers
    wire [HLANES*6*ZKW-1:0] zrd_all;
    reg [HLW-1:0] zsel[0:5];
    generate
        for (zb = 0; zb < HLANES; zb = zb + 1) begin : g_zbank
            reg [ZKW-1:0] zbank[0:ZBD-1];
            always @(posedge clk) begin
                if (zw_valid[zb]) zbank[zw_addr[zb*32+:32]] <= zw_data[zb*ZKW+:ZKW];
            end
            for (zr = 0; zr < 6; zr = zr + 1) begin : g_zrd
                reg [ZKW-1:0] rd;
                always @(posedge clk) begin
                    if (zr < G)
                        rd <= zbank[(e_zrow + zr) / HLANES];
                    else if (CELL == 1 && zr < 3 + G)
                        rd <= zbank[ZR + (e_zrow + zr - 3) / HLANES];
                    else
                        rd <= {ZKW{1'b0}};
                end
                assign zrd_all[(zb*6+zr)*ZKW+:ZKW] = rd;
            end
        end
        for (zr = 0; zr < 6; zr = zr + 1) begin : g_zsel
            // the bank of the row (HLANES a power of two: its low bits)
            /* verilator lint_off UNUSEDSIGNAL */
            wire [31:0] zrow = (zr < G) ? e_zrow + zr : e_zrow + zr - 3;
            /* verilator lint_on UNUSEDSIGNAL */
            always @(posedge clk) zsel[zr] <= (HLANES == 1) ? {HLW{1'b0}} : zrow[HLW-1:0];
            assign blk_z[zr*ZKW+:ZKW] = zrd_all[({26'd0, zsel[zr]}*6+zr)*ZKW+:ZKW];
        end
    endgenerate

    // ------------------------------------------------------------------ state and peepholes
    reg [K*S_WIDTH-1:0] state_mem[0:LAYERS*HB-1];
    reg [PWORD-1:0] peep_mem[0:PDEPTH-1];
    initial begin
        if (PEEP != 0) $readmemh(PEEP_FILE, peep_mem);
    end
    always @(posedge clk) begin
        blk_valid <= e_issue && !rst;
        blk_tag <= {e_hlast, e_h == 0, e_send, e_fid, e_layer, e_h[15:0]};
        blk_s <= e_first ? {K * S_WIDTH{1'b0}} : state_mem[e_base + e_h];
        blk_p <= (PEEP != 0) ? peep_mem[e_base + e_h] : {PWORD{1'b0}};
    end
    // state write one cycle after the unit's output, from registers (read by the layer's next
    // step only)
    reg sw_valid;
    reg [31:0] sw_addr;
    reg [K*S_WIDTH-1:0] sw_data;
    always @(posedge clk) begin
        sw_valid <= st_valid && !rst;
        sw_addr <= st_layer * HB + {16'd0, st_h};
        sw_data <= st_data;
        if (sw_valid) state_mem[sw_addr] <= sw_data;
    end
    integer ln;
    always @(posedge clk) begin
        if (PEEP != 0)
            for (ln = 0; ln < 3 * K; ln = ln + 1)
                if (pw_en && pw_lanes[ln]) peep_mem[pw_addr][ln*PEEP_WIDTH+:PEEP_WIDTH] <= pw_data;
    end

    // ------------------------------------------------------------------ the decision's state
    always @(posedge clk) begin
        if (rst) begin
            z_slack <= -G_Z;
            e_zrow <= 0;
            e_fresh <= 1'b1;
            e_h <= 0;
            e_hlast <= (HB == 1);
            e_gap <= 0;
            e_room <= 1'b1;
        end else begin
            if (e_issue) begin
                e_gap <= GAP0;
                e_room <= (SHARE == 1);
            end else if (e_gap != 0) begin
                e_gap <= e_gap - 1'b1;
                e_room <= (e_gap == 8'd1);
            end
            z_slack <= z_slack + $signed({{(ZAW - HLW - 1) {1'b0}}, zw_n})
                       - (e_issue ? $signed(G_Z) : $signed({ZAW{1'b0}}));
            e_fresh <= ctx_pop || (ctx_push && ctx_cnt == 0);  // a new head: e_base follows
            if (ctx_pop) begin
                e_zrow <= 0;
                e_h <= 0;
                e_hlast <= (HB == 1);
            end else if (e_issue) begin
                e_zrow <= e_zrow + G;
                e_h <= e_h + 1;
                e_hlast <= (e_h + 2 == HB);
            end
        end
    end
    // addresses are 32-bit expressions of which the memory depth's bits matter
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = &{1'b0, zw_addr, sw_addr, pw_addr};
    /* verilator lint_on UNUSEDSIGNAL */
endmodule

`resetall
