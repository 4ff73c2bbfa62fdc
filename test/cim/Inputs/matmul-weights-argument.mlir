// A cim.matmul whose weights are an argument, not a constant.
func.func @weights_argument(%x: tensor<4x2xi8>, %w: tensor<2x2xi8>) -> tensor<4x2xi32> {
  %p = "cim.matmul"(%x, %w) {input_bits = 8 : i64, weight_bits = 8 : i64, cell_bits = 2 : i64, blocks = 1 : i64, layer = "l"} : (tensor<4x2xi8>, tensor<2x2xi8>) -> tensor<4x2xi32>
  return %p : tensor<4x2xi32>
}
