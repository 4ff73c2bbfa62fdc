func.func @main(%a: tensor<1x2x3xi8>, %b: tensor<1x4x5xi8>) -> tensor<1x2x5xi32> {
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.matmul %a, %b, %z, %z : (tensor<1x2x3xi8>, tensor<1x4x5xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x5xi32>
  return %0 : tensor<1x2x5xi32>
}
