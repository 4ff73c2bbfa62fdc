// Comparisons, flags and selects between activations and constants, a
// reduce_min, a minimum with a constant and a constant minus an activation,
// on the residual models' input (hand-written for the oracle test).
func.func @main(%x: tensor<1x6x6x2xf32>) -> (tensor<1x6x6x2xf32>, tensor<1x6x1x2xf32>) {
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %half = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %one = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %slopes = "tosa.const"() <{values = dense<[[[[-0.75, 0.25]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %c = tosa.sub %one, %x : (tensor<1x1x1x1xf32>, tensor<1x6x6x2xf32>) -> tensor<1x6x6x2xf32>
  %m = tosa.minimum %c, %half : (tensor<1x6x6x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x6x6x2xf32>
  %s = tosa.mul %x, %slopes, %shift : (tensor<1x6x6x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x6x6x2xf32>
  %gt = tosa.greater %x, %zero : (tensor<1x6x6x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x6x6x2xi1>
  %eq = tosa.equal %x, %zero : (tensor<1x6x6x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x6x6x2xi1>
  %either = tosa.logical_or %gt, %eq : (tensor<1x6x6x2xi1>, tensor<1x6x6x2xi1>) -> tensor<1x6x6x2xi1>
  %y = tosa.select %either, %m, %s : (tensor<1x6x6x2xi1>, tensor<1x6x6x2xf32>, tensor<1x6x6x2xf32>) -> tensor<1x6x6x2xf32>
  %low = tosa.reduce_min %y {axis = 2 : i32} : (tensor<1x6x6x2xf32>) -> tensor<1x6x1x2xf32>
  return %y, %low : tensor<1x6x6x2xf32>, tensor<1x6x1x2xf32>
}
