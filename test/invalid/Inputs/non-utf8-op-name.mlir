func.func @main() {
 "tosa.\FFfoo"() : () -> ()
 return
}
