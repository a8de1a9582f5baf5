package broken

import "testing"

func TestPrice(t *testing.T) {
	if Price() != 0 {
		t.Fatal("not free")
	}
}
