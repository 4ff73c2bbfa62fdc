func.func @main(%c: tensor<i1>, %a: tensor<4xi8>, %b: tensor<4xi8>) -> tensor<4xi8> {
  %0 = tosa.cond_if %c (%x = %a, %y = %b) : tensor<i1> (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8> {
  ^bb0(%x: tensor<4xi8>, %y: tensor<4xi8>):
    tosa.yield %x : tensor<4xi8>
  } else {
  ^bb0(%x: tensor<4xi8>, %y: tensor<4xi8>):
    tosa.yield %y : tensor<4xi8>
  }
  return %0 : tensor<4xi8>
}
