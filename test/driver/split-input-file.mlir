// Each piece is compiled alone; outputs are joined by `// -----`, and
// diagnostics keep the original file's line numbers.
// RUN: %expect-exit 1 %cimc %s --emit=cim --split-input-file 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=ERR < %t.err

// CHECK-LABEL: func.func @first
// CHECK: // -----
// CHECK-LABEL: func.func @third
func.func @first(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// -----

// ERR: split-input-file.mlir:[[# @LINE + 2]]:8: error: 'arith.negf' op is not a TOSA operation
func.func @second(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = arith.negf %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @third(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// Several top-level ops without a module get one, as in mlir-opt.
func.func @fourth(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
// CHECK-LABEL: func.func @fourth
