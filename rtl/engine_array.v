// engine_array: the engine's PE array: operand registers, the broadcast register, N_PE
// engine_pe and the hand-off chains that drain a finished row group into the hand-off lanes.
//
// Function : the sequencer's beat (b_*: one per cycle, registers) reads its operands: the x
//            or spectrum block (xin_rd / spec_rd) and the m banks (m_rd) one cycle after the
//            beat, the weight line (w_line: N_PE * WPAR lanes of {im, re}) two cycles after.
//            The blocks are registered once more (d1_*: a plain register the placer can put
//            next to each block RAM), the beat's WPAR words picked (b_w; zero with b_mask) and
//            registered in the broadcast register (o_*) with the weight line, before the
//            fan-out to the PEs.  PE n takes the broadcast word in gate passes and, in the
//            projection pass (b_kind 2), the word of m bank (n / HLANES) % PS (the part of its
//            split row), and weight lanes n*WPAR .. n*WPAR + WPAR-1.  An accumulation starts
//            with the beats of b_first and ends with the last word (b_w = K/(2 WPAR) - 1) of
//            a b_last beat; one cycle after its last product the PEs' chain slices hold the
//            row group.  Lane c's chain links PEs c, c + HLANES, ... (chain position j of
//            lane c is PE c + j*HLANES), so the drain takes NPC = N_PE / HLANES cycles
//            (ch_shift high), lane c carrying row ch_row + c at position ch_pos; ch_bbase is
//            the pass's first bias row (layer * BROWS, + ROWS for a GRU gh pass), the tags
//            ride along.
// Contract : accumulation ends at least NPC + 2 cycles apart (the sequencer's SPACING), so a
//            drain is over before the next group loads the chains.
// Formats  : spectrum words X_WIDTH per component, weights WEIGHT_WIDTH, exact sums
//            ACC_WIDTH (engine_pe's bit growth; the engine derives ACC_WIDTH).
// Latency  : the first drain cycle is PE_LATENCY + 4 cycles after the beat that ends the
//            accumulation (d0, d1, o, engine_pe, the chain load, the drain register);
//            PE_LATENCY = 1 + 4 + 2 * MUL_PIPE.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine_array #(
    parameter integer K            = 4,
    parameter integer N_PE         = 2,
    parameter integer WPAR         = 1,
    parameter integer HLANES       = 1,
    parameter integer PS           = 1,   // m banks (projection split)
    parameter integer X_WIDTH      = 18,  // spectrum component
    parameter integer WEIGHT_WIDTH = 16,
    parameter integer ACC_WIDTH    = 44,
    parameter integer MUL_WIDTH    = 18,
    parameter integer MUL_PIPE     = 1,
    parameter integer MUL_MULTS    = 4,   // cmul MULTS: 4, or 3 (DSP48E2: MUL_WIDTH 27)
    parameter integer ROWS         = 8,   // gate rows per layer
    parameter integer BROWS        = 8    // bias rows per layer
) (
    input  wire                              clk,
    input  wire                              rst,
    // the issued beat
    input  wire                              b_valid,
    input  wire                              b_xin,    // x memory (else spectrum memory)
    input  wire                              b_mask,   // a zero operand word
    input  wire                              b_first,  // the accumulation's first block
    input  wire                              b_last,   // its last block
    input  wire                              b_send,
    input  wire [1:0]                        b_kind,   // 0 / 1 gate passes, 2 projection
    input  wire [1:0]                        b_fid,
    input  wire [4:0]                        b_w,      // beat in block
    input  wire [31:0]                       b_row,
    input  wire [7:0]                        b_layer,
    // operand reads
    input  wire [X_WIDTH*K-1:0]              xin_rd,
    input  wire [X_WIDTH*K-1:0]              spec_rd,
    input  wire [PS*X_WIDTH*K-1:0]           m_rd,
    input  wire [N_PE*WPAR*2*WEIGHT_WIDTH-1:0] w_line,
    // the drain
    output wire [HLANES*K*ACC_WIDTH-1:0]     ch_acc,
    output reg                               ch_shift,
    output reg  [31:0]                       ch_row,
    output reg  [31:0]                       ch_pos,
    output reg  [31:0]                       ch_bbase,
    output reg  [1:0]                        ch_kind,
    output reg  [7:0]                        ch_layer,
    output reg  [1:0]                        ch_fid,
    output reg                               ch_send
);
    localparam integer XW = X_WIDTH;
    localparam integer SPW = 2 * XW;  // packed spectrum word {im, re}
    localparam integer SBW = K * XW;  // one block
    localparam integer WWD = 2 * WEIGHT_WIDTH;
    localparam integer WLINE = N_PE * WPAR * WWD;
    localparam integer NPC = N_PE / HLANES;  // PEs per hand-off lane
    localparam [31:0] NWB_M1 = K / 2 / WPAR - 1;
    localparam [4:0] LAST_WRD = NWB_M1[4:0];  // last beat of a block (K <= 32)

    initial begin
        if (K < 2 || K > 32 || (K & (K - 1)) != 0 || WPAR < 1 || (K / 2) % WPAR != 0
                || HLANES < 1 || N_PE % HLANES != 0 || PS < 1 || MUL_PIPE < 0 || MUL_PIPE > 1) begin
            $error("%m: K=%0d WPAR=%0d N_PE=%0d HLANES=%0d PS=%0d MUL_PIPE=%0d out of range",
                   K, WPAR, N_PE, HLANES, PS, MUL_PIPE);
            $finish;
        end
    end

    // operand memories: the block RAM read (stage 0), then a plain register (stage 1) that
    // the placer can put next to the RAM: ECP5's block RAM output register is not inferred
    // by yosys, and its unregistered clock-to-output (5.8 ns at grade 6) leaves no room for
    // the route to a distant register; the beat's control travels alongside (d0_*, d1_*)
    localparam integer CTLW = 1 + 1 + 1 + 1 + 1 + 2 + 2 + 5 + 32 + 8;
    reg d0_valid, d1_valid;
    reg [CTLW-1:0] d0_ctl, d1_ctl;
    wire d1_xin, d1_mask, d1_first, d1_last, d1_send;
    wire [1:0] d1_kind, d1_fid;
    wire [4:0] d1_w;
    wire [31:0] d1_row;
    wire [7:0] d1_layer;
    assign {d1_xin, d1_mask, d1_first, d1_last, d1_send, d1_kind, d1_fid, d1_w, d1_row,
            d1_layer} = d1_ctl;
    reg [SBW-1:0] xin_q, spec_q;
    always @(posedge clk) begin
        d0_valid <= b_valid && !rst;
        d0_ctl <= {b_xin, b_mask, b_first, b_last, b_send, b_kind, b_fid, b_w, b_row, b_layer};
        xin_q <= xin_rd;
        spec_q <= spec_rd;
        d1_valid <= d0_valid && !rst;
        d1_ctl <= d0_ctl;
    end
    wire [SBW-1:0] x_blk = d1_xin ? xin_q : spec_q;
    localparam integer BPW = WPAR * SPW;  // the spectrum words of one beat
    wire [BPW-1:0] x_word = d1_mask ? {BPW{1'b0}} : x_blk[d1_w*BPW+:BPW];
    // m spectra (projection input): PS banks, block h in bank h % PS at h / PS (engine_rec),
    // the read registered once more here, as the spectrum words are
    reg [PS*SBW-1:0] m_q;
    always @(posedge clk) m_q <= m_rd;
    // operand broadcast register: the spectrum word (or the PS m bank words), the weight
    // line and the pair flag leave the memories' read mux here, before the fan-out to N_PE PEs
    reg [BPW-1:0] o_x;
    reg [PS*BPW-1:0] o_m;
    reg [WLINE-1:0] o_w;
    reg o_proj, o_pair;
    integer om;
    always @(posedge clk) begin
        o_x <= x_word;
        for (om = 0; om < PS; om = om + 1) o_m[om*BPW+:BPW] <= m_q[om*SBW+d1_w*BPW+:BPW];
        o_w <= w_line;
        o_proj <= (d1_kind == 2'd2);
        o_pair <= (d1_w == 0);
    end
    // control delayed to the products: the operand register, then engine_pe's LATENCY (cmul:
    // 4 cycles, + 2 with MUL_PIPE); a_end marks the last word of a row's last block
    localparam integer PE_LATENCY = 1 + 4 + 2 * MUL_PIPE;
    wire a_valid, a_first, a_end, a_send;
    wire [1:0] a_kind, a_fid;
    wire [31:0] a_row;
    wire [7:0] a_layer;
    wire d1_end = d1_last && (d1_w == LAST_WRD);
    pipe_reg #(.WIDTH(1), .DEPTH(PE_LATENCY), .RESET(1)) a_valid_pipe_inst (
        .clk(clk), .rst(rst), .ce(1'b1), .in_data(d1_valid), .out_data(a_valid));
    pipe_reg #(.WIDTH(2 + 2 + 32 + 8 + 3), .DEPTH(PE_LATENCY), .RESET(0)) a_ctrl_pipe_inst (
        .clk(clk), .rst(rst), .ce(1'b1),
        .in_data({d1_first, d1_end, d1_kind, d1_row, d1_layer, d1_fid, d1_send}),
        .out_data({a_first, a_end, a_kind, a_row, a_layer, a_fid, a_send}));
    // the PEs' chain slices hold a finished row group one cycle after its last product
    reg g_go, g_send;
    reg [1:0] g_kind, g_fid;
    reg [31:0] g_row;
    reg [7:0] g_layer;
    always @(posedge clk) begin
        g_go <= a_valid && a_end && !rst;
        g_row <= a_row;
        g_kind <= a_kind;
        g_layer <= a_layer;
        g_fid <= a_fid;
        g_send <= a_send;
    end

    // hand-off chains: lane c links PEs c, c + HLANES, c + 2*HLANES, ... (chain position j of
    // lane c is PE c + j*HLANES); PE c's slice leaves into lane c's engine_handoff.  The chain
    // slices shift every cycle they do not load (between drains they carry nothing), so no
    // enable fans out to the PEs; ch_shift (a register) marks the NPC cycles of a drain.
    localparam integer CCW = $clog2(NPC + 1) + 1;
    localparam [CCW-1:0] NPC_C = NPC[CCW-1:0];
    wire [K*ACC_WIDTH-1:0] chain[0:N_PE+HLANES-1];
    reg [CCW-1:0] ch_cnt;
    genvar n, pl;
    generate
        for (n = N_PE; n < N_PE + HLANES; n = n + 1) begin : g_chain_end
            assign chain[n] = {K * ACC_WIDTH{1'b0}};
        end
        for (n = 0; n < HLANES; n = n + 1) begin : g_lane_out
            assign ch_acc[n*K*ACC_WIDTH+:K*ACC_WIDTH] = chain[n];
        end
    endgenerate
    generate
        for (n = 0; n < N_PE; n = n + 1) begin : g_pe
            // gate passes: the broadcast word; projection pass: the word of m bank s, the part
            // of its split row (PE n: lane n % HLANES, chain position n / HLANES = q*PS + s)
            wire [BPW-1:0] pe_x = o_proj ? o_m[((n / HLANES) % PS)*BPW+:BPW] : o_x;
            // WPAR lanes of real and imaginary parts (word m = {im, re} at m*SPW of pe_x;
            // weight lane n*WPAR + m)
            wire [WPAR*XW-1:0] pe_xr, pe_xi;
            wire [WPAR*WEIGHT_WIDTH-1:0] pe_wr, pe_wi;
            for (pl = 0; pl < WPAR; pl = pl + 1) begin : g_lane
                assign pe_xr[pl*XW+:XW] = pe_x[pl*SPW+:XW];
                assign pe_xi[pl*XW+:XW] = pe_x[pl*SPW+XW+:XW];
                assign pe_wr[pl*WEIGHT_WIDTH+:WEIGHT_WIDTH] = o_w[(n*WPAR+pl)*WWD+:WEIGHT_WIDTH];
                assign pe_wi[pl*WEIGHT_WIDTH+:WEIGHT_WIDTH] =
                    o_w[(n*WPAR+pl)*WWD+WEIGHT_WIDTH+:WEIGHT_WIDTH];
            end
            engine_pe #(
                .K(K),
                .X_WIDTH(XW),
                .W_WIDTH(WEIGHT_WIDTH),
                .ACC_WIDTH(ACC_WIDTH),
                .MUL_WIDTH(MUL_WIDTH),
                .WPAR(WPAR),
                .MUL_PIPE(MUL_PIPE),
                .MUL_MULTS(MUL_MULTS)
            ) pe_inst (
                .clk(clk),
                .x_re(pe_xr),
                .x_im(pe_xi),
                .w_re(pe_wr),
                .w_im(pe_wi),
                .pair(o_pair),
                .acc_valid(a_valid),
                .acc_first(a_first),
                .acc_end(a_end),
                .chain_shift(1'b1),
                .chain_in(chain[n+HLANES]),
                .chain_out(chain[n])
            );
        end
    endgenerate
    always @(posedge clk) begin
        if (rst) begin
            ch_cnt <= 0;
            ch_shift <= 1'b0;
        end else if (g_go) begin
            ch_cnt <= NPC_C;
            ch_shift <= 1'b1;
            ch_row <= g_row;
            ch_bbase <= g_layer * BROWS + ((g_kind == 2'd1) ? ROWS : 0);  // bias rows of the pass
            ch_pos <= 0;
            ch_kind <= g_kind;
            ch_layer <= g_layer;
            ch_fid <= g_fid;
            ch_send <= g_send;
        end else if (ch_shift) begin
            ch_cnt <= ch_cnt - 1'b1;
            ch_shift <= (ch_cnt != 1);
            ch_row <= ch_row + HLANES;  // lane c carries row ch_row + c
            ch_pos <= ch_pos + 1;
        end
    end
endmodule

`resetall
