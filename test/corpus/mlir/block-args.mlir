func.func @main(%a: tensor<4xi8>) -> tensor<4xi8> {
  cf.br ^bb1(%a : tensor<4xi8>)
^bb1(%b: tensor<4xi8>):
  return %b : tensor<4xi8>
}
