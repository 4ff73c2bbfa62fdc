// Layer names are given once, at input, and carried: a rewrite that drops
// an earlier layer does not rename the later ones.
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-name-layers,canonicalize,cim-lower-crossbar-ops))' | FileCheck %s --check-prefix=KEPT
// KEPT-LABEL: func.func @dead
// KEPT: "cim.matmul"
// KEPT-SAME: layer = "conv2d_1"
// KEPT-NOT: "cim.matmul"
// KEPT-LABEL: func.func @live

// The phases name layers at input too: the mapping report and every cim op
// carry the producer's name where it gave one. (Without the graph phase:
// it would merge @live's two sibling convolutions into one layer named
// "stem/conv+conv2d_1", which test/graph/phase.test checks.)
// RUN: %cimc %s --split-input-file --no-graph --emit=cim --report -o %t.mlir 2>&1 | FileCheck %s --check-prefix=REPORT
// REPORT: cim mapping report
// REPORT: cim mapping report
// REPORT-NEXT: layer
// REPORT-NEXT: stem/conv
// REPORT-NEXT: conv2d_1
// RUN: FileCheck %s --check-prefix=OPS < %t.mlir
// OPS-LABEL: func.func @live
// OPS: "cim.program"{{.*}}layer = "stem/conv"
// OPS: "cim.mvm"{{.*}}layer = "stem/conv"
// OPS: "cim.program"{{.*}}layer = "conv2d_1"

// The first convolution's result is unused: canonicalize erases it.
func.func @dead(%x: tensor<1x3x3x1xi8>) -> tensor<1x3x3x2xi32> {
  %w = "tosa.const"() {values = dense<[[[[1], [-2]], [[3], [4]]], [[[-5], [6]], [[7], [-8]]]]> : tensor<2x2x2x1xi8>} : () -> tensor<2x2x2x1xi8>
  %b = "tosa.const"() {values = dense<[10, -20]> : tensor<2xi32>} : () -> tensor<2xi32>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>, tensor<2x2x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x2xi32>
  %1 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>, tensor<2x2x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x2xi32>
  return %1 : tensor<1x3x3x2xi32>
}

// -----

func.func @live(%x: tensor<1x3x3x1xi8>) -> tensor<1x3x3x2xi32> {
  %w = "tosa.const"() {values = dense<[[[[1], [-2]], [[3], [4]]], [[[-5], [6]], [[7], [-8]]]]> : tensor<2x2x2x1xi8>} : () -> tensor<2x2x2x1xi8>
  %b = "tosa.const"() {values = dense<[10, -20]> : tensor<2xi32>} : () -> tensor<2xi32>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>, tensor<2x2x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x2xi32> loc("stem/conv")
  %1 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>, tensor<2x2x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x2xi32>
  %2 = tosa.add %0, %1 : (tensor<1x3x3x2xi32>, tensor<1x3x3x2xi32>) -> tensor<1x3x3x2xi32>
  return %2 : tensor<1x3x3x2xi32>
}
