// A cim.program whose cell bits are a string.
func.func @bad(%w: tensor<4x2xi8>) -> !cim.tile {
  %t = "cim.program"(%w) {cell_bits = "two", weight_bits = 8 : i64, layer = "l"} : (tensor<4x2xi8>) -> !cim.tile
  return %t : !cim.tile
}
