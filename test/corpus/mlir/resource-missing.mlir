func.func @main(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %w = "tosa.const"() <{values = dense_resource<gone> : tensor<2x4xi8>}> : () -> tensor<2x4xi8>
  return %a : tensor<1x4xi8>
}
