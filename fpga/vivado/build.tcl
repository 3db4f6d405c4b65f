# Vivado non-project build of one top: synthesis, implementation, reports.
#
#   vivado -mode batch -nojournal -source fpga/vivado/build.tcl -tclargs \
#       -top fft_real -part xcku060-ffva1156-2-e [-filelist rtl/fft_real.f] \
#       [-generic K=8 -generic IN_WIDTH=16] [-clk_mhz 200] [-out build/fpga/...] \
#       [-impl 1] [-ooc 1] [-threads 2] [-saif FILE [-saif_strip INSTANCE/PATH]]
#
# `make synth` (python -m fpga synth) calls this script when `vivado` is on PATH and parses
# the reports it writes into -out:
#   utilization_synth.rpt, timing_summary_synth.rpt          after synth_design
#   utilization.rpt, utilization_hier.rpt, timing_summary.rpt, power.rpt, drc.rpt,
#   post_route.dcp                                           after route_design (-impl 1)
#   power_vectorless.rpt, saif_unmatched.txt                 with -saif (power.rpt: from it)
#
# Power: without -saif, report_power estimates the activity of every net (vectorless).  With
# -saif FILE (switching activity from simulation: `python -m fpga activity` writes one with
# Verilator) it reports vectorless first (power_vectorless.rpt), then reads the file with
# read_saif, stripping -saif_strip (the top's instance path in the file, e.g. "engine" or
# "tb/dut"), and reports again (power.rpt); nets the file does not match keep vectorless
# activity, and their names go to saif_unmatched.txt.  The log says how many nets matched
# (power.rpt's "Design Nets Matched" row).
#
# Relative $readmemh paths (the engine's MEM_PREFIX "mem/") resolve against the working
# directory: run Vivado from the run directory (make synth does: cwd = -out).
#
# Sources come from the same file list as simulation and lint (rtl/<top>.f: one path per line
# relative to the repository, +incdir+DIR, -f other.f, // comments).  Parameters are passed
# as synth_design -generic NAME=VALUE.  Commands used are those of UG835 (Tcl Command
# Reference) for the non-project flow of UG892/UG904; nothing here depends on a project file.

set script_dir [file dirname [file normalize [info script]]]
set repo_dir   [file normalize [file join $script_dir .. ..]]

# ---- arguments -----------------------------------------------------------------------------
set top       ""
set part      "xcku060-ffva1156-2-e"
set filelist  ""
set generics  [list]
set clk_mhz   200.0
set out_dir   ""
set impl      1
set ooc       1
set threads   2
set saif      ""
set saif_strip ""

proc usage {msg} {
    puts stderr "build.tcl: $msg"
    puts stderr "usage: -tclargs -top NAME \[-part PART\] \[-filelist FILE.f\] \[-generic N=V\]... \
\[-clk_mhz MHZ\] \[-out DIR\] \[-impl 0|1\] \[-ooc 0|1\] \[-threads N\] \
\[-saif FILE \[-saif_strip INSTANCE/PATH\]\]"
    exit 2
}

for {set i 0} {$i < $argc} {incr i} {
    set opt [lindex $argv $i]
    if {$i + 1 >= $argc} { usage "option $opt needs a value" }
    incr i
    set val [lindex $argv $i]
    switch -exact -- $opt {
        -top      { set top $val }
        -part     { set part $val }
        -filelist { set filelist $val }
        -generic  {
            if {![regexp {^[A-Za-z_][A-Za-z0-9_]*=.+$} $val]} { usage "bad -generic $val (NAME=VALUE)" }
            lappend generics $val
        }
        -clk_mhz  { set clk_mhz $val }
        -out      { set out_dir $val }
        -impl     { set impl $val }
        -ooc      { set ooc $val }
        -threads  { set threads $val }
        -saif     { set saif $val }
        -saif_strip { set saif_strip $val }
        default   { usage "unknown option $opt" }
    }
}
if {$top eq ""} { usage "-top is required" }
if {$filelist eq ""} { set filelist [file join $repo_dir rtl "$top.f"] }
if {$out_dir eq ""} { set out_dir [file join $repo_dir build fpga $top "vivado_$part"] }
if {![string is double -strict $clk_mhz] || $clk_mhz <= 0} { usage "bad -clk_mhz $clk_mhz" }
if {$saif ne ""} {
    if {![file isfile $saif]} { usage "-saif $saif: no such file" }
    if {!$impl} { usage "-saif needs -impl 1 (report_power runs on the routed design)" }
    set saif [file normalize $saif]
} elseif {$saif_strip ne ""} {
    usage "-saif_strip without -saif"
}
file mkdir $out_dir
set_param general.maxThreads $threads

# ---- file list (same format and resolution rules as fpga/filelist.py) -----------------------
proc resolve_path {tok fdir repo_dir} {
    foreach base [list $repo_dir $fdir] {
        set p [file normalize [file join $base $tok]]
        if {[file exists $p]} { return $p }
    }
    error "file list entry '$tok' not found relative to $repo_dir or $fdir"
}

