func.func @main(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %t = "tosa.const"() {values = dense<1> : tensor<7xi8>} : () -> tensor<7xi8>
  %0 = tosa.table %a, %t : (tensor<1x4xi8>, tensor<7xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}
