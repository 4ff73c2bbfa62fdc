//! Every attribute name of the `cim` dialect, declared once.
//!
//! Inherent attributes are the ones `cim.irdl.mlir` declares (all mandatory);
//! the test `compiler/tests/suite/cim_irdl.rs` holds each op's list equal to its
//! `irdl.attributes`. Discardable attributes are `cim.`-prefixed and added by
//! the passes that decide them (tiling, placement, schedule). Passes read and
//! write them through the typed views, never by these strings.

// Inherent: declared in cim.irdl.mlir.

/// `cim.im2col`: kernel height and width.
pub const KERNEL: &str = "kernel";
/// `cim.im2col`: strides along height and width.
pub const STRIDE: &str = "stride";
/// `cim.im2col`: dilations along height and width.
pub const DILATION: &str = "dilation";
/// `cim.im2col`: padding top, bottom, left, right.
pub const PAD: &str = "pad";
/// `cim.im2col`: the value padded positions hold (the input zero point).
pub const PAD_VALUE: &str = "pad_value";
/// `cim.im2col`: each channel's window contiguous (depthwise blocks).
pub const CHANNEL_MAJOR: &str = "channel_major";
/// `cim.matmul`, `cim.mvm`: bits per input element.
pub const INPUT_BITS: &str = "input_bits";
/// `cim.matmul`, `cim.program`: bits of the weights.
pub const WEIGHT_BITS: &str = "weight_bits";
/// `cim.matmul` (0 before bit-slicing), `cim.program`, `cim.shift_add`:
/// bits stored per cell.
pub const CELL_BITS: &str = "cell_bits";
/// `cim.matmul`, `cim.program`, `cim.mvm`: the layer's stable name.
pub const LAYER: &str = "layer";
/// `cim.matmul`: compact diagonal weight blocks (depthwise channels).
pub const BLOCKS: &str = "blocks";
/// `cim.mvm`: input bits per read step.
pub const DAC_BITS: &str = "dac_bits";
/// `cim.mvm`: ADC resolution (0: no ADC).
pub const ADC_BITS: &str = "adc_bits";
/// `cim.mvm`: rows driven in one read step.
pub const MAX_ACTIVE_ROWS: &str = "max_active_rows";
/// `cim.shift_add`: bit-slices per weight.
pub const SLICES: &str = "slices";
/// `cim.shift_add`: positive and negative slice columns per weight.
pub const DIFFERENTIAL: &str = "differential";
/// `cim.shift_add`: the weight offset its reference columns take off (0: none).
pub const OFFSET: &str = "offset";

// Discardable, on cim ops: added by cim-tile, cim-place and cim-schedule.
/// `cim.mvm`, optional (0): one ADC LSB is 2^k column-sum units (the
/// ADC's range: set from the target's policy by `cim-tile`, by calibration).
pub const ADC_SHIFT: &str = "cim.adc_shift";

/// `cim.program`: the tile's first row in its layer's level matrix (cim-tile).
pub const ROW_OFFSET: &str = "cim.row_offset";
/// `cim.program`: the tile's first column in its layer's level matrix (cim-tile).
pub const COL_OFFSET: &str = "cim.col_offset";
/// `cim.program`: the tile's cells that hold weights (cim-tile).
pub const USED_CELLS: &str = "cim.used_cells";
/// `cim.program`: columns stored complemented, ISAAC's weight flip (cim-tile).
pub const FLIPPED: &str = "cim.flipped";
/// `cim.program`: the core (cim-place).
pub const CORE: &str = "cim.core";
/// `cim.program`: the macro within its core (cim-place).
pub const MACRO: &str = "cim.macro";
/// `cim.program`: the array within its macro (cim-place).
pub const ARRAY: &str = "cim.array";
/// `cim.program`: the reprogramming phase (cim-place).
pub const PHASE: &str = "cim.phase";
/// `cim.program`: copies of the layer's weights to place (cim-replicate).
pub const REPLICAS: &str = "cim.replicas";
/// `cim.program`: where the copies after the first sit, `array<i64>` of
/// core, macro, array, phase per copy (cim-place).
pub const REPLICA_PLACEMENTS: &str = "cim.replica_placements";
/// `cim.mvm`: the stage of the schedule (cim-schedule).
pub const STAGE: &str = "cim.stage";
/// `cim.mvm`: the array read steps (cim-schedule).
pub const STEPS: &str = "cim.steps";

// Discardable, on ops of other dialects.

/// `func.func`: how the schedule's stages follow each other (cim-schedule).
pub const SCHEDULE: &str = "cim.schedule";
/// On the module: `{layer = k}`, the ADC range calibration chose for each
/// layer (`cim-tile` writes it as each of its mvms' `cim.adc_shift`).
pub const ADC_SHIFTS: &str = "cim.adc_shifts";
/// A crossbar layer's TOSA op: its stable name, set at input
/// (`cim-name-layers`) and carried into the `layer` attribute of every `cim`
/// op it becomes; reports, configurations and traces key on it.
pub const LAYER_NAME: &str = "cim.layer";
