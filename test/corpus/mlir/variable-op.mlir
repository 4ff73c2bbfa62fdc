tosa.variable @v = dense<0> : tensor<4xi8>
func.func @main(%a: tensor<4xi8>) -> tensor<4xi8> {
  %0 = tosa.variable_read @v : tensor<4xi8>
  return %0 : tensor<4xi8>
}
