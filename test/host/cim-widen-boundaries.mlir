// RUN: %cimc %s --pass-pipeline='builtin.module(func.func(cim-widen-boundaries))' | FileCheck %s

// A public function's i48 results and arguments cross as i64: narrowed by a
// cast at the entry, widened by one before the return. Other types, and
// private functions, keep theirs.
// CHECK-LABEL: func.func @main(%arg0: tensor<2x3xi16>, %arg1: tensor<3x2xi16>, %arg2: tensor<2xi64>, %arg3: tensor<4xi8>) -> (tensor<1x2x2xi64>, tensor<2xi64>, tensor<2x3xi16>, tensor<4xi8>)
// CHECK: %[[N:.*]] = tosa.cast %arg2 : (tensor<2xi64>) -> tensor<2xi48>
// CHECK: %[[F:.*]] = tosa.cast %arg3 : (tensor<4xi8>) -> tensor<4xi4>
// CHECK: %[[P:.*]] = tosa.matmul {{.*}} -> tensor<1x2x2xi48>
// CHECK: %[[WP:.*]] = tosa.cast %[[P]] : (tensor<1x2x2xi48>) -> tensor<1x2x2xi64>
// CHECK: %[[WN:.*]] = tosa.cast %[[N]] : (tensor<2xi48>) -> tensor<2xi64>
// CHECK: %[[WF:.*]] = tosa.cast %[[F]] : (tensor<4xi4>) -> tensor<4xi8>
// CHECK: return %[[WP]], %[[WN]], %arg0, %[[WF]]
// CHECK: func.func private @helper(%arg0: tensor<2xi48>) -> tensor<2xi48>
func.func @main(%a: tensor<2x3xi16>, %b: tensor<3x2xi16>, %n: tensor<2xi48>, %f: tensor<4xi4>) -> (tensor<1x2x2xi48>, tensor<2xi48>, tensor<2x3xi16>, tensor<4xi4>) {
  %ra = tosa.const_shape {values = dense<[1, 2, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %rb = tosa.const_shape {values = dense<[1, 3, 2]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %a3 = tosa.reshape %a, %ra : (tensor<2x3xi16>, !tosa.shape<3>) -> tensor<1x2x3xi16>
  %b3 = tosa.reshape %b, %rb : (tensor<3x2xi16>, !tosa.shape<3>) -> tensor<1x3x2xi16>
  %z = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
  %0 = tosa.matmul %a3, %b3, %z, %z : (tensor<1x2x3xi16>, tensor<1x3x2xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x2x2xi48>
  return %0, %n, %a, %f : tensor<1x2x2xi48>, tensor<2xi48>, tensor<2x3xi16>, tensor<4xi4>
}
func.func private @helper(%x: tensor<2xi48>) -> tensor<2xi48> {
  return %x : tensor<2xi48>
}
