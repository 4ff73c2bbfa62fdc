// With --remarks, every convolution or matmul on integers that stays a host
// op says why; without it, nothing is printed.
// RUN: %cimc %s --split-input-file --emit=cim --remarks --verify-diagnostics -o /dev/null
// RUN: %cimc %s --split-input-file --emit=cim -o /dev/null 2>&1 | count 0

func.func @weights_not_constant(%a: tensor<1x2x4xi8>, %b: tensor<1x4x2xi8>) -> tensor<1x2x2xi32> {
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-remark@+1 {{'tosa.matmul' op stays a host op: its weights are not a constant}}
  %0 = tosa.matmul %a, %b, %z, %z : (tensor<1x2x4xi8>, tensor<1x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32>
  return %0 : tensor<1x2x2xi32>
}

// -----

func.func @batched(%a: tensor<2x2x4xi8>) -> tensor<2x2x2xi32> {
  %b = "tosa.const"() {values = dense<1> : tensor<2x4x2xi8>} : () -> tensor<2x4x2xi8>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-remark@+1 {{'tosa.matmul' op stays a host op: it is a batched matmul (batch > 1)}}
  %0 = tosa.matmul %a, %b, %z, %z : (tensor<2x2x4xi8>, tensor<2x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x2x2xi32>
  return %0 : tensor<2x2x2xi32>
}

// -----

func.func @wide_weights(%a: tensor<1x2x4xi16>) -> tensor<1x2x2xi48> {
  %b = "tosa.const"() {values = dense<300> : tensor<1x4x2xi16>} : () -> tensor<1x4x2xi16>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  // expected-remark@+1 {{'tosa.matmul' op stays a host op: a weight lies outside i8}}
  %0 = tosa.matmul %a, %b, %z, %z : (tensor<1x2x4xi16>, tensor<1x4x2xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x2x2xi48>
  return %0 : tensor<1x2x2xi48>
}

// -----

// Mapped layers make no remark.
func.func @mapped(%a: tensor<1x2x4xi8>) -> tensor<1x2x2xi32> {
  %b = "tosa.const"() {values = dense<1> : tensor<1x4x2xi8>} : () -> tensor<1x4x2xi8>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.matmul %a, %b, %z, %z : (tensor<1x2x4xi8>, tensor<1x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32>
  return %0 : tensor<1x2x2xi32>
}
