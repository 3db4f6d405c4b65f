// engine: block-circulant LSTM (peepholes, projection) / GRU (reset-after) sequence engine,
// bit-exact with golden.runner.run_fixed (docs/engine.md has the block diagram, schedule,
// register map and memory layout; docs/numerics.md the rounding points).
//
// Function : a unidirectional stack of LAYERS identical-type layers runs frame by frame; for
//            each frame t, layer 0 step t, then layer 1 step t, ... on one array of N_PE
//            circulant PEs (engine_pe).  Per layer step:
//            gate pass   rows r = g*N_PE + n (PE n), r = h*G + gate (rows interleaved by
//                        hidden block so the element-wise unit can start after each group);
//                        for every input block j (layer 0: x blocks, then recurrent blocks;
//                        layers > 0: recurrent blocks first, their x input is still draining)
//                        and packed word w the spectrum word X[j][w] is broadcast and every PE
//                        accumulates W[r][j][w]*X[j][w] exactly.  LSTM: one accumulation per
//                        row (W_x x + W_r r_prev in the frequency domain); GRU: two (gx, gh).
//            IFFT path   finished accumulations leave through a shift chain (PE 0 first),
//                        one block per cycle per hand-off lane (HLANES lanes, lane c
//                        draining PEs c, c+HLANES, ...) into engine_handoff (split projection
//                        rows: the sum of PS partial accumulations per row, exact; RND/SAT to
//                        spec -> ifft_herm -> RND/SAT to pre -> + bias (SAT)) -> z memory
//                        (bank c); projection rows: -> RND/SAT to data.
//            element-wise unit (engine_ew: K / EW_SHARE engine_cell lanes, EW_SHARE units each),
//                        one hidden block every EW_SHARE cycles at most, as soon as its G gate
//                        rows are in z memory; c / h state memories.
//            projection  (LSTM, PROJ > 0) m spectra (PS banks) -> second pass over the PE
//                        array with the W_p rows, each row over PS PEs when PROJ/K < N_PE
//                        -> IFFT path -> r_t.
//            r_t (or m_t / h_t) -> output FIFO (last layer) and a recurrence fft_real into
//            the spectrum memory: layer l's recurrent input for t+1 and layer l+1's x part.
//            Layer 0's x spectra come from the input fft_real (II = 1) into two frame slots.
// Overlap  : passes and frames are issued back to back; a scoreboard (per r slot: blocks
//            written and the writing frame's id; m blocks written) holds a beat only until the
//            block it reads exists, and every result carries its step (layer, frame id,
//            sequence end), so frame t+1's W_x x_{t+1} runs while frame t drains.
//            The sequencer and its scoreboard are engine_seq.
// Modules  : this file checks the sizes it is given (golden.engine_layout.EngineParams
//            derives them) and wires the modules that do the work:
//            engine_input (input path, x memory), engine_seq (sequencer), engine_array (PE
//            array and hand-off chains), engine_hlanes (hand-off lanes, bias memory),
//            engine_ewq (step queue, z / state / peephole memories), engine_ew (element-wise
//            unit), engine_rec (recurrence path, spectrum memories), engine_ofifo, engine_load,
//            engine_wmem (weights), engine_regs (AXI4-Lite); each has its own tb/<module>.
// Formats  : DATA/WEIGHT/SPEC/PRE/BIAS/PEEP/GATE/CELL_{WIDTH,FRAC} = golden.formats.Formats;
//            spectrum words s(DATA_WIDTH+log2 K).DATA_FRAC; accumulators ACC_W bits, exact.
// Streams  : s_axis: one block of K data words per beat (word n at [n*DATA_WIDTH +:
//            DATA_WIDTH]), ceil(IN_SIZE/K) beats per frame (zero padded), tlast on the last
//            beat of the last frame of a sequence; m_axis: one block of K data words per
//            beat, OUT/K beats per frame, tlast on the last beat of a sequence's last frame.
// Control  : AXI4-Lite register block (s_axil_*), map in docs/engine.md; run-time memory
//            load port ld_* (32-bit element writes, accepted while no frame is in flight).
// Memories : $readmemh({MEM_PREFIX, "w.mem" | "bias.mem" | "peep.mem" | "sigmoid.mem" |
//            "tanh.mem"}), written by golden.engine_layout.write_engine_mem.
// Latency  : data dependent; cycles per frame ~ packed MAC beats plus the drains the block
//            order cannot hide (bench/engine_cycles.py measures it).
// Bit growth: see engine_pe (accumulators) and the numerics contract.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module engine #(
    parameter integer K            = 4,
    parameter integer N_PE         = 8,
    parameter integer CELL         = 0,   // 0 LSTM, 1 GRU
    parameter integer LAYERS       = 1,
    parameter integer IN_SIZE      = 16,
    parameter integer HIDDEN       = 32,
    parameter integer PROJ         = 16,  // 0: no projection
    parameter integer PEEP         = 1,
    parameter integer DATA_WIDTH   = 16,
    parameter integer DATA_FRAC    = 12,
    parameter integer WEIGHT_WIDTH = 16,
    parameter integer WEIGHT_FRAC  = 14,
    parameter integer SPEC_WIDTH   = 20,
    parameter integer SPEC_FRAC    = 12,
    parameter integer PRE_WIDTH    = 16,
    parameter integer PRE_FRAC     = 12,
    parameter integer BIAS_WIDTH   = 16,
    parameter integer BIAS_FRAC    = 12,
    parameter integer PEEP_WIDTH   = 16,
    parameter integer PEEP_FRAC    = 14,
    parameter integer GATE_WIDTH   = 16,
    parameter integer GATE_FRAC    = 14,
    parameter integer CELL_WIDTH   = 16,
    parameter integer CELL_FRAC    = 12,
    parameter integer TW_WIDTH     = 18,
    parameter integer ACT_SEG_BITS = 8,
    // widest signed multiplier operand of the target (cmul splits wider ones): 18 for ECP5
    // MULT18X18D (the default), 27 for DSP48E2 (the fpga flow sets it per family)
    parameter integer MUL_WIDTH    = 18,
    // a register more on each side of the PEs' multipliers (cmul PIPE, PE latency + 2): 1 for
    // ECP5 (the default: its multiplier sites sit far from the PE logic; the inner pair are the
    // MULT18X18D's own registers, rtl/mul_reg.v, the outer pair fabric registers), 0 for
    // DSP48E2, whose own A/B/M/P registers do it (the fpga flow sets it per family, with
    // MUL_WIDTH)
    parameter integer MUL_PIPE     = 1,
    // real multipliers per complex MAC in the PEs (cmul MULTS): 4, or 3 (Gauss form: a DSP48E2
    // less per MAC for three fabric pre-adds; needs MUL_WIDTH 27)
    parameter integer MUL_MULTS    = 4,
    // words (complex MACs) each PE takes per beat: a power of two dividing K/2; a block's K/2
    // packed words take K/2 / WPAR beats (WPAR = K/2: a whole block per beat)
    parameter integer WPAR         = 1,
    // hand-off lanes: a power of two dividing N_PE; lane c drains the chain of PEs c, c+HLANES,
    // c+2*HLANES, ... into its own engine_handoff, so HLANES row blocks leave per cycle
    parameter integer HLANES       = 1,
    // weight lines per bank of engine_wmem (one block RAM deep); golden's W_BANK_DEPTH, which
    // names the bank files w_b00.mem ...
    parameter integer WBANK_DEPTH  = 1024,
    // ---- the engine's shape, derived from the parameters above by
    // golden.engine_layout.EngineParams (the one place it is derived): its hdl_params() /
    // engine_params.vh pass them with the rest; this module only checks them (below), so an
    // instance given K, N_PE, ... without the matching sizes stops at elaboration.  The
    // defaults are those of the defaults above (tests/test_engine_params.py checks it).
    parameter integer QIN          = 4,    // x blocks of layer 0: ceil(IN_SIZE / K)
    parameter integer HB           = 8,    // hidden blocks: HIDDEN / K
    parameter integer RB           = 4,    // output (recurrent) blocks: (PROJ or HIDDEN) / K
    parameter integer GG           = 4,    // gate pass row groups: ceil(gates * HB / N_PE)
    parameter integer GP           = 1,    // projection pass row groups: ceil(PROJ/K / N_PE)
    parameter integer PS           = 2,    // projection split: PEs per projection row
    parameter integer HC           = 4,    // blocks per PE of the projection pass: HB / PS
    parameter integer WDEPTH       = 72,   // weight addresses of a frame (all layers)
    parameter integer BDEPTH       = 32,   // bias rows (all layers)
    parameter integer PDEPTH       = 8,    // peephole words (all layers): LAYERS * HB
    parameter        MEM_PREFIX   = "mem/"
) (
    input  wire                       clk,
    input  wire                       rst,
    // input frames
    input  wire [K*DATA_WIDTH-1:0]    s_axis_tdata,
    input  wire                       s_axis_tvalid,
    output wire                       s_axis_tready,
    input  wire                       s_axis_tlast,
    // per-frame outputs
    output wire [K*DATA_WIDTH-1:0]    m_axis_tdata,
    output wire                       m_axis_tvalid,
    input  wire                       m_axis_tready,
    output wire                       m_axis_tlast,
    // AXI4-Lite control / status
    input  wire [7:0]                 s_axil_awaddr,
    input  wire                       s_axil_awvalid,
    output wire                       s_axil_awready,
    input  wire [31:0]                s_axil_wdata,
    input  wire [3:0]                 s_axil_wstrb,
    input  wire                       s_axil_wvalid,
    output wire                       s_axil_wready,
    output wire [1:0]                 s_axil_bresp,
    output wire                       s_axil_bvalid,
    input  wire                       s_axil_bready,
    input  wire [7:0]                 s_axil_araddr,
    input  wire                       s_axil_arvalid,
    output wire                       s_axil_arready,
    output wire [31:0]                s_axil_rdata,
    output wire [1:0]                 s_axil_rresp,
    output wire                       s_axil_rvalid,
    input  wire                       s_axil_rready,
    // run-time memory load (one element per beat)
    input  wire                       ld_valid,
    output wire                       ld_ready,
    input  wire [1:0]                 ld_sel,    // 0 weights, 1 bias, 2 peepholes
    input  wire [15:0]                ld_lane,   // weights: PE bank; bias/peep: lane in word
    input  wire [31:0]                ld_addr,
    input  wire [31:0]                ld_data
);
    // ------------------------------------------------------------------ derived sizes
    localparam integer K2 = K / 2;
    localparam integer LOG2K = $clog2(K);
    localparam integer XW = DATA_WIDTH + LOG2K;  // spectrum component width
    localparam integer SPW = 2 * XW;  // packed spectrum word {im, re}
    localparam integer SBW = K2 * SPW;  // one block of spectra
    localparam integer WWD = 2 * WEIGHT_WIDTH;  // packed weight word {im, re}
    localparam integer NWB = K2 / WPAR;  // beats per block
    localparam integer WLINE = N_PE * WPAR * WWD;  // one address across all banks (lanes n*WPAR+m)
    // the shape parameters (QIN, HB, RB, GG, GP, PS, HC, WDEPTH, BDEPTH, PDEPTH) come from
    // golden.engine_layout.EngineParams; projection split: with fewer projection rows than
    // PEs, row i is spread over PS PEs (a power of two dividing HB): PE n = i*PS + s
    // accumulates the m blocks h = j*PS + s (j < HC), read from m bank s, and the hand-off
    // adds the PS partial sums of each row (exact) before rounding
    localparam integer OUT = (PROJ > 0) ? PROJ : HIDDEN;
    localparam integer G = (CELL == 0) ? 4 : 3;
    localparam integer ROWS = G * HB;
    localparam integer PB = PROJ / K;
    localparam integer MDEPTH = (PROJ > 0) ? HC : 1;
    localparam integer QT0 = QIN + RB;  // blocks per row: layer 0, layers > 0
    localparam integer QT1 = RB + RB;
    localparam integer BROWS = ROWS * ((CELL == 0) ? 1 : 2);  // bias rows of a layer
    localparam integer BSH = (PRE_FRAC > BIAS_FRAC) ? PRE_FRAC - BIAS_FRAC : BIAS_FRAC - PRE_FRAC;
    localparam integer BMW = BIAS_WIDTH + BSH + 1;  // bias re-aligned to pre's frac (offline)
    localparam integer PWORD = 3 * K * PEEP_WIDTH;
    localparam integer QMAX0 = (QT0 > QT1) ? QT0 : QT1;
    localparam integer QMAX = (QMAX0 > HB) ? QMAX0 : HB;
    localparam integer ACC_W = XW + WEIGHT_WIDTH + 1 + $clog2(QMAX) + 1;
    localparam integer XIN_DEPTH = 2 * QIN;
    localparam integer SDEPTH = LAYERS * 2 * RB;  // r slots (m spectra: the m banks)
    localparam integer OF_DEPTH = 1 << $clog2(2 * RB);
    localparam integer SW = (CELL == 0) ? CELL_WIDTH : DATA_WIDTH;  // state word lane width
    localparam integer NPC = N_PE / HLANES;  // PEs per hand-off lane (chain length)
    localparam integer SPACING = NPC + 2;  // cycles between the ends of two accumulations
    // element-wise tag {last block, block 0, seq_end, fid, layer, h} (engine_ewq's blk_tag)
    localparam integer ET_H = 0, ET_LAYER = 16, ET_FID = 24, ET_SEND = 26, ET_BLK0 = 27;
    localparam integer ET_LAST = 28, ETW = 29;

    // the shape parameters must be EngineParams' (engine_params.vh): checked here, not derived;
    // at elaboration where the tool has elaboration-time $error (Verilator, yosys), and at time
    // 0 of every simulation (the initial block below: Icarus 11 has no elaboration tasks, and
    // the cocotb Verilator builds make warnings of errors)
    localparam [0:0] SHAPE_OK = QIN == (IN_SIZE + K - 1) / K && HB == HIDDEN / K
        && RB == OUT / K && GG == (ROWS + N_PE - 1) / N_PE && GP == (PB + N_PE - 1) / N_PE
        && PS >= 1 && (PS & (PS - 1)) == 0 && HB % PS == 0 && HC == HB / PS
        && (PB > 0 || PS == 1) && (PS == 1 || PS * ((PB + HLANES - 1) / HLANES) * HLANES <= N_PE)
        && WDEPTH == ((GG * QT0 + GP * HC) + (LAYERS - 1) * (GG * QT1 + GP * HC)) * NWB
        && BDEPTH == LAYERS * BROWS && PDEPTH == LAYERS * HB;
