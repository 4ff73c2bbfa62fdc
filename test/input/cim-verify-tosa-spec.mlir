// RUN: %cimc %s --emit=tosa --split-input-file --verify-diagnostics

// A stride no level allows; the compiled program used to segfault on it.
func.func @huge_stride(%x: tensor<1x4x1x2xi8>) -> tensor<1x4x1x2xi32> {
  %w = "tosa.const"() {values = dense<1> : tensor<2x1x1x2xi8>} : () -> tensor<2x1x1x2xi8>
  %b = "tosa.const"() {values = dense<0> : tensor<2xi32>} : () -> tensor<2xi32>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error@+1 {{'tosa.conv2d' op stride 9223372036854775807 (stride[1]) is above the TOSA 8K level's 8192}}
  %0 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 9223372036854775807>} : (tensor<1x4x1x2xi8>, tensor<2x1x1x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x1x2xi32>
  return %0 : tensor<1x4x1x2xi32>
}

// -----

// A rescale shift TOSA forbids: reference execution and the simulator
// disagreed from run to run on it.
func.func @negative_shift(%a: tensor<1x4xi32>) -> tensor<1x4xi8> {
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<-1> : tensor<1xi8>} : () -> tensor<1xi8>
  %zi = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %zo = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error@+1 {{'tosa.rescale' op shift -1 is outside 2..62 (TOSA 1.0 RESCALE)}}
  %0 = tosa.rescale %a, %m, %s, %zi, %zo {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}

// -----

func.func @negative_multiplier(%a: tensor<1x4xi32>) -> tensor<1x4xi8> {
  %m = "tosa.const"() {values = dense<-5> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<31> : tensor<1xi8>} : () -> tensor<1xi8>
  %zi = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %zo = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error@+1 {{'tosa.rescale' op multiplier -5 is negative (TOSA 1.0 RESCALE requires >= 0)}}
  %0 = tosa.rescale %a, %m, %s, %zi, %zo {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}

// -----

// A slice that starts past the end returned the unsliced input.
func.func @slice_past_end(%a: tensor<4x5xi8>) -> tensor<2x3xi8> {
  %b = tosa.const_shape {values = dense<[3, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %n = tosa.const_shape {values = dense<[2, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  // expected-error@+1 {{'tosa.slice' op slices [3, 3 + 2) of axis 0, which has 4 elements}}
  %0 = tosa.slice %a, %b, %n : (tensor<4x5xi8>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

func.func @negative_padding(%a: tensor<4xi8>) -> tensor<3xi8> {
  %p = tosa.const_shape {values = dense<[-1, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %v = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error@+1 {{'tosa.pad' op padding -1 (padding[0]) is negative; TOSA 1.0 requires paddings >= 0}}
  %0 = tosa.pad %a, %p, %v : (tensor<4xi8>, !tosa.shape<2>, tensor<1xi8>) -> tensor<3xi8>
  return %0 : tensor<3xi8>
}

// -----

// 10^10 splat weights aborted with an 80 GB allocation at --emit=cim.
func.func @huge_weights(%x: tensor<1x100000xi8>) -> tensor<1x100000xi32> {
  // expected-error@+1 {{'tosa.const' op has a tensor of 10000000000 elements (tensor<1x100000x100000xi8>), above the TOSA 8K level's 2^31 - 1}}
  %w = "tosa.const"() {values = dense<1> : tensor<1x100000x100000xi8>} : () -> tensor<1x100000x100000xi8>
  %x3 = tosa.const_shape {values = dense<[1, 1, 100000]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %xr = tosa.reshape %x, %x3 : (tensor<1x100000xi8>, !tosa.shape<3>) -> tensor<1x1x100000xi8>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.matmul %xr, %w, %z, %z : (tensor<1x1x100000xi8>, tensor<1x100000x100000xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x100000xi32>
  %o = tosa.const_shape {values = dense<[1, 100000]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %0, %o : (tensor<1x1x100000xi32>, !tosa.shape<2>) -> tensor<1x100000xi32>
  return %r : tensor<1x100000xi32>
}

// -----

func.func @pool_kernel_above_level(%a: tensor<1x9000x1x1xi8>) -> tensor<1x1x1x1xi8> {
  // expected-error@+1 {{'tosa.max_pool2d' op kernel 9000 (kernel[0]) is above the TOSA 8K level's 8192}}
  %0 = tosa.max_pool2d %a {kernel = array<i64: 9000, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x9000x1x1xi8>) -> tensor<1x1x1x1xi8>
  return %0 : tensor<1x1x1x1xi8>
}

// -----

// Above the level's rank, at a function's boundary.
// expected-error@+1 {{'func.func' op argument: has a tensor of rank 7, above the TOSA 8K level's 6}}
func.func @rank_seven(%a: tensor<1x1x1x1x1x1x2xi8>) -> tensor<1x1x1x1x1x1x2xi8> {
  return %a : tensor<1x1x1x1x1x1x2xi8>
}

// -----

// Control flow failed late, legalizing a tosa.yield the user never saw.
func.func @branch(%c: tensor<i1>, %a: tensor<4xi8>, %b: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error@+1 {{'tosa.cond_if' op is control flow, which cimc does not compile}}
  %0 = tosa.cond_if %c (%x = %a, %y = %b) : tensor<i1> (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8> {
  ^bb0(%x: tensor<4xi8>, %y: tensor<4xi8>):
    tosa.yield %x : tensor<4xi8>
  } else {
  ^bb0(%x: tensor<4xi8>, %y: tensor<4xi8>):
    tosa.yield %y : tensor<4xi8>
  }
  return %0 : tensor<4xi8>
}

// -----

// A self-recursive @main overflowed the stack at run time.
func.func @main(%a: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error@+1 {{'func.call' op calls '@main', which calls '@main' again: recursion is not supported}}
  %0 = func.call @main(%a) : (tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @ping(%a: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error@+1 {{'func.call' op calls '@pong', which calls '@ping' again}}
  %0 = func.call @pong(%a) : (tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}
func.func @pong(%a: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error@+1 {{'func.call' op calls '@ping', which calls '@pong' again}}
  %0 = func.call @ping(%a) : (tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// A custom operator nothing rewrote is named, not passed to lowering.
func.func @custom(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'tosa.custom' op is the custom operator 'MaxUnpooling2D' of domain 'TFL', which cimc cannot compile}}
  %0 = tosa.custom %x {domain_name = "TFL", implementation_attrs = "", operator_name = "MaxUnpooling2D"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Weights of 3 input channels on a 2-channel input compiled and ran.
func.func @conv_channels(%x: tensor<1x4x1x2xi8>) -> tensor<1x4x1x2xi32> {
  %w = "tosa.const"() {values = dense<1> : tensor<2x1x1x3xi8>} : () -> tensor<2x1x1x3xi8>
  %b = "tosa.const"() {values = dense<0> : tensor<2xi32>} : () -> tensor<2xi32>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error@+1 {{'tosa.conv2d' op weights [2, 1, 1, 3] read 3 input channels, but the input [1, 4, 1, 2] has 2 (TOSA 1.0 requires them equal)}}
  %0 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x1x2xi8>, tensor<2x1x1x3xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x1x2xi32>
  return %0 : tensor<1x4x1x2xi32>
}

// -----

// A matmul whose inner dimensions differ compiled.
func.func @matmul_inner(%a: tensor<1x2x3xi8>, %b: tensor<1x4x5xi8>) -> tensor<1x2x5xi32> {
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error@+1 {{'tosa.matmul' op multiplies A [1, 2, 3] by B [1, 4, 5]: TOSA 1.0 requires A [N, H, C] and B [N, C, W] (the same N and C)}}
  %0 = tosa.matmul %a, %b, %z, %z : (tensor<1x2x3xi8>, tensor<1x4x5xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x5xi32>
  return %0 : tensor<1x2x5xi32>
}

// -----

// An i8 table of 7 entries compiled.
func.func @table_size(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %t = "tosa.const"() {values = dense<1> : tensor<7xi8>} : () -> tensor<7xi8>
  // expected-error@+1 {{'tosa.table' op has a table of 7 entries; TOSA 1.0 requires 256 for an i8 input}}
  %0 = tosa.table %a, %t : (tensor<1x4xi8>, tensor<7xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}
