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

// A dynamic batch is specialised (to --batch, default 1); any other dynamic
// dimension is one error, at the signature, before tosa-validate sees it.
// expected-error@+1 {{'func.func' op has a signature type 'tensor<4x?xf32>' with a dynamic dimension}}
func.func @dynamic(%a: tensor<4x?xf32>) -> tensor<1x?xf32> {
  %0 = tosa.reduce_sum %a {axis = 0 : i32} : (tensor<4x?xf32>) -> tensor<1x?xf32>
  %1 = tosa.abs %0 : (tensor<1x?xf32>) -> tensor<1x?xf32>
  return %1 : tensor<1x?xf32>
}
