// A cim.program whose array id is a string.
func.func @bad(%w: tensor<4x2xi8>) -> !cim.tile {
  %t = "cim.program"(%w) {core = 0 : i64, macro = 0 : i64, array = "three", cell_bits = 2 : i64} : (tensor<4x2xi8>) -> !cim.tile
  return %t : !cim.tile
}
