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

// A batched matmul with constant weights is one layer per batch
// (cim-orient-matmuls): no remark.
func.func @batched(%a: tensor<2x2x4xi8>) -> tensor<2x2x2xi32> {
  %b = "tosa.const"() {values = dense<1> : tensor<2x4x2xi8>} : () -> tensor<2x4x2xi8>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
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

// A depthwise channel's kernel must fit the rows of one array (128 here).
func.func @tall_depthwise(%a: tensor<1x12x12x1xi8>) -> tensor<1x1x1x1xi32> {
  %w = "tosa.const"() {values = dense<1> : tensor<12x12x1x1xi8>} : () -> tensor<12x12x1x1xi8>
  %b = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-remark@+1 {{'tosa.depthwise_conv2d' op stays a host op: its per-channel kernel of 144 rows exceeds one array's 128 rows}}
  %0 = tosa.depthwise_conv2d %a, %w, %b, %z, %z {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x12x12x1xi8>, tensor<12x12x1x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x1xi32>
  return %0 : tensor<1x1x1x1xi32>
}

// -----

// Mapped layers make no remark.
func.func @mapped(%a: tensor<1x2x4xi8>) -> tensor<1x2x2xi32> {
  %b = "tosa.const"() {values = dense<1> : tensor<1x4x2xi8>} : () -> tensor<1x4x2xi8>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.matmul %a, %b, %z, %z : (tensor<1x2x4xi8>, tensor<1x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32>
  return %0 : tensor<1x2x2xi32>
}
