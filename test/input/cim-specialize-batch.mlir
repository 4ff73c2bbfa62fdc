// A free batch, as Keras exports it, becomes the batch compiled for.
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(cim-specialize-batch{batch=3})' | FileCheck %s --check-prefix=PASS
// RUN: %cimc %s --split-input-file --emit=tosa | FileCheck %s --check-prefix=ONE
// RUN: %cimc %s --split-input-file --emit=tosa --batch 4 | FileCheck %s --check-prefix=FOUR
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(cim-specialize-batch{batch=0})' 2>&1 | FileCheck %s --check-prefix=ZERO

// The pass alone fixes the arguments' leading dimension and nothing else.
// PASS-LABEL: func.func @keras
// PASS-SAME: (%arg0: tensor<3x4x4x2xf32>, %arg1: tensor<2xf32>) -> tensor<?x32xf32>
// PASS: tosa.clamp %arg0 {{.*}} : (tensor<3x4x4x2xf32>) -> tensor<?x4x4x2xf32>

// With inference and cim-settle-shapes (the tosa phase), the body and the
// results follow, the reshape's -1 is spelt out and no cast is left.
// ONE-LABEL: func.func @keras
// ONE-SAME: (%arg0: tensor<1x4x4x2xf32>, %arg1: tensor<2xf32>) -> tensor<1x32xf32>
// ONE: tosa.clamp %arg0 {{.*}} -> tensor<1x4x4x2xf32>
// ONE: tosa.const_shape {values = dense<[1, 32]> : tensor<2xindex>}
// ONE: tosa.reshape {{.*}} -> tensor<1x32xf32>
// ONE-NOT: tensor.cast
// ONE: return {{.*}} : tensor<1x32xf32>
// FOUR-LABEL: func.func @keras
// FOUR-SAME: (%arg0: tensor<4x4x4x2xf32>, %arg1: tensor<2xf32>) -> tensor<4x32xf32>
// FOUR: tosa.reshape {{.*}} -> tensor<4x32xf32>
// ZERO: cim-specialize-batch.mlir:1:1: error: 'builtin.module' op batch 0 (option 'batch' of cim-specialize-batch, --batch) must be at least 1
func.func @keras(%x: tensor<?x4x4x2xf32>, %b: tensor<2xf32>) -> tensor<?x32xf32> {
  %0 = tosa.clamp %x {max_val = 6.0 : f32, min_val = 0.0 : f32} : (tensor<?x4x4x2xf32>) -> tensor<?x4x4x2xf32>
  %s = tosa.const_shape {values = dense<[-1, 32]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %1 = tosa.reshape %0, %s : (tensor<?x4x4x2xf32>, !tosa.shape<2>) -> tensor<?x32xf32>
  return %1 : tensor<?x32xf32>
}

// -----

// A static module passes every step unchanged.
// PASS-LABEL: func.func @static
// PASS-SAME: (%arg0: tensor<2x3xf32>) -> tensor<2x3xf32>
// ONE-LABEL: func.func @static
// ONE-SAME: (%arg0: tensor<2x3xf32>) -> tensor<2x3xf32>
// ONE-NEXT: tosa.abs %arg0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
// FOUR-LABEL: func.func @static
// FOUR-SAME: (%arg0: tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @static(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tosa.abs %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