proc read_file_list {path repo_dir srcs_var incs_var} {
    upvar 1 $srcs_var srcs
    upvar 1 $incs_var incs
    set fdir [file dirname [file normalize $path]]
    set fh [open $path r]
    set text [read $fh]
    close $fh
    set toks [list]
    foreach line [split $text "\n"] {
        regsub {//.*$} $line {} line
        regsub {#.*$} $line {} line
        foreach t [regexp -all -inline {\S+} $line] { lappend toks $t }
    }
    for {set i 0} {$i < [llength $toks]} {incr i} {
        set t [lindex $toks $i]
        if {[string match "+incdir+*" $t]} {
            foreach d [split [string range $t 8 end] "+"] {
                if {$d ne ""} {
                    set d [resolve_path $d $fdir $repo_dir]
                    if {[lsearch -exact $incs $d] < 0} { lappend incs $d }
                }
            }
        } elseif {$t eq "-f"} {
            incr i
            read_file_list [resolve_path [lindex $toks $i] $fdir $repo_dir] $repo_dir srcs incs
        } elseif {[string index $t 0] eq "+" || [string index $t 0] eq "-"} {
            continue
        } else {
            set s [resolve_path $t $fdir $repo_dir]
            if {[lsearch -exact $srcs $s] < 0} { lappend srcs $s }
        }
    }
}

set sources  [list]
set incdirs  [list]
if {[file exists $filelist]} {
    read_file_list $filelist $repo_dir sources incdirs
} else {
    # A leaf module without a list: rtl/<top>.v alone.
    lappend sources [file normalize [file join $repo_dir rtl "$top.v"]]
    lappend incdirs [file normalize [file join $repo_dir rtl]]
}
if {[llength $sources] == 0} { error "no sources for $top (file list $filelist)" }
puts "build.tcl: top $top, part $part, [llength $sources] sources, generics {$generics}, $clk_mhz MHz"

# ---- read sources and constraints ----------------------------------------------------------
# The RTL is Verilog-2005 that also compiles as SystemVerilog (house style); reading it as
# SystemVerilog lets the elaboration-time $error checks in `initial` blocks through.
read_verilog -sv $sources

set period [format %.3f [expr {1000.0 / $clk_mhz}]]
set fh [open [file join $repo_dir fpga xdc clock.xdc] r]
set xdc [read $fh]
close $fh
if {[regsub -all -- {-period\s+[0-9.]+} $xdc "-period $period" xdc] == 0} {
    error "fpga/xdc/clock.xdc has no create_clock -period to set"
}
set clock_xdc [file join $out_dir clock.xdc]
set fh [open $clock_xdc w]
puts -nonewline $fh $xdc
close $fh
read_xdc $clock_xdc

# ---- synthesis -----------------------------------------------------------------------------
set synth_args [list -top $top -part $part -flatten_hierarchy rebuilt]
if {[llength $incdirs] > 0} { lappend synth_args -include_dirs $incdirs }
foreach g $generics { lappend synth_args -generic $g }
if {$ooc} { lappend synth_args -mode out_of_context }
synth_design {*}$synth_args

write_checkpoint -force [file join $out_dir post_synth.dcp]
report_utilization    -file [file join $out_dir utilization_synth.rpt]
report_timing_summary -max_paths 10 -file [file join $out_dir timing_summary_synth.rpt]

if {!$impl} {
    puts "build.tcl: synthesis done (-impl 0); reports in $out_dir"
    exit 0
}

# ---- implementation ------------------------------------------------------------------------
opt_design
place_design
phys_opt_design
route_design

write_checkpoint -force [file join $out_dir post_route.dcp]
report_utilization                -file [file join $out_dir utilization.rpt]
report_utilization -hierarchical  -file [file join $out_dir utilization_hier.rpt]
report_timing_summary -max_paths 10 -report_unconstrained -file [file join $out_dir timing_summary.rpt]
if {$saif ne ""} {
    report_power -file [file join $out_dir power_vectorless.rpt]
    set saif_args [list -out_file [file join $out_dir saif_unmatched.txt]]
    if {$saif_strip ne ""} { lappend saif_args -strip_path $saif_strip }
    read_saif {*}$saif_args $saif
}
report_power                      -file [file join $out_dir power.rpt]
if {$saif ne ""} {
    set matched "(no power.rpt)"
    set power_rpt [file join $out_dir power.rpt]
    if {[file exists $power_rpt]} {
        set fh [open $power_rpt r]
        set text [read $fh]
        close $fh
        if {![regexp {\|\s*Design Nets Matched\s*\|\s*([^|\n]*?)\s*\|} $text -> matched]} {
            set matched "(no 'Design Nets Matched' row in power.rpt)"
        }
    }
    puts "build.tcl: SAIF $saif (strip_path '$saif_strip'): design nets matched $matched"
}
report_drc                        -file [file join $out_dir drc.rpt]

puts "build.tcl: routed; reports in $out_dir"
exit 0
