func.func @main(%a: tensor<4xi8>) -> tensor<4xi8>
