func.func @main(%v: tensor<1x4x2xi8>, %i: tensor<1x3xi32>) -> tensor<1x5x2xi8> {
  %0 = tosa.gather %v, %i : (tensor<1x4x2xi8>, tensor<1x3xi32>) -> tensor<1x5x2xi8>
  return %0 : tensor<1x5x2xi8>
}
