// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(cim-materialize-resources)' --verify-diagnostics | FileCheck %s

// Integer, float and boolean blobs become dense constants; the 4-byte
// header is the blob's alignment.
// CHECK-LABEL: func.func @kinds
// CHECK: values = dense<[1, 2, -1]> : tensor<3xi8>
// CHECK: values = dense<[1, -2]> : tensor<2xi32>
// CHECK: values = dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK: values = dense<[true, false]> : tensor<2xi1>
// CHECK-NOT: dense_resource
func.func @kinds() -> (tensor<3xi8>, tensor<2xi32>, tensor<2xf32>, tensor<2xi1>) {
  %0 = "tosa.const"() <{values = dense_resource<bytes> : tensor<3xi8>}> : () -> tensor<3xi8>
  %1 = "tosa.const"() <{values = dense_resource<words> : tensor<2xi32>}> : () -> tensor<2xi32>
  %2 = "tosa.const"() <{values = dense_resource<floats> : tensor<2xf32>}> : () -> tensor<2xf32>
  %3 = "tosa.const"() <{values = dense_resource<flags> : tensor<2xi1>}> : () -> tensor<2xi1>
  return %0, %1, %2, %3 : tensor<3xi8>, tensor<2xi32>, tensor<2xf32>, tensor<2xi1>
}
{-#
  dialect_resources: {
    builtin: {
      bytes: "0x010000000102FF",
      words: "0x0400000001000000FEFFFFFF",
      floats: "0x040000000000803F000000C0",
      flags: "0x010000000100"
    }
  }
#-}

// -----

// A blob the file does not hold.
func.func @missing() -> tensor<2xi8> {
  // expected-error@+1 {{'tosa.const' op the weights are the dense_resource `gone`, which the file does not hold}}
  %0 = "tosa.const"() <{values = dense_resource<gone> : tensor<2xi8>}> : () -> tensor<2xi8>
  return %0 : tensor<2xi8>
}

// -----

// A blob of the wrong size for its type.
func.func @short() -> tensor<4xi8> {
  // expected-error@+1 {{'tosa.const' op the dense_resource `few` holds 2 bytes after its alignment header; tensor<4xi8> needs 4}}
  %0 = "tosa.const"() <{values = dense_resource<few> : tensor<4xi8>}> : () -> tensor<4xi8>
  return %0 : tensor<4xi8>
}
{-#
  dialect_resources: {
    builtin: {
      few: "0x010000000102"
    }
  }
#-}
