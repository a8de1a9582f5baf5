@test "passes before" {
  true
}
@test "coloured failure" {
  printf '\033[31mexpected 2 got 3\033[0m\n'
  false
}
@test "passes after" {
  true
}
