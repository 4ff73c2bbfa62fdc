// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-graph))' | FileCheck %s
// RUN: %cimc %s --split-input-file --target-opt array.cols=32 --pass-pipeline='builtin.module(func.func(cim-graph))' | FileCheck %s --check-prefix=NARROW
// RUN: %cimc %s --split-input-file --target-opt array.cols=32 --target-opt vector.copy_cycles=1000 --pass-pipeline='builtin.module(func.func(cim-graph))' | FileCheck %s --check-prefix=COPY

// Two 1x1 convolutions of 12 channels read the same input: on isaac (2-bit
// cells, a reference column) the 3-bit weights take 12·2 + 1 = 25 of an
// array's 128 columns, the 2-bit ones 12 + 1 = 13; merged, 24·2 + 1 = 49
// fit one array (merge-sibling-conv2d); each result is a slice of the
// merged one, and the slices that tile it back vanish (concat-of-slices).
// CHECK-LABEL: func.func @merge
// CHECK-SAME: after = "arrays 1
// CHECK-SAME: before = "arrays 2
// CHECK-SAME: "concat-of-slices" = 1 : i64, "merge-sibling-conv2d" = 2 : i64
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<24x1x1x4xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<24xi32>}>
// CHECK: %[[Y:.*]] = tosa.conv2d %arg0, %[[W]], %[[B]]
// CHECK-SAME: {acc_type = i32, cim.layer = "a+b"
// CHECK-SAME: -> tensor<1x4x4x24xi32>
// CHECK: %[[S:.*]] = tosa.slice %[[Y]]
// CHECK-SAME: -> tensor<1x4x4x12xi32>
// CHECK: return %[[Y]], %[[S]]
func.func @merge(%x: tensor<1x4x4x4xi8>) -> (tensor<1x4x4x24xi32>, tensor<1x4x4x12xi32>) {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wa = "tosa.const"() <{values = dense<3> : tensor<12x1x1x4xi8>}> : () -> tensor<12x1x1x4xi8>
  %ba = "tosa.const"() <{values = dense<1> : tensor<12xi32>}> : () -> tensor<12xi32>
  %wb = "tosa.const"() <{values = dense<-2> : tensor<12x1x1x4xi8>}> : () -> tensor<12x1x1x4xi8>
  %bb = "tosa.const"() <{values = dense<7> : tensor<12xi32>}> : () -> tensor<12xi32>
  %a = tosa.conv2d %x, %wa, %ba, %zp, %zp {acc_type = i32, cim.layer = "a", dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x4xi8>, tensor<12x1x1x4xi8>, tensor<12xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x12xi32>
  %b = tosa.conv2d %x, %wb, %bb, %zp, %zp {acc_type = i32, cim.layer = "b", dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x4xi8>, tensor<12x1x1x4xi8>, tensor<12xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x12xi32>
  %c = tosa.concat %a, %b {axis = 3 : i32} : (tensor<1x4x4x12xi32>, tensor<1x4x4x12xi32>) -> tensor<1x4x4x24xi32>
  return %c, %b : tensor<1x4x4x24xi32>, tensor<1x4x4x12xi32>
}

// -----

// Siblings of different strides are not siblings.
// CHECK-LABEL: func.func @different_stride
// CHECK-NOT: merge-sibling-conv2d
// CHECK: tosa.conv2d
// CHECK: tosa.conv2d
func.func @different_stride(%x: tensor<1x5x5x4xi8>) -> (tensor<1x5x5x12xi32>, tensor<1x3x3x12xi32>) {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<3> : tensor<12x1x1x4xi8>}> : () -> tensor<12x1x1x4xi8>
  %bias = "tosa.const"() <{values = dense<1> : tensor<12xi32>}> : () -> tensor<12xi32>
  %a = tosa.conv2d %x, %w, %bias, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x5x5x4xi8>, tensor<12x1x1x4xi8>, tensor<12xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x5x5x12xi32>
  %b = tosa.conv2d %x, %w, %bias, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x5x5x4xi8>, tensor<12x1x1x4xi8>, tensor<12xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x12xi32>
  return %a, %b : tensor<1x5x5x12xi32>, tensor<1x3x3x12xi32>
}

// -----

// The chip decides. On isaac the merged layer takes one array instead of
// two; with 32-column arrays it takes two either way, but reads the input
// once (half the crossbar cycles), so it still merges; when the vector
// unit's copies (the slices) cost 1000 cycles per lane group, it does not.
// CHECK-LABEL: func.func @targets
// CHECK: tosa.conv2d
// CHECK-NOT: tosa.conv2d
// CHECK: tosa.slice
// NARROW-LABEL: func.func @targets
// NARROW-SAME: after = "arrays 2
// NARROW: tosa.conv2d
// NARROW-NOT: tosa.conv2d
// NARROW: tosa.slice
// COPY-LABEL: func.func @targets
// COPY-SAME: fired = {"merge-sibling-conv2d" = 2 : i64}
// COPY: tosa.conv2d
// COPY: tosa.conv2d
// COPY-NOT: tosa.slice
// COPY: return
func.func @targets(%x: tensor<1x4x4x4xi8>) -> (tensor<1x4x4x12xi32>, tensor<1x4x4x12xi32>) {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wa = "tosa.const"() <{values = dense<3> : tensor<12x1x1x4xi8>}> : () -> tensor<12x1x1x4xi8>
  %ba = "tosa.const"() <{values = dense<1> : tensor<12xi32>}> : () -> tensor<12xi32>
  %wb = "tosa.const"() <{values = dense<-2> : tensor<12x1x1x4xi8>}> : () -> tensor<12x1x1x4xi8>
  %bb = "tosa.const"() <{values = dense<7> : tensor<12xi32>}> : () -> tensor<12xi32>
  %a = tosa.conv2d %x, %wa, %ba, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x4xi8>, tensor<12x1x1x4xi8>, tensor<12xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x12xi32>
  %b = tosa.conv2d %x, %wb, %bb, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x4xi8>, tensor<12x1x1x4xi8>, tensor<12xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x12xi32>
  return %a, %b : tensor<1x4x4x12xi32>, tensor<1x4x4x12xi32>
}
