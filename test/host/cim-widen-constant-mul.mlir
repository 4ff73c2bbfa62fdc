// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-widen-constant-mul))' | FileCheck %s

// An i8 product of two constants is computed as an i32 product of the
// operands cast to i32 (upstream's folder would compute it at i8 width).
// CHECK-LABEL: func.func @splat_constants
// CHECK: %[[A:.*]] = "tosa.const"() <{values = dense<14> : tensor<1xi8>}>
// CHECK: %[[B:.*]] = "tosa.const"() <{values = dense<-21> : tensor<1xi8>}>
// CHECK: %[[S:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK: %[[WA:.*]] = tosa.cast %[[A]] : (tensor<1xi8>) -> tensor<1xi32>
// CHECK: %[[WB:.*]] = tosa.cast %[[B]] : (tensor<1xi8>) -> tensor<1xi32>
// CHECK: %[[P:.*]] = tosa.mul %[[WA]], %[[WB]], %[[S]] : (tensor<1xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1xi32>
// CHECK: return %[[P]]
func.func @splat_constants() -> tensor<1xi32> {
  %a = "tosa.const"() <{values = dense<14> : tensor<1xi8>}> : () -> tensor<1xi8>
  %b = "tosa.const"() <{values = dense<-21> : tensor<1xi8>}> : () -> tensor<1xi8>
  %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %a, %b, %s : (tensor<1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1xi32>
  return %0 : tensor<1xi32>
}

// -----

// Operands computed from constants count as constants (upstream folds the
// reshape first, then the mul); broadcasting shapes are kept.
// CHECK-LABEL: func.func @through_reshape
// CHECK: %[[R:.*]] = tosa.reshape
// CHECK: %[[WA:.*]] = tosa.cast %[[R]] : (tensor<1x1xi16>) -> tensor<1x1xi32>
// CHECK: %[[WB:.*]] = tosa.cast %{{.*}} : (tensor<2x3xi16>) -> tensor<2x3xi32>
// CHECK: tosa.mul %[[WA]], %[[WB]], %{{.*}} : (tensor<1x1xi32>, tensor<2x3xi32>, tensor<1xi8>) -> tensor<2x3xi32>
func.func @through_reshape() -> tensor<2x3xi32> {
  %a = "tosa.const"() <{values = dense<-32768> : tensor<1xi16>}> : () -> tensor<1xi16>
  %shape = tosa.const_shape {values = dense<[1, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %a, %shape : (tensor<1xi16>, !tosa.shape<2>) -> tensor<1x1xi16>
  %b = "tosa.const"() <{values = dense<[[1, -2, 3], [4, 5, -32768]]> : tensor<2x3xi16>}> : () -> tensor<2x3xi16>
  %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %r, %b, %s : (tensor<1x1xi16>, tensor<2x3xi16>, tensor<1xi8>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// A product with a non-constant operand lowers exactly upstream: unchanged.
// CHECK-LABEL: func.func @argument
// CHECK-NOT: tosa.cast
// CHECK: tosa.mul %arg0, %{{.*}}, %{{.*}} : (tensor<4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<4xi32>
func.func @argument(%x: tensor<4xi8>) -> tensor<4xi32> {
  %b = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %x, %b, %s : (tensor<4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// i32 products fold correctly upstream: unchanged.
// CHECK-LABEL: func.func @int32
// CHECK-NOT: tosa.cast
// CHECK: tosa.mul {{.*}} : (tensor<1xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1xi32>
func.func @int32() -> tensor<1xi32> {
  %a = "tosa.const"() <{values = dense<70000> : tensor<1xi32>}> : () -> tensor<1xi32>
  %b = "tosa.const"() <{values = dense<-70000> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %a, %b, %s : (tensor<1xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1xi32>
  return %0 : tensor<1xi32>
}
