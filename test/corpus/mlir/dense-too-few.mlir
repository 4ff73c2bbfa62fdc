func.func @main(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %w = "tosa.const"() {values = dense<[1, 2, 3]> : tensor<4xi8>} : () -> tensor<4xi8>
  return %a : tensor<1x4xi8>
}
