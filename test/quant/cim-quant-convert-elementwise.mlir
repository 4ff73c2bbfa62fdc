// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert))' | FileCheck %s
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert{activation-bits=16}))' | FileCheck %s --check-prefix=A16
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert),cim-attach-tosa-target,tosa-validate,cim-verify-tosa-spec)' > /dev/null
//
// The elementwise forms real float graphs need: PReLU and leaky ReLU as
// tosa-converter-for-tflite spells them (greater_equal / mul by the slopes
// / select; mul by alpha / maximum), minimum, reduce_max, a power by a
// constant, argmax. Arm's reference model runs them in the suite
// (quantize::quantized_models_are_bit_exact_with_the_reference_model on
// residual_activations.f32.mlir).

// PReLU: the comparison on i32 (x without its zero point against 0 on the
// same scale) gives the i1 flag; the slopes (a constant tensor, not a
// scalar) are an i32 factor on their 16-bit grid, the product rescaled onto
// the mul's grid; both choices are rescaled onto the select's; an i8 select.
// CHECK-LABEL: func.func @prelu(
// CHECK-SAME: %[[X:.*]]: tensor<1x2x2x2xi8>
// CHECK: %[[WX:.*]] = tosa.rescale %[[X]], {{.*}} -> tensor<1x2x2x2xi32>
// CHECK: %[[ZERO:.*]] = "tosa.const"() <{values = dense<0> : tensor<1x1x1x1xi32>}>
// CHECK: %[[GE:.*]] = tosa.greater_equal %[[WX]], %[[ZERO]] : (tensor<1x2x2x2xi32>, tensor<1x1x1x1xi32>) -> tensor<1x2x2x2xi1>
// CHECK: %[[SLOPES:.*]] = "tosa.const"() <{values = dense<{{.*}}32767, 6553{{.*}}> : tensor<1x1x1x2xi32>}>
// CHECK: %[[P:.*]] = tosa.mul %{{.*}}, %[[SLOPES]], %{{.*}} : (tensor<1x2x2x2xi32>, tensor<1x1x1x2xi32>, tensor<1xi8>) -> tensor<1x2x2x2xi32>
// CHECK: %[[NEG:.*]] = tosa.rescale %[[P]], {{.*}} -> tensor<1x2x2x2xi8>
// CHECK: %[[POS:.*]] = tosa.rescale %[[X]], {{.*}} -> tensor<1x2x2x2xi8>
// CHECK: %[[NEGY:.*]] = tosa.rescale %[[NEG]], {{.*}} -> tensor<1x2x2x2xi8>
// CHECK: %[[Y:.*]] = tosa.select %[[GE]], %[[POS]], %[[NEGY]] : (tensor<1x2x2x2xi1>, tensor<1x2x2x2xi8>, tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8>
// CHECK: return %[[Y]]
// A16-LABEL: func.func @prelu(
// A16: tosa.greater_equal {{.*}} -> tensor<1x2x2x2xi1>
// A16: tosa.select {{.*}} -> tensor<1x2x2x2xi16>
func.func @prelu(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -2.0, 2.0>]} {
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %alpha = "tosa.const"() <{values = dense<[[[[0.5, 0.1]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ge = tosa.greater_equal %x, %zero : (tensor<1x2x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x2x2x2xi1>
  %neg = tosa.mul %x, %alpha, %shift {cim.quant.range = array<f64: -1.0, 1.0>} : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x2x2x2xf32>
  %y = tosa.select %ge, %x, %neg {cim.quant.range = array<f64: -1.0, 2.0>} : (tensor<1x2x2x2xi1>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Leaky ReLU: x * alpha (a positive scalar: one rescale), then the maximum
// of two activations, both on a common i32 scale, rescaled onto the output.
// CHECK-LABEL: func.func @leaky_relu(
// CHECK-SAME: %[[X:.*]]: tensor<4xi8>
// CHECK: %[[AX:.*]] = tosa.rescale %[[X]], {{.*}} -> tensor<4xi8>
// CHECK: %[[WA:.*]] = tosa.rescale %[[AX]], {{.*}} -> tensor<4xi32>
// CHECK: %[[WX:.*]] = tosa.rescale %[[X]], {{.*}} -> tensor<4xi32>
// CHECK: %[[M:.*]] = tosa.maximum %[[WA]], %[[WX]] : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK: %[[Y:.*]] = tosa.rescale %[[M]], {{.*}} -> tensor<4xi8>
// CHECK: return %[[Y]]
func.func @leaky_relu(%x: tensor<4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_ranges = [array<f64: -4.0, 4.0>]} {
  %alpha = "tosa.const"() <{values = dense<0.2> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ax = tosa.mul %x, %alpha, %shift {cim.quant.range = array<f64: -0.8, 0.8>} : (tensor<4xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<4xf32>
  %y = tosa.maximum %ax, %x {cim.quant.range = array<f64: -0.8, 4.0>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// minimum with a constant (a clip spelled as minimum): the constant on the
// activation's i32 scale s_x / 2^16 (s_x = 4 / 255: 1.0 is 4177920); x - c
// of a constant as an i32 sub.
// CHECK-LABEL: func.func @minimum_constant(
// CHECK: %[[WX:.*]] = tosa.rescale {{.*}} -> tensor<4xi32>
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<4177920> : tensor<1xi32>}>
// CHECK: %[[M:.*]] = tosa.minimum %[[WX]], %[[C]] : (tensor<4xi32>, tensor<1xi32>) -> tensor<4xi32>
// CHECK: tosa.rescale %[[M]]
// CHECK: tosa.sub {{.*}} : (tensor<4xi32>, tensor<1xi32>) -> tensor<4xi32>
func.func @minimum_constant(%x: tensor<4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_ranges = [array<f64: -2.0, 2.0>]} {
  %c = "tosa.const"() <{values = dense<1.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.minimum %x, %c {cim.quant.range = array<f64: -2.0, 1.0>} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %y = tosa.sub %m, %c {cim.quant.range = array<f64: -3.0, 0.0>} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// reduce_max keeps its input's grid (its values are input values); argmax
// of the integer values gives the float model's i32 indices.
// CHECK-LABEL: func.func @reduce_max_argmax(
// CHECK-SAME: %[[X:.*]]: tensor<1x3x4xi8>
// CHECK-SAME: -> (tensor<1x3x1xi8>, tensor<1x3xi32>)
// CHECK: %[[M:.*]] = tosa.reduce_max %[[X]] {axis = 2 : i32} : (tensor<1x3x4xi8>) -> tensor<1x3x1xi8>
// CHECK: %[[I:.*]] = tosa.argmax %[[X]] {axis = 2 : i32} : (tensor<1x3x4xi8>) -> tensor<1x3xi32>
// CHECK: return %[[M]], %[[I]]
func.func @reduce_max_argmax(%x: tensor<1x3x4xf32>) -> (tensor<1x3x1xf32>, tensor<1x3xi32>) attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %m = tosa.reduce_max %x {axis = 2 : i32} : (tensor<1x3x4xf32>) -> tensor<1x3x1xf32>
  %i = tosa.argmax %x {axis = 2 : i32} : (tensor<1x3x4xf32>) -> tensor<1x3xi32>
  return %m, %i : tensor<1x3x1xf32>, tensor<1x3xi32>
}

// -----

// A power by a constant exponent (GELU's x^3) is a lookup table: entry
// i is round((s_x (i - 128 - z_x))^3 / s_y) + z_y; on [-1, 1] (s = 2 / 255,
// z = -1) entry 0 stands for x = -127 s = -0.996, whose cube -0.988 is
// level -127 (0x81), entry 1 for -0.988, cubed -0.965: level -124 (0x84).
// CHECK-LABEL: func.func @cube(
// CHECK: %[[T:.*]] = "tosa.const"() <{values = dense<"0x8184878A
// CHECK: tosa.table %{{.*}}, %[[T]] : (tensor<4xi8>, tensor<256xi8>) -> tensor<4xi8>
func.func @cube(%x: tensor<4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %three = "tosa.const"() <{values = dense<3.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.pow %x, %three {cim.quant.range = array<f64: -1.0, 1.0>} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Logic on comparison flags stays as it is.
// CHECK-LABEL: func.func @flags(
// CHECK: %[[A:.*]] = tosa.greater {{.*}} -> tensor<4xi1>
// CHECK: %[[B:.*]] = tosa.equal {{.*}} -> tensor<4xi1>
// CHECK: %[[O:.*]] = tosa.logical_or %[[A]], %[[B]]
// CHECK: tosa.select %[[O]]
func.func @flags(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>, array<f64: -2.0, 2.0>]} {
  %a = tosa.greater %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %b = tosa.equal %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %o = tosa.logical_or %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %s = tosa.select %o, %x, %y {cim.quant.range = array<f64: -2.0, 2.0>} : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// A mean as tosa-converter-for-tflite spells TFLite's MEAN: two reduce_sums,
// a reshape and a mul by 1 / (H W). The sums and the reshape stay in i32
// (no rounding between them); one rescale by s_x / (H W) / s_y at the end.
// CHECK-LABEL: func.func @mean(
// CHECK-SAME: %[[X:.*]]: tensor<1x2x3x4xi8>
// CHECK: %[[W:.*]] = tosa.rescale %[[X]], {{.*}} -> tensor<1x2x3x4xi32>
// CHECK: %[[H:.*]] = tosa.reduce_sum %[[W]] {axis = 1 : i32} : (tensor<1x2x3x4xi32>) -> tensor<1x1x3x4xi32>
// CHECK: %[[S:.*]] = tosa.reduce_sum %[[H]] {axis = 2 : i32} : (tensor<1x1x3x4xi32>) -> tensor<1x1x1x4xi32>
// CHECK: %[[R:.*]] = tosa.reshape %[[S]], %{{.*}} : (tensor<1x1x1x4xi32>, !tosa.shape<2>) -> tensor<1x4xi32>
// CHECK: %[[Y:.*]] = tosa.rescale %[[R]], {{.*}} -> tensor<1x4xi8>
// CHECK-NOT: tosa.rescale
// CHECK: return %[[Y]]
func.func @mean(%x: tensor<1x2x3x4xf32>) -> tensor<1x4xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %h = tosa.reduce_sum %x {axis = 1 : i32, cim.quant.range = array<f64: -2.0, 2.0>} : (tensor<1x2x3x4xf32>) -> tensor<1x1x3x4xf32>
  %s = tosa.reduce_sum %h {axis = 2 : i32, cim.quant.range = array<f64: -6.0, 6.0>} : (tensor<1x1x3x4xf32>) -> tensor<1x1x1x4xf32>
  %shape = tosa.const_shape {values = dense<[1, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %s, %shape : (tensor<1x1x1x4xf32>, !tosa.shape<2>) -> tensor<1x4xf32>
  %inv = "tosa.const"() <{values = dense<0.1666666716> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %y = tosa.mul %r, %inv, %shift {cim.quant.range = array<f64: -1.0, 1.0>} : (tensor<1x4xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// Integer ops of integer values (an argmax's indices compared with a
// constant index) are not the quantizer's: they stay as they are.
// CHECK-LABEL: func.func @index_logic(
// CHECK: %[[I:.*]] = tosa.argmax %{{.*}} {axis = 1 : i32} : (tensor<1x4xi8>) -> tensor<1xi32>
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<2> : tensor<1xi32>}>
// CHECK: %[[E:.*]] = tosa.equal %[[I]], %[[C]] : (tensor<1xi32>, tensor<1xi32>) -> tensor<1xi1>
// CHECK: return %[[E]]
func.func @index_logic(%x: tensor<1x4xf32>) -> tensor<1xi1> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %i = tosa.argmax %x {axis = 1 : i32} : (tensor<1x4xf32>) -> tensor<1xi32>
  %two = "tosa.const"() <{values = dense<2> : tensor<1xi32>}> : () -> tensor<1xi32>
  %e = tosa.equal %i, %two : (tensor<1xi32>, tensor<1xi32>) -> tensor<1xi1>
  return %e : tensor<1xi1>
}
