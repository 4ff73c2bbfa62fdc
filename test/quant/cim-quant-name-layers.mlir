// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-name-layers))' | FileCheck %s
// Idempotent: a second run keeps every name.
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-name-layers))' | %cimc - --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-name-layers))' | FileCheck %s

// Every TOSA op but the constants is a layer: a location name when the
// producer gave one, else <op>#<pre-order index>; a name already pinned stays.
// CHECK-LABEL: func.func @names
// CHECK: "tosa.const"
// CHECK-NOT: cim.layer
// CHECK: tosa.matmul {{.*}}cim.layer = "tosa.matmul#2"
// CHECK: tosa.clamp {{.*}}cim.layer = "model/relu"
// CHECK: tosa.add {{.*}}cim.layer = "kept"
// CHECK: tosa.const_shape
// CHECK-NOT: cim.layer
// CHECK: tosa.reshape {{.*}}cim.layer = "tosa.reshape#6"
func.func @names(%a: tensor<1x2x4xf32>) -> tensor<2x4xf32> {
  %w = "tosa.const"() {values = dense<1.0> : tensor<1x4x4xf32>} : () -> tensor<1x4x4xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %a, %w, %zp, %zp : (tensor<1x2x4xf32>, tensor<1x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  %r = tosa.clamp %m {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x2x4xf32>) -> tensor<1x2x4xf32> loc("model/relu")
  %s = tosa.add %r, %m {cim.layer = "kept"} : (tensor<1x2x4xf32>, tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %shape = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %o = tosa.reshape %s, %shape : (tensor<1x2x4xf32>, !tosa.shape<2>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}
