// Malformed cim ops: each is an error at the op, exit code 1, never skipped
// and never a crash. IRDL checks that every declared attribute is present
// with its base kind; the typed views check the rest of what the passes
// read (a tile from a cim.program, widths that fit, array lengths, ranks).
// RUN: %cimc %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-lower-to-tosa))'
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-lower-to-tosa))' 2>&1 | FileCheck %s
// Passes that read one op: the same errors, located.
// RUN: %expect-exit 1 %cimc %S/Inputs/mvm-tile-argument.mlir --pass-pipeline='builtin.module(func.func(cim-schedule))' 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: %expect-exit 1 %cimc %S/Inputs/mvm-tile-argument.mlir --pass-pipeline='builtin.module(cim-lower-to-runtime)' 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: %expect-exit 1 %cimc %S/Inputs/mvm-tile-argument.mlir --pass-pipeline='builtin.module()' --report 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: %expect-exit 1 %cimc %S/Inputs/matmul-weights-argument.mlir --pass-pipeline='builtin.module(func.func(cim-bit-slice))' 2>&1 | FileCheck %s --check-prefix=WEIGHTS
// RUN: %expect-exit 1 %cimc %S/Inputs/matmul-weights-argument.mlir --pass-pipeline='builtin.module(func.func(cim-tile))' 2>&1 | FileCheck %s --check-prefix=WEIGHTS
// TILE: mvm-tile-argument.mlir:3:8: error: 'cim.mvm' op operand #0 ('tile') must be the result of a 'cim.program'
// WEIGHTS: matmul-weights-argument.mlir:3:8: error: 'cim.matmul' op has weights that are not constant

// A tile that does not come from a cim.program.
func.func @tile_argument(%t: !cim.tile, %x: tensor<4x2xi8>) -> tensor<4x2xi32> {
  // CHECK: invalid.mlir:[[# @LINE + 2]]:8: error: 'cim.mvm' op operand #0 ('tile') must be the result of a 'cim.program'
  // expected-error@+1 {{'cim.mvm' op operand #0 ('tile') must be the result of a 'cim.program'}}
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<4x2xi8>) -> tensor<4x2xi32>
  return %p : tensor<4x2xi32>
}

// -----

// A declared attribute missing: IRDL rejects it before any pass runs.
func.func @no_adc_bits(%x: tensor<4x2xi8>) -> tensor<4x2xi32> {
  %l = "tosa.const"() <{values = dense<1> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "l"} : (tensor<2x2xi8>) -> !cim.tile
  // CHECK: invalid.mlir:[[# @LINE + 2]]:8: error: 'cim.mvm' op attribute "adc_bits" is expected but not provided
  // expected-error@+1 {{'cim.mvm' op attribute "adc_bits" is expected but not provided}}
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<4x2xi8>) -> tensor<4x2xi32>
  return %p : tensor<4x2xi32>
}

// -----

// An ADC LSB beyond 2^30 sum units.
func.func @adc_shift_too_large(%x: tensor<4x2xi8>) -> tensor<4x2xi32> {
  %l = "tosa.const"() <{values = dense<1> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "l"} : (tensor<2x2xi8>) -> !cim.tile
  // CHECK: invalid.mlir:[[# @LINE + 2]]:8: error: 'cim.mvm' op attribute 'cim.adc_shift' must be in 0..=30, got 31
  // expected-error@+1 {{'cim.mvm' op attribute 'cim.adc_shift' must be in 0..=30, got 31}}
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l", cim.adc_shift = 31 : i64} : (!cim.tile, tensor<4x2xi8>) -> tensor<4x2xi32>
  return %p : tensor<4x2xi32>
}

// -----

// A width below zero.
func.func @negative_slices(%p: tensor<4x4xi32>) -> tensor<4x2xi32> {
  // CHECK: invalid.mlir:[[# @LINE + 2]]:8: error: 'cim.shift_add' op attribute 'slices' must be a non-negative integer that fits 32 bits
  // expected-error@+1 {{'cim.shift_add' op attribute 'slices' must be a non-negative integer that fits 32 bits}}
  %s = "cim.shift_add"(%p) {slices = -1 : i64, cell_bits = 2 : i64, differential = false, offset = 0 : i64} : (tensor<4x4xi32>) -> tensor<4x2xi32>
  return %s : tensor<4x2xi32>
}

