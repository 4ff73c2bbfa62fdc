func.func @main(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %w = "tosa.const"() {values = dense<"0x0102ZZ"> : tensor<3xi8>} : () -> tensor<3xi8>
  return %a : tensor<1x4xi8>
}
