// What tosa-infer-shapes leaves, folded into the IR.
// RUN: %cimc %s --pass-pipeline='builtin.module(cim-settle-shapes)' | FileCheck %s

// CHECK-LABEL: func.func @after_inference
// CHECK-SAME: (%arg0: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<8xf32>)
// CHECK: %[[A:.*]] = tosa.abs %arg0 : (tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK: %[[S:.*]] = tosa.const_shape {values = dense<8> : tensor<1xindex>}
// CHECK: %[[R:.*]] = tosa.reshape %[[A]], %[[S]] : (tensor<2x4xf32>, !tosa.shape<1>) -> tensor<8xf32>
// CHECK-NOT: tensor.cast
// CHECK: return %[[A]], %[[R]] : tensor<2x4xf32>, tensor<8xf32>
func.func @after_inference(%a: tensor<2x4xf32>) -> (tensor<?x4xf32>, tensor<8xf32>) {
  %0 = tosa.abs %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %s = tosa.const_shape {values = dense<[-1]> : tensor<1xindex>} : () -> !tosa.shape<1>
  %1 = tosa.reshape %0, %s : (tensor<2x4xf32>, !tosa.shape<1>) -> tensor<8xf32>
  %c = tensor.cast %0 : tensor<2x4xf32> to tensor<?x4xf32>
  return %c, %1 : tensor<?x4xf32>, tensor<8xf32>
}