// -----

// A kernel of one dimension.
func.func @short_kernel(%x: tensor<1x3x3x1xi8>) -> tensor<9x4xi8> {
  // CHECK: invalid.mlir:[[# @LINE + 2]]:8: error: 'cim.im2col' op attribute 'kernel' must be an array<i64> of 2 elements
  // expected-error@+1 {{'cim.im2col' op attribute 'kernel' must be an array<i64> of 2 elements}}
  %0 = "cim.im2col"(%x) {channel_major = false, dilation = array<i64: 1, 1>, kernel = array<i64: 2>, pad = array<i64: 0, 1, 0, 1>, pad_value = 0 : i64, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>) -> tensor<9x4xi8>
  return %0 : tensor<9x4xi8>
}

// -----

// Input rows that are not a matrix.
func.func @vector_input(%x: tensor<2xi8>) -> tensor<1x2xi32> {
  %w = "tosa.const"() <{values = dense<1> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  // CHECK: invalid.mlir:[[# @LINE + 2]]:8: error: 'cim.matmul' op operand #0 ('input') must be a statically shaped 2-D tensor, but got 'tensor<2xi8>'
  // expected-error@+1 {{'cim.matmul' op operand #0 ('input') must be a statically shaped 2-D tensor, but got 'tensor<2xi8>'}}
  %p = "cim.matmul"(%x, %w) {input_bits = 8 : i64, weight_bits = 8 : i64, cell_bits = 0 : i64, blocks = 1 : i64, layer = "l"} : (tensor<2xi8>, tensor<2x2xi8>) -> tensor<1x2xi32>
  return %p : tensor<1x2xi32>
}

// -----

// No weight blocks.
func.func @zero_blocks(%x: tensor<1x2xi8>) -> tensor<1x2xi32> {
  %w = "tosa.const"() <{values = dense<1> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  // CHECK: invalid.mlir:[[# @LINE + 2]]:8: error: 'cim.matmul' op attribute 'blocks' must be at least 1
  // expected-error@+1 {{'cim.matmul' op attribute 'blocks' must be at least 1}}
  %p = "cim.matmul"(%x, %w) {input_bits = 8 : i64, weight_bits = 8 : i64, cell_bits = 0 : i64, blocks = 0 : i64, layer = "l"} : (tensor<1x2xi8>, tensor<2x2xi8>) -> tensor<1x2xi32>
  return %p : tensor<1x2xi32>
}

// -----

// Flipped-column flags that do not cover the tile's columns.
func.func @flipped_length(%x: tensor<4x2xi8>) -> tensor<4x2xi32> {
  %l = "tosa.const"() <{values = dense<1> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  // CHECK: invalid.mlir:[[# @LINE + 2]]:8: error: 'cim.program' op attribute 'cim.flipped' must be an array<i1> of 2 elements
  // expected-error@+1 {{'cim.program' op attribute 'cim.flipped' must be an array<i1> of 2 elements}}
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "l", cim.flipped = array<i1: true>} : (tensor<2x2xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<4x2xi8>) -> tensor<4x2xi32>
  return %p : tensor<4x2xi32>
}

// -----

// A schedule attribute of the wrong kind.
func.func @stage_string(%x: tensor<4x2xi8>) -> tensor<4x2xi32> {
  %l = "tosa.const"() <{values = dense<1> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "l"} : (tensor<2x2xi8>) -> !cim.tile
  // CHECK: invalid.mlir:[[# @LINE + 2]]:8: error: 'cim.mvm' op attribute 'cim.stage' must be an integer
  // expected-error@+1 {{'cim.mvm' op attribute 'cim.stage' must be an integer}}
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l", cim.stage = "first"} : (!cim.tile, tensor<4x2xi8>) -> tensor<4x2xi32>
  return %p : tensor<4x2xi32>
}
