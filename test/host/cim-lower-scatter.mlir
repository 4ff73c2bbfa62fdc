// RUN: %cimc %s --pass-pipeline='builtin.module(func.func(cim-lower-scatter))' | FileCheck %s

// tosa.scatter becomes two loops carrying the result: each step writes one
// row of the input at its index, when the index lies in [0, K).
// CHECK-LABEL: func.func @main
// CHECK-NOT: tosa.scatter
// CHECK: scf.for %[[B:[a-z0-9]+]] = {{.*}} iter_args(%{{.*}} = %arg0) -> (tensor<2x5x3xi8>)
// CHECK: scf.for %[[J:[a-z0-9]+]] = {{.*}} -> (tensor<2x5x3xi8>)
// CHECK: %[[I:.*]] = tensor.extract %arg1[%[[B]], %[[J]]] : tensor<2x4xi32>
// CHECK: arith.cmpi sge, %[[I]]
// CHECK: arith.cmpi slt, %[[I]]
// CHECK: scf.if
// CHECK: tensor.extract_slice %arg2[%[[B]], %[[J]], 0] [1, 1, 3] [1, 1, 1] : tensor<2x4x3xi8> to tensor<1x1x3xi8>
// CHECK: tensor.insert_slice {{.*}} [1, 1, 3] [1, 1, 1] : tensor<1x1x3xi8> into tensor<2x5x3xi8>
// CHECK: return
func.func @main(%vin: tensor<2x5x3xi8>, %idx: tensor<2x4xi32>, %in: tensor<2x4x3xi8>) -> tensor<2x5x3xi8> {
  %0 = tosa.scatter %vin, %idx, %in : (tensor<2x5x3xi8>, tensor<2x4xi32>, tensor<2x4x3xi8>) -> tensor<2x5x3xi8>
  return %0 : tensor<2x5x3xi8>
}