`ifdef VERILATOR
`define ENGINE_ELAB_CHECK
`elsif YOSYS
`define ENGINE_ELAB_CHECK
`endif
`ifdef ENGINE_ELAB_CHECK
    generate
        if (SHAPE_OK == 0) begin : g_shape_mismatch
            $error("engine: shape %0d %0d %0d %0d %0d %0d %0d %0d %0d %0d is not EngineParams' %s",
                   QIN, HB, RB, GG, GP, PS, HC, WDEPTH, BDEPTH, PDEPTH,
                   "(QIN HB RB GG GP PS HC WDEPTH BDEPTH PDEPTH): pass EngineParams.hdl_params()");
        end
    endgenerate
`undef ENGINE_ELAB_CHECK
`endif

    initial begin
        if (K < 2 || K > 32 || (1 << LOG2K) != K) begin
            $error("%m: K=%0d must be a power of two in 2..32 (k = 1 is not supported)", K);
            $finish;
        end
        if (HLANES < 1 || (HLANES & (HLANES - 1)) != 0 || N_PE % HLANES != 0 || HLANES > 64) begin
            $error("%m: HLANES=%0d must be a power of two (<= 64) dividing N_PE=%0d", HLANES, N_PE);
            $finish;
        end
        if (WPAR < 1 || (WPAR & (WPAR - 1)) != 0 || K2 % WPAR != 0) begin
            $error("%m: WPAR=%0d must be a power of two dividing K/2=%0d", WPAR, K2);
            $finish;
        end
        if (N_PE < 1 || N_PE > 65535 || LAYERS < 1 || LAYERS > 255 || IN_SIZE < 1) begin
            $error("%m: bad N_PE=%0d / LAYERS=%0d / IN_SIZE=%0d", N_PE, LAYERS, IN_SIZE);
            $finish;
        end
        if (HIDDEN < K || HIDDEN % K != 0 || PROJ % K != 0 || PROJ < 0) begin
            $error("%m: HIDDEN=%0d and PROJ=%0d must be multiples of K=%0d", HIDDEN, PROJ, K);
            $finish;
        end
        if (CELL < 0 || CELL > 1 || (CELL == 1 && (PROJ != 0 || PEEP != 0)) || PEEP < 0
                || PEEP > 1) begin
            $error("%m: CELL=%0d PROJ=%0d PEEP=%0d: the GRU has no projection or peepholes",
                   CELL, PROJ, PEEP);
            $finish;
        end
