func.func @main() -> tensor<2000000000xi32> {
  %a = "tosa.const"() <{values = dense<1> : tensor<2000000000xi32>}> : () -> tensor<2000000000xi32>
  return %a : tensor<2000000000xi32>
}
