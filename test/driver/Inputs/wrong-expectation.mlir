func.func @f(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+2 {{this is not what cimc says}}
  // A different message on the right line: both sides are reported.
  %0 = arith.addi %a, %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}