`ifndef YOSYS  // (yosys stops at the generate block's $error above, and has no $error here)
        if (SHAPE_OK == 0) begin
            $display("%m: QIN=%0d HB=%0d RB=%0d GG=%0d GP=%0d PS=%0d HC=%0d", QIN, HB, RB, GG,
                     GP, PS, HC);
            $display("%m: WDEPTH=%0d BDEPTH=%0d PDEPTH=%0d", WDEPTH, BDEPTH, PDEPTH);
            $error("%m: the shape parameters above are not those of K=%0d N_PE=%0d HLANES=%0d %s",
                   K, N_PE, HLANES, "(pass every EngineParams.hdl_params(): engine_params.vh)");
            $finish;
        end
`endif
        if (SDEPTH > 65536 || XIN_DEPTH > 65536 || HB > 65535) begin
            $error("%m: spectrum memory of %0d blocks exceeds the 16-bit block address", SDEPTH);
            $finish;
        end
        if (WWD > 32 || BMW > 32 || PEEP_WIDTH > 32 || ACC_W > 64 || ROWS > 65535 || TW_WIDTH < 4
                || TW_WIDTH > 27 || ACT_SEG_BITS < 1 || ACT_SEG_BITS > PRE_WIDTH - 2) begin
            $error("%m: formats out of range (weight word %0d, bias %0d, peep %0d, acc %0d bits)",
                   WWD, BMW, PEEP_WIDTH, ACC_W);
            $finish;
        end
    end

    // ------------------------------------------------------------------ memories
    // weights: engine_wmem (after the load port), N_PE*WPAR lanes: PE n, word m = bits
    // [(n*WPAR+m)*WWD +: WWD]; w_line is the line of b_waddr two cycles later
    wire [WLINE-1:0] w_line;
    // load port writes (engine_load, below): weights / bias / peepholes, the lane decoded into
    // one-hot lane enables, so each memory sees one write port with per-lane enables
    // (constant part-selects), not a lane-indexed shift
    localparam integer WLANES = N_PE * WPAR;  // weight lanes
    localparam integer NLW = (WLANES > 3 * K) ? WLANES : 3 * K;  // widest lane count
    wire lw_w, lw_b, lw_p;
    wire [NLW-1:0] lw_lane_oh;
    wire [31:0] lw_addr, lw_data;

    // ------------------------------------------------------------------ control registers
    // (engine_regs: AXI4-Lite block, CTRL, STATUS, counters, configuration read-back)
    wire run_reg, soft_rst_reg, clr_reg;
    wire core_rst = rst | soft_rst_reg;
    // the same reset per block, each from its own copy of the SOFT_RESET pulse (engine_regs
    // SRST_COPIES): input, seq, array, hlanes, ewq, ew, rec, ofifo, load
    localparam integer NRST = 9;
    wire [NRST-1:0] soft_rst_copy;
    wire [NRST-1:0] blk_rst = {NRST{rst}} | soft_rst_copy;

    // ------------------------------------------------------------------ frame counters
    // (mod 256) accepted / loaded by the input path, started / x-done by the sequencer, done
    // when their last output block is in the FIFO
    wire [7:0] frames_loaded, frames_accepted, frames_started, frames_xdone;
    reg [7:0] frames_done;
    wire [1:0] seq_end_mem;  // per input slot: its frame ends a sequence (tlast)

    // ------------------------------------------------------------------ input path
    // (engine_input) s_axis -> input fft_real -> x spectra in two frame slots; a slot is free
    // once the sequencer has issued the frame's x reads (frames_xdone); tready is low while
    // a (soft) reset is in effect.  xin_rd = x memory[b_saddr] a cycle later.
    wire in_mid_frame, in_tlast_err;
    wire [SBW-1:0] xin_rd;
    engine_input #(
        .K(K),
        .DATA_WIDTH(DATA_WIDTH),
        .IN_SIZE(IN_SIZE),
        .TW_WIDTH(TW_WIDTH),
        .ADDR_WIDTH(32)
    ) input_inst (
        .clk(clk),
        .rst(blk_rst[0]),
        .run(run_reg),
        .s_axis_tdata(s_axis_tdata),
        .s_axis_tvalid(s_axis_tvalid),
        .s_axis_tready(s_axis_tready),
        .s_axis_tlast(s_axis_tlast),
        .frames_xdone(frames_xdone),
        .frames_accepted(frames_accepted),
        .frames_loaded(frames_loaded),
        .slot_seq_end(seq_end_mem),
        .mid_frame(in_mid_frame),
        .tlast_err(in_tlast_err),
        .rd_addr(b_saddr),
        .rd_data(xin_rd)
    );

    // ------------------------------------------------------------------ sequencer
    // (engine_seq) the generator walks each frame's passes (layer, pass, row group, operand
    // segment, block, beat) into a beat queue; the gate issues the head to the PE array when
    // the spectrum block it reads exists (its scoreboard: r slots and m blocks, written by the
    // recurrence FFT below), the hand-off spacing holds and the element-wise context queue has
    // room; b_* is the issued beat, one per cycle
    wire of_room, frame_start, seq_idle, first_step;
    wire ctx_push, ctx_full;
    wire [7:0] ctx_layer;
    wire [1:0] ctx_fid;
    wire ctx_first, ctx_send;
    wire sb_r_we, sb_r_blk0, sb_m_we;
    wire [8:0] sb_r_slot;
    wire [1:0] sb_r_fid;
    wire b_valid, b_xin, b_mask, b_first, b_last, b_send;
    wire [1:0] b_kind, b_fid;
    wire [4:0] b_w;
    wire [31:0] b_saddr, b_waddr, b_row;
    wire [7:0] b_layer;
    engine_seq #(
        .N_PE(N_PE),
        .NWB(NWB),
        .CELL(CELL),
        .LAYERS(LAYERS),
        .QIN(QIN),
        .RB(RB),
        .HB(HB),
        .PS(PS),
        .HC(HC),
        .GG(GG),
        .GP(GP),
        .WDEPTH(WDEPTH),
        .XIN_DEPTH(XIN_DEPTH),
        .SDEPTH(SDEPTH),
        .MDEPTH(MDEPTH),
        .SPACING(SPACING),
        .LAYER_WIDTH(8),
        .WORD_WIDTH(5),
        .ADDR_WIDTH(32),
        .ROW_WIDTH(32)
    ) seq_inst (
        .clk(clk),
        .rst(blk_rst[1]),
        .run(run_reg),
        .frames_loaded(frames_loaded),
        .in_seq_end(seq_end_mem),
        .of_room(of_room),
        .frame_start(frame_start),
        .frames_started(frames_started),
        .frames_xdone(frames_xdone),
        .idle(seq_idle),
        .first_step(first_step),
        .r_we(sb_r_we),
        .r_slot(sb_r_slot),
        .r_blk0(sb_r_blk0),
        .r_fid(sb_r_fid),
        .m_we(sb_m_we),
        .ctx_full(ctx_full),
        .ctx_push(ctx_push),
        .ctx_layer(ctx_layer),
        .ctx_fid(ctx_fid),
        .ctx_first(ctx_first),
        .ctx_send(ctx_send),
        .b_valid(b_valid),
        .b_kind(b_kind),
        .b_xin(b_xin),
        .b_mask(b_mask),
        .b_first(b_first),
        .b_last(b_last),
        .b_w(b_w),
        .b_saddr(b_saddr),
        .b_waddr(b_waddr),
        .b_row(b_row),
        .b_layer(b_layer),
        .b_fid(b_fid),
        .b_send(b_send)
    );

    // ------------------------------------------------------------------ PE array
    // (engine_array) the operand registers after the memories' reads (x, spectrum and m
    // words, the weight line), the broadcast register, N_PE engine_pe and the hand-off
    // chains: a finished row group leaves lane c as PEs c, c + HLANES, ... on NPC cycles
    // (ch_shift), with its row, position, bias base and tags
    wire [SBW-1:0] spec_rd;  // engine_rec's read port: spectrum memory[b_saddr]
    wire [PS*SBW-1:0] m_rd;  // and the m banks
    wire [HLANES*K*ACC_W-1:0] ch_acc;  // lane c: chain[c]
    wire ch_shift, ch_send;
    wire [31:0] ch_row, ch_pos, ch_bbase;
    wire [1:0] ch_kind, ch_fid;
    wire [7:0] ch_layer;
    engine_array #(
        .K(K),
        .N_PE(N_PE),
        .WPAR(WPAR),
        .HLANES(HLANES),
        .PS(PS),
        .X_WIDTH(XW),
        .WEIGHT_WIDTH(WEIGHT_WIDTH),
        .ACC_WIDTH(ACC_W),
        .MUL_WIDTH(MUL_WIDTH),
        .MUL_PIPE(MUL_PIPE),
        .MUL_MULTS(MUL_MULTS),
        .ROWS(ROWS),
        .BROWS(BROWS)
    ) array_inst (
        .clk(clk),
        .rst(blk_rst[2]),
        .b_valid(b_valid),
        .b_xin(b_xin),
        .b_mask(b_mask),
        .b_first(b_first),
        .b_last(b_last),
        .b_send(b_send),
        .b_kind(b_kind),
        .b_fid(b_fid),
        .b_w(b_w),
        .b_row(b_row),
        .b_layer(b_layer),
        .xin_rd(xin_rd),
        .spec_rd(spec_rd),
        .m_rd(m_rd),
        .w_line(w_line),
        .ch_acc(ch_acc),
        .ch_shift(ch_shift),
        .ch_row(ch_row),
        .ch_pos(ch_pos),
        .ch_bbase(ch_bbase),
        .ch_kind(ch_kind),
        .ch_layer(ch_layer),
        .ch_fid(ch_fid),
        .ch_send(ch_send)
    );
    // ------------------------------------------------------------------ hand-off lanes
    // (engine_hlanes) HLANES engine_handoff lanes: the drained blocks -> RND/SAT to spec ->
    // ifft_herm -> RND/SAT to pre -> + bias (SAT) = z, to the element-wise queue, and
    // projection rows' pre -> RND/SAT to data = r_t, to the recurrence path (through a queue
    // with several lanes, in the cycles the element-wise output does not use it)
    wire [HLANES-1:0] zi_valid, zi_count, zi_gh;
    wire [HLANES*16-1:0] zi_row;
    wire [HLANES*K*PRE_WIDTH-1:0] zi_data;
    wire pj_valid, pj_send, pj_blk0, pj_last, e_out_valid;
    wire [7:0] pj_layer;
    wire [1:0] pj_fid;
    wire [15:0] pj_row;
    wire [K*DATA_WIDTH-1:0] pj_data;
    engine_hlanes #(
        .K(K),
        .HLANES(HLANES),
        .PS(PS),
        .CELL(CELL),
        .PROJ(PROJ),
        .ROWS(ROWS),
        .RB(RB),
        .BDEPTH(BDEPTH),
        .ACC_WIDTH(ACC_W),
        .DATA_WIDTH(DATA_WIDTH),
        .DATA_FRAC(DATA_FRAC),
        .WEIGHT_FRAC(WEIGHT_FRAC),
        .SPEC_WIDTH(SPEC_WIDTH),
        .SPEC_FRAC(SPEC_FRAC),
        .PRE_WIDTH(PRE_WIDTH),
        .PRE_FRAC(PRE_FRAC),
        .BIAS_WIDTH(BIAS_WIDTH),
        .BIAS_FRAC(BIAS_FRAC),
        .TW_WIDTH(TW_WIDTH),
        .BIAS_FILE({MEM_PREFIX, "bias.mem"})
    ) hlanes_inst (
        .clk(clk),
        .rst(blk_rst[3]),
        .ch_acc(ch_acc),
        .ch_shift(ch_shift),
        .ch_row(ch_row),
        .ch_pos(ch_pos),
        .ch_bbase(ch_bbase),
        .ch_kind(ch_kind),
        .ch_layer(ch_layer),
        .ch_fid(ch_fid),
        .ch_send(ch_send),
        .zi_valid(zi_valid),
        .zi_count(zi_count),
        .zi_gh(zi_gh),
        .zi_row(zi_row),
        .zi_data(zi_data),
        .rec_busy(e_out_valid),
        .pj_valid(pj_valid),
        .pj_layer(pj_layer),
        .pj_fid(pj_fid),
        .pj_send(pj_send),
        .pj_row(pj_row),
        .pj_blk0(pj_blk0),
        .pj_last(pj_last),
        .pj_data(pj_data),
        .bw_en(lw_b),
        .bw_lanes(lw_lane_oh[K-1:0]),
        .bw_addr(lw_addr),
        .bw_data(lw_data[BMW-1:0])
    );

    // ------------------------------------------------------------------ element-wise unit
    // (engine_ewq) the queue of layer steps, the z memory (bank c written by hand-off lane c),
    // the state and peephole memories and the decision to send a hidden block (e1_*, a cycle
    // after the decision) to engine_ew, whose outputs write the state back
    wire e1_valid;
    wire [ETW-1:0] e1_tag;
    wire [6*K*PRE_WIDTH-1:0] e1_z;
    wire [K*SW-1:0] e1_s;
    wire [PWORD-1:0] e1_p;
    // engine_ew's outputs: the block's m / h (e_out_a) and state (e_out_b)
    wire [ETW-1:0] e_out_tag;
    wire [K*DATA_WIDTH-1:0] e_out_a;
    wire [K*SW-1:0] e_out_b;
    wire [15:0] e_out_h = e_out_tag[ET_H+:16];
    wire [7:0] e_out_layer = e_out_tag[ET_LAYER+:8];
    wire [1:0] e_out_fid = e_out_tag[ET_FID+:2];
    wire e_out_send = e_out_tag[ET_SEND];
    wire e_out_blk0 = e_out_tag[ET_BLK0];
    wire e_out_last = e_out_tag[ET_LAST];
    // Lanes shared over cycles: gate results reach the z memory at most HLANES rows per cycle,
    // so a hidden block (G rows) completes at most once every G / HLANES cycles, and a unit
    // that takes SHARE <= G / HLANES cycles per block keeps up with the hand-off on K / SHARE
    // lanes.  SHARE must divide K (each lane takes whole units) and be a power of two
    // (engine_ew's slice counter): the largest power of two <= max(1, floor(G / HLANES))
    // dividing K, i.e. with one lane LSTM min(K, 4), GRU min(K, 2).
    localparam integer EW_GL = (G / HLANES > 1) ? G / HLANES : 1;  // cycles per hidden block
    localparam integer EW_G2 = 1 << ($clog2(EW_GL + 1) - 1);  // largest power of two <= EW_GL
    localparam integer EW_SHARE = (K < EW_G2) ? K : EW_G2;
    engine_ewq #(
        .K(K),
        .CELL(CELL),
        .LAYERS(LAYERS),
        .HB(HB),
        .HLANES(HLANES),
        .SHARE(EW_SHARE),
        .PRE_WIDTH(PRE_WIDTH),
        .S_WIDTH(SW),
        .PEEP(PEEP),
        .PEEP_WIDTH(PEEP_WIDTH),
        .PEEP_FILE({MEM_PREFIX, "peep.mem"})
    ) ewq_inst (
        .clk(clk),
        .rst(blk_rst[4]),
        .ctx_push(ctx_push),
        .ctx_layer(ctx_layer),
        .ctx_fid(ctx_fid),
        .ctx_first(ctx_first),
        .ctx_send(ctx_send),
        .ctx_full(ctx_full),
        .zi_valid(zi_valid),
        .zi_count(zi_count),
        .zi_gh(zi_gh),
        .zi_row(zi_row),
        .zi_data(zi_data),
        .blk_valid(e1_valid),
        .blk_tag(e1_tag),
        .blk_z(e1_z),
        .blk_s(e1_s),
        .blk_p(e1_p),
        .st_valid(e_out_valid),
        .st_layer(e_out_layer),
        .st_h(e_out_h),
        .st_data(e_out_b),
        .pw_en(lw_p),
        .pw_lanes(lw_lane_oh[3*K-1:0]),
        .pw_addr(lw_addr),
        .pw_data(lw_data[PEEP_WIDTH-1:0])
    );
    // the unit's own statement of that rule; engine_ewq keeps it locally
    /* verilator lint_off UNUSEDSIGNAL */
    wire e_ready_next_unused;
    /* verilator lint_on UNUSEDSIGNAL */
    engine_ew #(
        .CELL(CELL),
        .K(K),
        .SHARE(EW_SHARE),
        .DATA_WIDTH(DATA_WIDTH),
        .DATA_FRAC(DATA_FRAC),
        .PRE_WIDTH(PRE_WIDTH),
        .PRE_FRAC(PRE_FRAC),
        .PEEP_WIDTH(PEEP_WIDTH),
        .PEEP_FRAC(PEEP_FRAC),
        .GATE_WIDTH(GATE_WIDTH),
        .GATE_FRAC(GATE_FRAC),
        .CELL_WIDTH(CELL_WIDTH),
        .CELL_FRAC(CELL_FRAC),
        .ACT_SEG_BITS(ACT_SEG_BITS),
        .TAG_WIDTH(ETW),
        .SIG_FILE({MEM_PREFIX, "sigmoid.mem"}),
        .TANH_FILE({MEM_PREFIX, "tanh.mem"}),
        .S_WIDTH(SW)
    ) ew_inst (
        .clk(clk),
        .rst(blk_rst[5]),
        .in_valid(e1_valid),
        .in_ready_next(e_ready_next_unused),
        .in_tag(e1_tag),
        .in_z0(e1_z[0*K*PRE_WIDTH+:K*PRE_WIDTH]),
        .in_z1(e1_z[1*K*PRE_WIDTH+:K*PRE_WIDTH]),
        .in_z2(e1_z[2*K*PRE_WIDTH+:K*PRE_WIDTH]),
        .in_z3(e1_z[3*K*PRE_WIDTH+:K*PRE_WIDTH]),
        .in_z4(e1_z[4*K*PRE_WIDTH+:K*PRE_WIDTH]),
        .in_z5(e1_z[5*K*PRE_WIDTH+:K*PRE_WIDTH]),
        .in_p(e1_p),
        .in_s(e1_s),
        .out_valid(e_out_valid),
        .out_tag(e_out_tag),
        .out_a(e_out_a),
        .out_b(e_out_b)
    );

    // ------------------------------------------------------------------ recurrence path
    // (engine_rec) element-wise outputs (m_t, or r_t without projection) and projection
    // results r_t -> register -> recurrence fft_real -> spectrum memory (r slots) / m banks,
    // with the sequencer's scoreboard strobes; the last layer's r blocks -> output FIFO
    wire of_push, of_end, of_last, of_send;
    wire [K*DATA_WIDTH-1:0] of_data;
    engine_rec #(
        .K(K),
        .DATA_WIDTH(DATA_WIDTH),
        .TW_WIDTH(TW_WIDTH),
        .LAYERS(LAYERS),
        .RB(RB),
        .PROJ(PROJ),
        .PS(PS),
        .SDEPTH(SDEPTH),
        .MDEPTH(MDEPTH),
        .ADDR_WIDTH(32)
    ) rec_inst (
        .clk(clk),
        .rst(blk_rst[6]),
        .e_valid(e_out_valid),
        .e_layer(e_out_layer),
        .e_fid(e_out_fid),
        .e_send(e_out_send),
        .e_blk(e_out_h),
        .e_blk0(e_out_blk0),
        .e_last(e_out_last),
        .e_data(e_out_a),
        .p_valid(pj_valid),
        .p_layer(pj_layer),
        .p_fid(pj_fid),
        .p_send(pj_send),
        .p_blk(pj_row),
        .p_blk0(pj_blk0),
        .p_last(pj_last),
        .p_data(pj_data),
        .of_push(of_push),
        .of_data(of_data),
        .of_end(of_end),
        .of_last(of_last),
        .of_send(of_send),
        .r_we(sb_r_we),
        .r_slot(sb_r_slot),
        .r_blk0(sb_r_blk0),
        .r_fid(sb_r_fid),
        .m_we(sb_m_we),
        .rd_addr(b_saddr),
        .spec_rd(spec_rd),
        .m_rd(m_rd)
    );

    // ------------------------------------------------------------------ output FIFO
    // (engine_ofifo) a frame reserves room for its whole output when it starts, so the results
    // in flight never find the FIFO full
    wire frame_end = of_push && of_end;  // last output block of a frame
    engine_ofifo #(
        .DATA_WIDTH(K * DATA_WIDTH),
        .DEPTH(OF_DEPTH),
        .BLOCKS(RB)
    ) ofifo_inst (
        .clk(clk),
        .rst(blk_rst[7]),
        .reserve(frame_start),
        .room(of_room),
        .s_axis_tdata(of_data),
        .s_axis_tvalid(of_push),
        .s_axis_tlast(of_last),
        .m_axis_tdata(m_axis_tdata),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready),
        .m_axis_tlast(m_axis_tlast)
    );
    always @(posedge clk) begin
        if (core_rst) frames_done <= 0;
        else if (frame_end) frames_done <= frames_done + 1'b1;
    end

    // ------------------------------------------------------------------ run-time load port
    // loads are taken only while RUN = 0 and no frame is in flight (a frame never sees a half
    // written model); a write outside the selected memory's depth or lanes (or to the
    // peepholes of a model without them) is dropped and sets STATUS.LOAD_ERR (sticky)
    // The port (engine_load) is registered: ld_ready is a register (RUN = 0, sequencer idle,
    // nothing in flight, one cycle earlier: a frame cannot start within a cycle of RUN rising,
    // its input must first pass the input FFT), and an accepted write reaches its memory one
    // cycle later from registered address, lane, data and range check (engine_load's lw_*).
    wire in_flight = (frames_started != frames_done);  // frames issued, outputs not all out
    wire active = !seq_idle || in_flight;  // counted by CYCLES and LAST_FRAME_CYCLES
    wire ld_err;  // accepted write out of range (STATUS.LOAD_ERR)
    engine_load #(
        .WDEPTH(WDEPTH), .BDEPTH(BDEPTH), .PDEPTH(PDEPTH), .WLANES(WLANES), .K(K), .PEEP(PEEP),
        .NLW(NLW)
    ) load_inst (
        .clk(clk),
        .rst(blk_rst[8]),
        .run(run_reg),
        .idle(seq_idle && !in_flight),
        .ld_valid(ld_valid),
        .ld_ready(ld_ready),
        .ld_sel(ld_sel),
        .ld_lane(ld_lane),
        .ld_addr(ld_addr),
        .ld_data(ld_data),
        .lw_w(lw_w),
        .lw_b(lw_b),
        .lw_p(lw_p),
        .lw_lane_oh(lw_lane_oh),
        .lw_addr(lw_addr),
        .lw_data(lw_data),
        .load_err(ld_err)
    );
    engine_wmem #(
        .WIDTH(WLINE),
        .LANE_WIDTH(WWD),
        .DEPTH(WDEPTH),
        .BANK_DEPTH(WBANK_DEPTH),
        .ADDR_WIDTH(32),
        .INIT_PREFIX({MEM_PREFIX, "w_b"})
    ) wmem_inst (
        .clk(clk),
        .rd_addr(b_waddr),
        .rd_data(w_line),
        .wr_en(lw_w),
        .wr_addr(lw_addr),
        .wr_lanes(lw_lane_oh[WLANES-1:0]),
        .wr_data(lw_data[WWD-1:0])
    );

    // ------------------------------------------------------------------ AXI4-Lite registers
    // frame statistics one cycle after the frame's last output block (a register between the
    // element-wise tags and the counters' resets and enables)
    reg st_frame_end, st_seq_end;
    always @(posedge clk) begin
        st_frame_end <= frame_end && !core_rst;
        st_seq_end <= of_send;
    end
    wire busy = !seq_idle || in_flight || (frames_loaded != frames_started) || in_mid_frame
                || (frames_accepted != frames_loaded) || m_axis_tvalid;
    // STATUS levels and the IN_WAIT condition, registered (a cycle late: the register read
    // path starts at registers, not at the frame counters' compares)
    reg st_busy, st_idle, st_first, st_in_wait;
    always @(posedge clk) begin
        st_busy <= busy;
        st_idle <= seq_idle;
        st_first <= first_step;
        st_in_wait <= seq_idle && run_reg && !first_step && frames_loaded == frames_started;
    end
    engine_regs #(
        .K(K), .N_PE(N_PE), .WPAR(WPAR), .HLANES(HLANES), .CELL(CELL), .LAYERS(LAYERS),
        .IN_SIZE(IN_SIZE), .HIDDEN(HIDDEN),
        .PROJ(PROJ), .PEEP(PEEP), .DATA_WIDTH(DATA_WIDTH), .DATA_FRAC(DATA_FRAC),
        .WEIGHT_WIDTH(WEIGHT_WIDTH), .WEIGHT_FRAC(WEIGHT_FRAC), .SPEC_WIDTH(SPEC_WIDTH),
        .SPEC_FRAC(SPEC_FRAC), .PRE_WIDTH(PRE_WIDTH), .PRE_FRAC(PRE_FRAC), .BIAS_WIDTH(BIAS_WIDTH),
        .BIAS_FRAC(BIAS_FRAC), .PEEP_WIDTH(PEEP_WIDTH), .PEEP_FRAC(PEEP_FRAC),
        .GATE_WIDTH(GATE_WIDTH), .GATE_FRAC(GATE_FRAC), .CELL_WIDTH(CELL_WIDTH),
        .CELL_FRAC(CELL_FRAC), .TW_WIDTH(TW_WIDTH), .ACT_SEG_BITS(ACT_SEG_BITS),
        .SRST_COPIES(NRST)
    ) regs_inst (
        .clk(clk),
        .rst(rst),
        .s_axil_awaddr(s_axil_awaddr),
        .s_axil_awvalid(s_axil_awvalid),
        .s_axil_awready(s_axil_awready),
        .s_axil_wdata(s_axil_wdata),
        .s_axil_wstrb(s_axil_wstrb),
        .s_axil_wvalid(s_axil_wvalid),
        .s_axil_wready(s_axil_wready),
        .s_axil_bresp(s_axil_bresp),
        .s_axil_bvalid(s_axil_bvalid),
        .s_axil_bready(s_axil_bready),
        .s_axil_araddr(s_axil_araddr),
        .s_axil_arvalid(s_axil_arvalid),
        .s_axil_arready(s_axil_arready),
        .s_axil_rdata(s_axil_rdata),
        .s_axil_rresp(s_axil_rresp),
        .s_axil_rvalid(s_axil_rvalid),
        .s_axil_rready(s_axil_rready),
        .ctrl_run(run_reg),
        .ctrl_soft_rst(soft_rst_reg),
        .ctrl_soft_rst_copy(soft_rst_copy),
        .ctrl_clr(clr_reg),
        .stat_busy(st_busy),
        .stat_idle(st_idle),
        .stat_first_step(st_first),
        .stat_active(active),
        .stat_beat(b_valid),
        .stat_in_stall(s_axis_tvalid && !s_axis_tready),
        .stat_out_stall(m_axis_tvalid && !m_axis_tready),
        .stat_in_wait(st_in_wait),
        .stat_tlast_err(in_tlast_err),
        .stat_load_err(ld_err),
        .stat_frame_end(st_frame_end),
        .stat_seq_end(st_seq_end)
    );
    // CLEAR acts inside engine_regs; the load address is a 32-bit word of which the memories
    // use the bits that reach their depths
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = &{1'b0, clr_reg, lw_addr};
    /* verilator lint_on UNUSEDSIGNAL */
endmodule

`resetall
