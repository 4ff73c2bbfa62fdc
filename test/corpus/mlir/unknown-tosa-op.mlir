func.func @main(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %0 = "tosa.frobnicate"(%a) : (tensor<1x4xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}
