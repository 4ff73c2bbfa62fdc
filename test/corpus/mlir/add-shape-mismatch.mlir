func.func @main(%a: tensor<1x4xi8>) -> tensor<1x5xi8> {
  %0 = tosa.add %a, %a : (tensor<1x4xi8>, tensor<1x4xi8>) -> tensor<1x5xi8>
  return %0 : tensor<1x5xi8>
}
