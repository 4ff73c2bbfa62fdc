// Input from standard input, generic printing, locations, and MLIR bytecode.
// RUN: cat %s | %cimc - --emit=cim --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: %cimc %s --emit=cim --mlir-print-debuginfo | FileCheck %s --check-prefix=DEBUG
// RUN: %mlir-opt %s --emit-bytecode -o %t.mlirbc && %cimc %t.mlirbc --emit=cim | FileCheck %s --check-prefix=BYTECODE
// RUN: %cimc %s --emit=cim --mlir-elide-elementsattrs-if-larger=2 | FileCheck %s --check-prefix=ELIDE

// GENERIC: "func.func"() <{function_type = (tensor<1x4xi32>) -> tensor<1x4xi32>, sym_name = "f"}>
// GENERIC: "tosa.abs"
// DEBUG: loc("{{.*}}formats.mlir":[[# @LINE + 4]]:8)
// BYTECODE: func.func @f
// ELIDE: dense_resource<__elided__>
func.func @f(%a: tensor<1x4xi32>) -> tensor<1x4xi32> {
  %0 = tosa.abs %a : (tensor<1x4xi32>) -> tensor<1x4xi32>
  %1 = "tosa.const"() <{values = dense<[[1, 2, 3, 4]]> : tensor<1x4xi32>}> : () -> tensor<1x4xi32>
  %2 = tosa.maximum %0, %1 : (tensor<1x4xi32>, tensor<1x4xi32>) -> tensor<1x4xi32>
  return %2 : tensor<1x4xi32>
}
