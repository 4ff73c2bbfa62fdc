func.func @main(%a: tensor<4xi8>) -> tensor<3xi8> {
  %p = tosa.const_shape {values = dense<[-1, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %v = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.pad %a, %p, %v : (tensor<4xi8>, !tosa.shape<2>, tensor<1xi8>) -> tensor<3xi8>
  return %0 : tensor<3xi8>
}
