// RUN: %cimc %s --target-opt chip.cores=1 --target-opt core.macros=1 --target-opt macro.arrays=4 --pass-pipeline='builtin.module(func.func(cim-place))' | FileCheck %s
// RUN: %expect-exit 1 %cimc %s --target-opt chip.cores=1 --target-opt core.macros=1 --target-opt macro.arrays=3 --pass-pipeline='builtin.module(func.func(cim-place))' 2>&1 | FileCheck %s --check-prefix=FULL

// Copies of a layer follow its tiles, each copy contiguous: layer a (two
// tiles, two copies) takes arrays 0, 1 and its copy 2, 3.
// CHECK: cim.array = 0 : i64{{.*}}cim.replica_placements = array<i64: 0, 0, 2, 0>
// CHECK: cim.array = 1 : i64{{.*}}cim.replica_placements = array<i64: 0, 0, 3, 0>

// Copies are never time-multiplexed.
// FULL: cim-place-replicas.mlir:[[# @LINE + 3]]:8: error: 'cim.program' op the layers' copies (cim.replicas) need 4 arrays, the chip has 3 (target 'isaac'): replicas cannot be time-multiplexed
func.func @copies(%x: tensor<4x2xi8>) -> (!cim.tile, !cim.tile) {
  %l = "tosa.const"() <{values = dense<1> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  %0 = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "a", cim.replicas = 2 : i64} : (tensor<2x2xi8>) -> !cim.tile
  %1 = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "a", cim.replicas = 2 : i64} : (tensor<2x2xi8>) -> !cim.tile
  return %0, %1 : !cim.tile, !cim.tile
}
