func.func @main(%a: tensor<1x4xf32>) -> tensor<1x5xi8> {
  %0 = tosa.cast %a : (tensor<1x4xf32>) -> tensor<1x5xi8>
  return %0 : tensor<1x5xi8>
}
