func.func @main(%a: tensor<1x1x1x1x1x1x2xi8>) -> tensor<1x1x1x1x1x1x2xi8> {
  return %a : tensor<1x1x1x1x1x1x2xi8>
}
