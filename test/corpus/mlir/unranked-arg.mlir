func.func @main(%a: tensor<*xi8>) -> tensor<*xi8> {
  return %a : tensor<*xi8>
}
