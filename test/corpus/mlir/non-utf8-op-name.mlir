func.func @main() {
 "tosa.ÿfoo"() : () -> ()
 return
}
