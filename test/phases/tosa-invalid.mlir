// What the tosa phase rejects, each located, in the order of its checks.
// RUN: %cimc %s --emit=tosa --split-input-file --verify-diagnostics

// A target the module brings is the one validated against: level 8k caps
// tensor rank at 6.
module attributes {tosa.target_env = #tosa.target_env<specification_version = "1.0", level = "8k", profiles = [pro_fp], extensions = [doubleround]>} {
  func.func @own_target_level(%a: tensor<1x1x1x1x1x1x2xf32>) -> tensor<1x1x1x1x1x1x2xf32> {
    // expected-error@+1 {{'tosa.abs' op failed level check: operand rank(shape) <= MAX_RANK}}
    %0 = tosa.abs %a : (tensor<1x1x1x1x1x1x2xf32>) -> tensor<1x1x1x1x1x1x2xf32>
    return %0 : tensor<1x1x1x1x1x1x2xf32>
  }
}

// -----

// An op/type combination no profile has.
func.func @not_in_profile(%a: tensor<4xi4>) -> tensor<4xi4> {
  // expected-error@+1 {{'tosa.add' op illegal: operation operand/result data types did not align with any profile or extension}}
  %0 = tosa.add %a, %a : (tensor<4xi4>, tensor<4xi4>) -> tensor<4xi4>
  return %0 : tensor<4xi4>
}

// -----

// cimc's own check runs before tosa-validate: only cimc's errors.
// expected-error@+1 {{'func.func' op has a signature type 'tensor<?x4xf32>' with a dynamic dimension}}
func.func @dynamic(%a: tensor<?x4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'tosa.reduce_sum' op has a type 'tensor<?x4xf32>' with a dynamic dimension}}
  %0 = tosa.reduce_sum %a {axis = 0 : i32} : (tensor<?x4xf32>) -> tensor<1x4xf32>
  %s = tosa.const_shape {values = dense<[4]> : tensor<1xindex>} : () -> !tosa.shape<1>
  %1 = tosa.reshape %0, %s : (tensor<1x4xf32>, !tosa.shape<1>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}
