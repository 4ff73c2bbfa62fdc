// Invalid IR: every error is located, exit code 1, no crash.
// RUN: %expect-exit 1 %cimc %s --split-input-file 2>&1 | FileCheck %s
// RUN: %cimc %s --split-input-file --verify-diagnostics

// An op of a dialect nobody registered.
func.func @unknown_dialect() {
  // CHECK: ir.mlir:[[# @LINE + 2]]:17: error: operation being parsed with an unregistered dialect
  // expected-error@+1 {{operation being parsed with an unregistered dialect}}
  %0 = "foo.bar"() : () -> tensor<1xi32>
  return
}

// -----

// An op TOSA does not have.
func.func @unknown_op(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: ir.mlir:[[# @LINE + 2]]:8: error: custom op 'tosa.frobnicate' is unknown
  // expected-error@+1 {{custom op 'tosa.frobnicate' is unknown}}
  %0 = tosa.frobnicate %a : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A type error the TOSA verifier catches.
func.func @type_error(%a: tensor<4xf32>, %b: tensor<4xi32>) -> tensor<4xf32> {
  // CHECK: ir.mlir:[[# @LINE + 2]]:8: error: 'tosa.add' op
  // expected-error@+1 {{'tosa.add' op}}
  %0 = tosa.add %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A syntax error.
func.func @syntax(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: ir.mlir:[[# @LINE + 2]]:17: error: custom op 'tosa.abs' number of operands and types do not match: got 0 operands and 1 types
  // expected-error@+1 {{number of operands and types do not match}}
  %0 = tosa.abs : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A non-TOSA op: named, with what cimc accepts.
func.func @not_tosa(%a: tensor<4xi32>) -> tensor<4xi32> {
  // CHECK: ir.mlir:[[# @LINE + 2]]:8: error: 'arith.addi' op is not a TOSA operation; cimc accepts TOSA 1.0 (tosa.* ops) inside func.func, with func.return and func.call
  // expected-error@+1 {{'arith.addi' op is not a TOSA operation}}
  %0 = arith.addi %a, %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// TOSA that no profile allows: tosa-validate rejects it, located.
func.func @not_in_profile(%a: tensor<4xi4>) -> tensor<4xi4> {
  // CHECK: ir.mlir:[[# @LINE + 2]]:8: error: 'tosa.add' op illegal: operation operand/result data types did not align with any profile or extension
  // expected-error@+1 {{'tosa.add' op illegal: operation operand/result data types did not align with any profile or extension}}
  %0 = tosa.add %a, %a : (tensor<4xi4>, tensor<4xi4>) -> tensor<4xi4>
  return %0 : tensor<4xi4>
}
