func.func @main(%a: tensor<1x?xi8>) -> tensor<1x?xi8> {
  return %a : tensor<1x?xi8>
}
