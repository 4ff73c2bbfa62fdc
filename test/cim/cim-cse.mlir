// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(cim-cse)' | FileCheck %s

// Identical mvms merge; the uses move to the first.
// CHECK-LABEL: func.func @duplicate_mvm
// CHECK: %[[T:.*]] = "cim.program"
// CHECK-NEXT: %[[P:.*]] = "cim.mvm"(%[[T]], %arg1)
// CHECK-NEXT: "cim.accumulate"(%[[P]], %[[P]])
func.func @duplicate_mvm(%w: tensor<4x2xi8>, %x: tensor<3x4xi8>) -> tensor<3x2xi32> {
  %t = "cim.program"(%w) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "l", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64} : (tensor<4x2xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
  %q = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
  %a = "cim.accumulate"(%p, %q) : (tensor<3x2xi32>, tensor<3x2xi32>) -> tensor<3x2xi32>
  return %a : tensor<3x2xi32>
}

// -----

// Merging cascades: once the programs merge, their mvms are equal too.
// CHECK-LABEL: func.func @cascade
// CHECK-COUNT-1: "cim.program"
// CHECK-COUNT-1: "cim.mvm"
// CHECK-NOT: "cim.mvm"
func.func @cascade(%w: tensor<4x2xi8>, %x: tensor<3x4xi8>) -> tensor<3x2xi32> {
  %t = "cim.program"(%w) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "l", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64} : (tensor<4x2xi8>) -> !cim.tile
  %u = "cim.program"(%w) {layer = "l", cim.array = 0 : i64, weight_bits = 8 : i64, cim.macro = 0 : i64, cim.core = 0 : i64, cell_bits = 2 : i64} : (tensor<4x2xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
  %q = "cim.mvm"(%u, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
  %a = "cim.accumulate"(%p, %q) : (tensor<3x2xi32>, tensor<3x2xi32>) -> tensor<3x2xi32>
  return %a : tensor<3x2xi32>
}

// -----

// Equal weights on different arrays are replicas, not duplicates; mvms that
// differ in an attribute differ in value.
// CHECK-LABEL: func.func @replicas_and_attributes
// CHECK-COUNT-2: "cim.program"
// CHECK: adc_bits = 8
// CHECK: adc_bits = 4
func.func @replicas_and_attributes(%w: tensor<4x2xi8>, %x: tensor<3x4xi8>) -> (!cim.tile, !cim.tile, tensor<3x2xi32>, tensor<3x2xi32>) {
  %t = "cim.program"(%w) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "l", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64} : (tensor<4x2xi8>) -> !cim.tile
  %u = "cim.program"(%w) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "l", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 1 : i64} : (tensor<4x2xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
  %q = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 4 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
  return %t, %u, %p, %q : !cim.tile, !cim.tile, tensor<3x2xi32>, tensor<3x2xi32>
}

// -----

// Ops in different blocks are not merged (the earlier need not dominate).
// CHECK-LABEL: func.func @separate_blocks
// CHECK: "cim.program"
// CHECK: scf.execute_region
// CHECK: "cim.program"
func.func @separate_blocks(%w: tensor<4x2xi8>) -> (!cim.tile, !cim.tile) {
  %t = "cim.program"(%w) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "l", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64} : (tensor<4x2xi8>) -> !cim.tile
  %u = scf.execute_region -> !cim.tile {
    %v = "cim.program"(%w) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "l", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64} : (tensor<4x2xi8>) -> !cim.tile
    scf.yield %v : !cim.tile
  }
  return %t, %u : !cim.tile, !cim.tile
}
