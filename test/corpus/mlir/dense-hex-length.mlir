func.func @main(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %w = "tosa.const"() {values = dense<"0x010203"> : tensor<5xi8>} : () -> tensor<5xi8>
  return %a : tensor<1x4xi8>
}
