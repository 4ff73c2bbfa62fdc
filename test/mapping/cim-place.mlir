// RUN: %cimc %s --pass-pipeline='builtin.module(func.func(cim-place))' | FileCheck %s
// RUN: %cimc %s --target-opt chip.cores=1 --target-opt core.macros=1 --target-opt macro.arrays=2 --pass-pipeline='builtin.module(func.func(cim-place))' | FileCheck %s --check-prefix=PHASES
// RUN: %expect-exit 1 %cimc %s --target-opt chip.cores=1 --target-opt core.macros=1 --target-opt macro.arrays=2 --pass-pipeline='builtin.module(func.func(cim-place{reprogram=false}))' 2>&1 | FileCheck %s --check-prefix=FULL

// Tiles take consecutive arrays: isaac has 8 arrays per macro.
// CHECK-LABEL: func.func @three
// CHECK: cim.array = 0 : i64, cim.core = 0 : i64{{.*}}cim.macro = 0 : i64, cim.phase = 0 : i64
// CHECK: cim.array = 1 : i64, cim.core = 0 : i64{{.*}}cim.macro = 0 : i64, cim.phase = 0 : i64
// CHECK: cim.array = 2 : i64, cim.core = 0 : i64{{.*}}cim.macro = 0 : i64, cim.phase = 0 : i64

// A chip of 2 arrays holds the third tile in a second phase.
// PHASES: cim.array = 0 : i64{{.*}}cim.phase = 0 : i64
// PHASES: cim.array = 1 : i64{{.*}}cim.phase = 0 : i64
// PHASES: cim.array = 0 : i64{{.*}}cim.phase = 1 : i64

// FULL: cim-place.mlir:[[# @LINE + 5]]:8: error: 'cim.program' op layer 'b' (1 arrays) does not fit: the network needs 3 arrays, the chip has 2 (target 'isaac'); allow reprogramming or choose a larger target
func.func @three(%x: tensor<4x2xi8>) -> (!cim.tile, !cim.tile, !cim.tile) {
  %l = "tosa.const"() <{values = dense<1> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  %0 = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "a"} : (tensor<2x2xi8>) -> !cim.tile
  %1 = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "a"} : (tensor<2x2xi8>) -> !cim.tile
  %2 = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "b"} : (tensor<2x2xi8>) -> !cim.tile
  return %0, %1, %2 : !cim.tile, !cim.tile, !cim.tile
}
