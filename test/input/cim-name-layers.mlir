// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-name-layers))' | FileCheck %s
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-name-layers))' | %cimc - --split-input-file --pass-pipeline='builtin.module(func.func(cim-name-layers))' | FileCheck %s

// Without location names: <op>_<index among the crossbar layers>. Float and
// i32 ops are not crossbar layers and get no name.
// CHECK-LABEL: func.func @positions
// CHECK: tosa.conv2d {{.*}}cim.layer = "conv2d_0"
// CHECK: tosa.conv2d {{.*}}-> tensor<1x3x3x2xf32>
// CHECK-NOT: cim.layer
// CHECK: tosa.matmul {{.*}}cim.layer = "matmul_1"
func.func @positions(%x: tensor<1x3x3x1xi8>, %f: tensor<1x3x3x1xf32>, %a: tensor<1x2x4xi8>, %b: tensor<1x4x2xi8>) -> (tensor<1x3x3x2xi32>, tensor<1x3x3x2xf32>, tensor<1x2x2xi32>) {
  %w = "tosa.const"() {values = dense<1> : tensor<2x2x2x1xi8>} : () -> tensor<2x2x2x1xi8>
  %bias = "tosa.const"() {values = dense<0> : tensor<2xi32>} : () -> tensor<2xi32>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.conv2d %x, %w, %bias, %z, %z {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>, tensor<2x2x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x2xi32>
  %wf = "tosa.const"() {values = dense<1.0> : tensor<2x2x2x1xf32>} : () -> tensor<2x2x2x1xf32>
  %bf = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zf = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %1 = tosa.conv2d %f, %wf, %bf, %zf, %zf {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xf32>, tensor<2x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x2xf32>
  %2 = tosa.matmul %a, %b, %z, %z : (tensor<1x2x4xi8>, tensor<1x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32>
  return %0, %1, %2 : tensor<1x3x3x2xi32>, tensor<1x3x3x2xf32>, tensor<1x2x2xi32>
}

// -----

// The producer's names win, also inside fused locations; a name already
// taken gets a suffix; a layer that has a name keeps it.
// CHECK-LABEL: func.func @producer_names
// CHECK: tosa.matmul {{.*}}cim.layer = "encoder/fc1"
// CHECK: tosa.matmul {{.*}}cim.layer = "encoder/fc1_2"
// CHECK: tosa.matmul {{.*}}cim.layer = "head"
// CHECK: tosa.matmul {{.*}}cim.layer = "kept"
func.func @producer_names(%a: tensor<1x2x4xi8>, %b: tensor<1x4x2xi8>) -> (tensor<1x2x2xi32>, tensor<1x2x2xi32>, tensor<1x2x2xi32>, tensor<1x2x2xi32>) {
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.matmul %a, %b, %z, %z : (tensor<1x2x4xi8>, tensor<1x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32> loc("encoder/fc1")
  %1 = tosa.matmul %a, %b, %z, %z : (tensor<1x2x4xi8>, tensor<1x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32> loc("encoder/fc1")
  %2 = tosa.matmul %a, %b, %z, %z : (tensor<1x2x4xi8>, tensor<1x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32> loc(fused["model.py":3:1, "head"])
  %3 = tosa.matmul %a, %b, %z, %z {cim.layer = "kept"} : (tensor<1x2x4xi8>, tensor<1x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32> loc("renamed")
  return %0, %1, %2, %3 : tensor<1x2x2xi32>, tensor<1x2x2xi32>, tensor<1x2x2xi32>, tensor<1x2x2xi32>
}
